"""RCR routing against full-context and static routing on HotpotQA (distractor): the same
planner (ReWOO by default: planner and solver; CodeAgents' routed roles rarely run, as its
programs end in their own `llm()` call), model and BM25 search, one run.

    python benchmarks/routing.py [-n 50] [--systems full,static,rcr] [--planner rewoo]
        [--embedder minilm|hashing] [--budget solver=90 ...]
        [--memory rb_gold --stores runs/stores --recall-k 4 --out ...]

For each system: EM, F1, tokens per question (prompt + completion, and by role), the tokens
the router gave each role, rounds per question, and an answer-quality score (AQS, 1-5:
correctness, relevance, completeness, as RCR-Router's paper scores answers) given by the
same model as a judge, with the gold answer: model-judged, not a human rating; its calls
are on their own run ids and count in no system's tokens. `none` (the planner without a
router, today's default) may be added to --systems for reference.

`--memory`: a learned memory kept by `memory_learning.py --stores` (learned on questions
51-200) is recalled for every run into the shared memory, so its items are routed like the
rest (full context: every role reads all of them). Each system reads its own copy of the
store, so one system's use counts do not change what the next one recalls.

Writes benchmarks/results/routing.{json,md} (or --out); per-question JSONL goes to runs/.
The bar (issue 14): RCR at least 30% fewer tokens than full-context, F1 not below
full-context's - 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from memory_learning import LEARNED, MEMORIES, memory_for

from agentkit import Agent
from agentkit.evals import hotpotqa, retrieval
from agentkit.evals.paired import paired_by_question
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import Outcome, QuestionResult, run_system, summarise
from agentkit.evals.systems import CODE_LLM
from agentkit.llm import Model, connect
from agentkit.memory.learned import Memory
from agentkit.memory.store import SentenceTransformerEmbedder, VectorStore
from agentkit.paths import atomic_write_text
from agentkit.planners import CodeAgents, Planner, ReWOO, Routed
from agentkit.planners.routing import Router, RoutingRecord, make_router
from agentkit.tools import ToolContext, llm_tool

RESULTS = Path(__file__).parent / "results"
MODEL = "qwen2.5-coder-1.5b"
SYSTEMS = "full,static,rcr"
BUDGET = ("solver=90",)
TUNED = (
    "embedder and the solver's budget chosen with ReWOO on questions 51-90 (full 32.6 F1 / "
    "774 tok; rcr with word hashing at budget 200: 34.2 / 653; MiniLM at 200: 34.2 / 654, "
    "at 140 with a lead-sentence term: 34.8 / 600, at 90: 33.3 / 550, at 60: 28.0 / 520); "
    "the first 50 questions were run once, after that choice"
)
JUDGE = """Rate the predicted answer to the question against the gold answer, from 1 (wrong or \
irrelevant) to 5 (correct, relevant and complete). Reply with the number only.

Question: {question}
Gold answer: {gold}
Predicted answer: {prediction}
Score:"""


def routers(args: argparse.Namespace) -> dict[str, Router]:
    """Each system's router, all sharing one embedder and the budgets given."""
    embedder = SentenceTransformerEmbedder() if args.embedder == "minilm" else None
    budgets = {role: int(n) for role, _, n in (b.partition("=") for b in args.budget)}
    return {
        name: make_router(name, budgets=budgets, embedder=embedder)
        for name in args.systems.split(",")
        if name != "none"
    }


def planner_for(kind: str, router: Router | None) -> Planner:
    return CodeAgents(router=router) if kind == "codeagents" else ReWOO(router=router)


def _kept(args: argparse.Namespace) -> Path:
    """Where memory_learning.py --stores kept the learned store for this planner and memory."""
    return args.stores / f"{args.planner}+{args.memory}"


def learned(args: argparse.Namespace, scratch: Path) -> Memory | None:
    """A copy (in `scratch`) of the learned memory --memory names, recalling --recall-k items
    within --recall-tokens; None without --memory."""
    if args.memory is None:
        return None
    shutil.copytree(_kept(args), scratch, ignore=shutil.ignore_patterns("*.lock"))
    store = VectorStore.open(scratch, SentenceTransformerEmbedder())
    settings = {"top_k": args.recall_k, "max_tokens": args.recall_tokens}
    return memory_for(args.memory, store, settings)


async def run_one(
    llm: Model, name: str, planner: Planner, search: retrieval.Retrieval, questions, args
) -> tuple[list[QuestionResult], dict[str, list[RoutingRecord]]]:
    with tempfile.TemporaryDirectory() as scratch:
        agent = Agent(llm, planner=planner, memory=learned(args, Path(scratch) / "store"))
        return await _run_all(agent, name, search, questions, args)


