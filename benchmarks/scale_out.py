"""Scale-out: questions per minute with 1, 2 and 4 endpoints and Ray workers, against one
local process on one endpoint. Loopback only.

    python benchmarks/scale_out.py [--n 40] [--token-s 0.05]

The endpoints are agentkit.testing's scripted servers made latency-simulating: each answer
takes `--token-s` per completion token and an endpoint generates one answer at a time (as a
GPU at its batch size, here 1), so the model, not this machine's CPU, is the bottleneck, as
on a real cluster. Each question is HotpotQA's `direct` system (BM25 over its paragraphs,
one model call) through the real path: retrieval, prompt, token counting, budget, ledger,
the endpoint pool, a Ray task. k endpoints get k Ray workers (a local cluster of 4 CPUs,
each task holding 4/k), so the scaling measured is the pool's and Ray's, and the overhead
per question is the wall time of a question beyond the model's own time for it.

The bar: >= 1.8x the local process at 2 and >= 3.2x at 4.
Writes benchmarks/results/scale_out.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from agentkit.evals import hotpotqa, retrieval, systems
from agentkit.evals.on_ray import Endpoints, Named, RaySettings, cluster, hotpotqa_job, run_on_ray
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import QuestionResult, run_system
from agentkit.llm import connect
from agentkit.paths import atomic_write_text
from agentkit.testing.faults import FaultServer

RESULTS = Path(__file__).parent / "results"
REPLY = "The answer is the city named in the second paragraph"
SIZES = (1, 2, 4)
BAR = {"2": 1.8, "4": 3.2}
CPUS = 4


def local(url: str, questions: list[hotpotqa.HotpotQuestion], concurrency: int) -> float:
    """Wall seconds for one process to answer `questions` over `url` (one or several)."""
    llm = connect("m", base_url=url, system="")
    search = retrieval.build("bm25", "distractor", questions)
    system = systems.build("direct", llm, search)
    try:
        t0 = time.perf_counter()
        llm.run_sync(run_system("direct", system, questions, llm.ledger, concurrency=concurrency))
        return time.perf_counter() - t0
    finally:
        llm.close()


def on_ray(eps: Endpoints, questions: list[hotpotqa.HotpotQuestion], k: int) -> float:
    settings = RaySettings(cpus_per_question=CPUS / k)
    run_on_ray(
        hotpotqa_job("direct", Named("direct")), questions[:k], eps, settings=settings
    )  # warm workers
    t0 = time.perf_counter()
    results: list[QuestionResult] = run_on_ray(
        hotpotqa_job("direct", Named("direct")), questions, eps, settings=settings
    )
    wall = time.perf_counter() - t0
    assert len({r.id for r in results}) == len(questions) and not any(r.error for r in results)
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="questions per measurement")
    ap.add_argument("--token-s", type=float, default=0.05, help="seconds per completion token")
    args = ap.parse_args()
    questions = hotpotqa.load(n=args.n)
    model_s = args.token_s * len(REPLY.split())  # an endpoint's time for one answer
    servers = [FaultServer("ok", reply=REPLY, token_s=args.token_s, slots=1) for _ in range(4)]
    qpm: dict[str, float] = {}
    overhead: dict[str, float] = {}
    pool_qpm: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(s.running()) for s in servers]
        local(urls[0], questions[:2], 1)  # warm: imports, tokenizer
        base = local(urls[0], questions, 1)
        for k in SIZES:
            pool_qpm[str(k)] = round(60 * args.n / local(",".join(urls[:k]), questions, k), 1)
        with cluster(RaySettings(num_cpus=CPUS)):
            for k in SIZES:
                eps = Endpoints(model="m", base_url=",".join(urls[:k]))
                wall = on_ray(eps, questions, k)
                qpm[str(k)] = round(60 * args.n / wall, 1)
                overhead[str(k)] = round(wall * k / args.n - model_s, 4)
    local_qpm = round(60 * args.n / base, 1)
    speedup = {k: round(v / local_qpm, 2) for k, v in qpm.items()}
    info = run_info(
        n=args.n, token_s=args.token_s, model_s_per_question=model_s, slots_per_endpoint=1,
        system="direct (BM25 + one call)", ray_cluster=f"local, {CPUS} CPUs, loopback",
    )  # fmt: skip
    out: dict[str, Any] = {
        "run": info,
        "throughput_qpm": qpm,
        "local_process_qpm": local_qpm,
        "local_process_pool_qpm": pool_qpm,
        "speedup_vs_local": speedup,
        "bar": BAR,
        "meets_bar": all(speedup[k] >= v for k, v in BAR.items()),
        "overhead_s_per_question": {
            "ray": overhead,
            "local": round(base / args.n - model_s, 4),
        },
    }
    RESULTS.mkdir(exist_ok=True)
    atomic_write_text(RESULTS / "scale_out.json", json.dumps(out, indent=2) + "\n")
    atomic_write_text(RESULTS / "scale_out.md", markdown(out, args.n, model_s))
    print(json.dumps({k: out[k] for k in ("throughput_qpm", "speedup_vs_local", "meets_bar")}))


def markdown(out: dict[str, Any], n: int, model_s: float) -> str:
    rows = [
        "| endpoints = Ray workers | questions/min (Ray) | x local | overhead s/question "
        "| questions/min (one process, pool) |",
        "|---|---|---|---|---|",
    ]
    for k in map(str, SIZES):
        rows.append(
            f"| {k} | {out['throughput_qpm'][k]} | {out['speedup_vs_local'][k]} "
            f"| {out['overhead_s_per_question']['ray'][k]} | {out['local_process_pool_qpm'][k]} |"
        )
    return (
        f"# Scale-out: {n} HotpotQA questions (`direct`), latency-simulating endpoints\n\n"
        f"Each endpoint answers one question at a time in {model_s:.2f} s. One local process "
        f"on one endpoint: {out['local_process_qpm']} questions/min "
        f"(overhead {out['overhead_s_per_question']['local']} s/question).\n\n"
        + "\n".join(rows)
        + f"\n\nBar: >= 1.8x at 2, >= 3.2x at 4: {'met' if out['meets_bar'] else 'NOT met'}.\n"
    )


if __name__ == "__main__":
    main()