async def _run_all(
    agent: Agent, name: str, search: retrieval.Retrieval, questions, args
) -> tuple[list[QuestionResult], dict[str, list[RoutingRecord]]]:
    llm = agent.llm
    records: dict[str, list[RoutingRecord]] = {}

    async def system(q: hotpotqa.HotpotQuestion, run_id: str) -> Outcome:
        got = records.setdefault(q.id, [])
        tools = [search.tool(q), llm_tool(description=CODE_LLM)]

        def listen(event: object) -> None:
            if isinstance(event, Routed):
                got.append(event.record)

        res = await agent.run(q.question, run_id=run_id, tools=tools, on_event=listen)
        return Outcome(answer=res.answer, tool_calls=res.tool_calls, plan=res.plan, error=res.error)

    jsonl = args.runs / f"{name}.jsonl"
    rows = await run_system(
        name, system, questions, llm.ledger, concurrency=args.concurrency, jsonl=jsonl
    )
    return rows, records


async def judge(llm: Model, name: str, rows: list[QuestionResult], concurrency: int) -> list[int]:
    """AQS 1-5 per question by the model (0 where it gave no number)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(row: QuestionResult) -> int:
        ctx = ToolContext(llm=llm, run_id=f"judge:{name}:{row.id}", role="judge")
        prompt = JUDGE.format(
            question=row.question, gold=row.gold, prediction=row.prediction or "(none)"
        )
        async with gate:
            reply = await ctx.generate(prompt, purpose="aqs", max_tokens=4)
        found = re.search(r"[1-5]", reply.text)
        return int(found.group()) if found else 0

    return list(await asyncio.gather(*(one(r) for r in rows)))


def details(rows: list[QuestionResult], records: dict[str, list[RoutingRecord]], aqs: list[int]):
    n = max(len(rows), 1)
    by_role: dict[str, dict[str, float]] = {}
    for role in sorted({r for row in rows for r in row.tokens_by_role}):
        used = [row.tokens_by_role[role] for row in rows if role in row.tokens_by_role]
        by_role[role] = {
            "tokens_per_question": round(sum(u.prompt + u.completion for u in used) / n, 1),
            "prompt_tokens_per_question": round(sum(u.prompt for u in used) / n, 1),
            "calls_per_question": round(sum(u.calls for u in used) / n, 3),
        }
    routed: dict[str, float] = {}
    for role in sorted({r.role for rs in records.values() for r in rs}):
        routed[role] = round(
            sum(r.tokens for rs in records.values() for r in rs if r.role == role) / n, 1
        )
    rounds = [
        max((r.round for r in records.get(row.id, [])), default=0) + 1
        if records.get(row.id)
        else 1 + (row.tokens_by_role["replanner"].calls if "replanner" in row.tokens_by_role else 0)
        for row in rows
    ]
    judged = [a for a in aqs if a]
    return {
        "by_role": by_role,
        "routed_tokens_per_question_by_role": routed,
        "rounds_per_question": round(statistics.fmean(rounds), 3) if rounds else 0.0,
        "aqs_model_judged": round(statistics.fmean(judged), 2) if judged else None,
        "aqs_judged_questions": len(judged),
    }


def targets(systems: dict[str, dict[str, Any]], f1s: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The bar, with the paired bootstrap interval of RCR's F1 minus full context's."""
    full, rcr = systems.get("full"), systems.get("rcr")
    if not full or not rcr:
        return {}
    gap = paired_by_question(f1s["rcr"], f1s["full"])
    saved = (
        1 - rcr["tokens_per_question"] / full["tokens_per_question"]
        if full["tokens_per_question"]
        else 0.0
    )
    f1 = f"{rcr['f1']} vs {full['f1']}; rcr - full per question: {gap.render()}"
    return {
        "rcr_tokens_at_least_30pct_below_full": {
            "met": saved >= 0.30,
            "detail": f"{100 * saved:.1f}% fewer",
        },
        "rcr_f1_at_least_full_minus_1": {"met": rcr["f1"] >= full["f1"] - 1, "detail": f1},
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Context routing: {result['planner']} on HotpotQA (first {result['n']}, distractor)",
        "",
        f"Model {result['model']}, BM25 search, one run. AQS is **model-judged** (1-5, by "
        "the same model, with the gold answer), not a human rating.",
        "",
        f"Routers: {json.dumps(result['run']['routers'])}. Tuned: {result['run']['tuned']}.",
        "",
        *_memory_line(result["run"].get("memory")),
        "| system | EM | F1 | tokens/q | rounds/q | AQS (model-judged) | tokens by role "
        "| routed tokens by role |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in result["systems"].items():
        roles = ", ".join(f"{k} {v['tokens_per_question']:.0f}" for k, v in s["by_role"].items())
        routed = ", ".join(
            f"{k} {v:.0f}" for k, v in s["routed_tokens_per_question_by_role"].items()
        )
        lines.append(
            f"| {name} | {s['em']} | {s['f1']} | {s['tokens_per_question']:.0f} | "
            f"{s['rounds_per_question']} | {s['aqs_model_judged']} | {roles} | {routed or '-'} |"
        )
    if result["targets"]:
        lines += ["", "Bar (issue 14):", ""]
        lines += [
            f"- {k}: {'met' if v['met'] else 'not met'} ({v['detail']})"
            for k, v in result["targets"].items()
        ]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace, llm: Model) -> dict[str, Any]:
    questions = hotpotqa.load(args.data, n=args.n)
    search = retrieval.build("bm25", "distractor", questions)
    systems: dict[str, dict[str, Any]] = {}
    f1s: dict[str, dict[str, float]] = {}
    built = routers(args)
    t0 = time.perf_counter()
    for name in args.systems.split(","):
        planner = planner_for(args.planner, built.get(name))
        rows, records = await run_one(llm, name, planner, search, questions, args)
        aqs = await judge(llm, name, rows, args.concurrency) if args.judge else []
        summary = summarise(name, rows).model_dump(exclude={"system"})
        systems[name] = {**summary, **details(rows, records, aqs)}
        f1s[name] = {row.id: row.f1 for row in rows}
    return {
        "n": len(questions),
        "model": args.model,
        "planner": args.planner,
        "setting": "distractor",
        "systems": systems,
        "targets": targets(systems, f1s),
        "total_wall_s": round(time.perf_counter() - t0, 1),
        "per_question_jsonl": str(args.runs),
        "run": run_info(
            model=args.model,
            data=str(args.data or hotpotqa.default_path()),
            data_label=hotpotqa.data_label(args.data),
            search=search.note,
            concurrency=args.concurrency,
            system_message="empty",
            routers={name: _router_info(router) for name, router in built.items()},
            tuned=args.tuned,
            memory=memory_info(args),
        ),
    }


def _memory_line(memory: dict[str, Any] | None) -> list[str]:
    if not memory:
        return []
    return [
        f"Shared memory also holds a learned memory, {memory['name']} (learned on "
        f"{memory['learned_on']}, {memory['learning_tokens']} learning tokens, not counted "
        f"below): up to {memory['recall_k']} items ({memory['recall_tokens']} tokens) recalled "
        "per question; full context gives every role all of them.",
        "",
    ]


def memory_info(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.memory is None:
        return None
    kept = json.loads((_kept(args) / LEARNED).read_text())
    return {
        "name": args.memory,
        "learned_on": f"questions 51-{50 + kept['n_learn']}",
        "learning_tokens": kept["learning_tokens"],
        "recall_k": args.recall_k,
        "recall_tokens": args.recall_tokens,
    }


def _router_info(router: Router) -> dict[str, Any]:
    info: dict[str, Any] = {
        "budgets": router.budgets,
        "max_rounds": router.max_rounds,
        "embedder": router.embedder.name,
    }
    weights = getattr(router, "weights", None)
    if weights is not None:
        info["weights"] = weights.model_dump()
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--systems", default=SYSTEMS, help="comma-separated: full, static, rcr, none")
    ap.add_argument("--planner", choices=("codeagents", "rewoo"), default="rewoo")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--no-judge", dest="judge", action="store_false")
    ap.add_argument(
        "--embedder",
        choices=("minilm", "hashing"),
        default="minilm",
        help="semantic relevance: the packaged all-MiniLM-L6-v2, or word hashing",
    )
    ap.add_argument(
        "--budget",
        action="append",
        default=None,
        help=f"ROLE=TOKENS for static and rcr, repeatable (default: {' '.join(BUDGET)})",
    )
    ap.add_argument("--memory", choices=MEMORIES, default=None, help="a learned memory to route")
    ap.add_argument("--stores", type=Path, default=Path("runs/stores"))
    ap.add_argument("--recall-k", type=int, default=4, help="items recalled into the memory")
    ap.add_argument("--recall-tokens", type=int, default=400, help="their most tokens")
    ap.add_argument("--out", type=Path, default=RESULTS / "routing.json")
    ap.add_argument(
        "--tuned", default=TUNED, help="what was tuned on which questions, for the results"
    )
    args = ap.parse_args()
    args.budget = args.budget or list(BUDGET)
    if args.memory and not (_kept(args) / LEARNED).exists():  # before a server is started
        raise SystemExit(
            f"no learned store in {_kept(args)}: run benchmarks/memory_learning.py --planners "
            f"{args.planner} --systems {args.memory} --stores {args.stores} first"
        )
    args.runs = Path("runs") / f"routing-{time.strftime('%Y%m%d-%H%M%S')}"
    args.runs.mkdir(parents=True, exist_ok=True)
    llm = connect(args.model, system="")
    try:
        result = llm.run_sync(main_async(args, llm))
    finally:
        llm.close()
    atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")
    atomic_write_text(args.out.with_suffix(".md"), markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
