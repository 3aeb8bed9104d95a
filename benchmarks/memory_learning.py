"""Learned memories on HotpotQA (distractor): does a memory move a planner on the F1-tokens
plane? Same model, same BM25 search, one run.

    python benchmarks/memory_learning.py [--n-learn 150] [--n-test 50] [--planners rewoo,...]
        [--systems none,handbook,rb_self,rb_gold,arcmemo,exemplars,all] [--matts 10]
        [--recall-k K] [--recall-tokens T] [--stand-in] [--stores DIR] [--dev] [--learn-only]

For each planner and memory: learn on questions 51-200 of the shipped set (each question run
with the memory as it stands, then learned from: the memory grows online), then answer
questions 1-50 with the memory frozen. Reported per system: EM, F1, tokens per question
split into injected memory tokens and the rest, seconds per question, memory size, retrieval
ms, learning tokens. The same run also answers the test questions with `direct` (one
retrieval with the question, one call): the reference a planner with memory has to pass.
`--matts N`: on the first N test questions, MaTTS parallel (k=3 rollouts with the
ReasoningBank learned above, self-contrast, vote) against plain best-of-3 (no memory), at
temperature 0.7 so the rollouts differ, each with its token cost.

Writes benchmarks/results/memory_learning.{json,md,png} (`--name` for another name);
per-question JSONL goes to runs/. `--stores DIR` keeps each learned store in DIR (a store
learned there before is reused, so another test, or benchmarks/routing.py --memory, can read
it without learning again). `--learn-only` stops once the stores are learned: learn each
memory in its own process, then answer them all in one run.
Systems: none | handbook | rb_self (ReasoningBank, judged by the model) | rb_gold (judged
by the gold answer) | arcmemo (lessons and concepts, from runs the gold answer verifies) |
exemplars (the plans of runs the gold answer verifies, as worked examples: notes beside
ReWOO's own; `--stand-in`: in their place; for the reader, the questions with their answers,
before its read) | all (handbook, ReasoningBank and ArcMemo, self-judged, one cap).
Planners: rewoo | codeagents | reader (the budgeted reader: two-hop BM25 sentences from the
question's own pages, one call; choice questions from each option's fact).

`--recall-k` / `--recall-tokens` set how much a single memory gives each test question
(learning always uses each kind's defaults, so one kept store serves every setting).
`--dev` tunes without touching the test questions: learn on questions 101-200 and test on
51-100 (both from the learning split), stores kept apart in STORES/dev.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from agentkit.agent import Agent, AgentResult
from agentkit.evals import hotpotqa, report, retrieval
from agentkit.evals import systems as eval_systems
from agentkit.evals.metrics import exact_match, f1
from agentkit.evals.paired import paired_by_question
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import progress_bar, run_system, summarise
from agentkit.evals.systems import CODE_LLM
from agentkit.llm import connect
from agentkit.memory.learned import (
    ArcMemo,
    Episode,
    Exemplars,
    GoldJudge,
    Handbook,
    Memories,
    Memory,
    MemorySettings,
    ReasoningBank,
)
from agentkit.memory.learned.scaling import best_of, parallel
from agentkit.memory.store import SentenceTransformerEmbedder, VectorStore
from agentkit.paths import atomic_write_text
from agentkit.planners import CodeAgents, Planner, Reader, ReWOO
from agentkit.tools import llm_tool

RESULTS = Path(__file__).parent / "results"
MODEL = "qwen2.5-coder-1.5b"
SYSTEMS = ("none", "handbook", "rb_self", "rb_gold", "arcmemo", "exemplars", "all")
MEMORIES = SYSTEMS[1:]
console = Console()


def gold_judge() -> GoldJudge:
    return GoldJudge(f1, threshold=0.5)


def memory_for(
    name: str, store: VectorStore, settings: dict[str, Any] | None = None
) -> Memory | None:
    """The memory `name` (one of SYSTEMS) over `store`; `settings` override its kind's."""
    if name == "none":
        return None
    if name == "all":
        return Memories(Handbook(store), ReasoningBank(store), ArcMemo(store))
    kind, judge = {
        "handbook": (Handbook, None),
        "rb_self": (ReasoningBank, None),
        "rb_gold": (ReasoningBank, gold_judge()),
        "arcmemo": (ArcMemo, gold_judge()),
        "exemplars": (Exemplars, gold_judge()),
    }[name]
    chosen = MemorySettings.model_validate({**kind.defaults, **(settings or {})})
    return kind(store, judge=judge, settings=chosen)


Planners = Callable[[hotpotqa.HotpotQuestion], Planner]


def planner_for(name: str, search: Any, stand_in: bool = False) -> tuple[Planners, Any]:
    """The planner for each question (the budgeted reader reads that question's own pages)
    and its llm tool. `stand_in`: recalled exemplars replace ReWOO's fixed examples, not
    notes beside them."""
    if name == "reader":
        return (lambda q: Reader(search.evidence(q))), None
    planner: Planner = CodeAgents() if name == "codeagents" else ReWOO(learned_examples=stand_in)
    helper = llm_tool(description=CODE_LLM) if name == "codeagents" else llm_tool()
    return (lambda q: planner), helper


class Sampled:
    """The model with a sampling temperature on every call (rollouts that differ)."""

    def __init__(self, llm: Any, temperature: float) -> None:
        self._llm, self._t = llm, temperature

    def __getattr__(self, name: str) -> Any:
        return getattr(self._llm, name)

    async def generate(self, prompt: Any, **kwargs: Any) -> Any:
        kwargs["temperature"] = self._t
        return await self._llm.generate(prompt, **kwargs)


async def _run(
    llm: Any,
    planners: Planners,
    memory: Memory | None,
    q: hotpotqa.HotpotQuestion,
    search: Any,
    helper: Any,
    rid: str,
) -> AgentResult:
    agent = Agent(llm, planner=planners(q), memory=memory)
    tools = [search.tool(q)] + ([helper] if helper is not None else [])
    return await agent.run(q.question, run_id=rid, tools=tools)


def _row(q: hotpotqa.HotpotQuestion, res: AgentResult, wall_s: float) -> dict[str, Any]:
    mem = res.memory
    return {
        "id": q.id,
        "question": q.question,
        "prediction": res.answer,
        "gold": q.answer,
        "em": exact_match(res.answer, q.answer),
        "f1": f1(res.answer, q.answer),
        "tokens": res.total.usage.total_tokens,
        "memory_tokens": mem.tokens if mem else 0,
        "retrieval_ms": mem.retrieval_ms if mem else 0.0,
        "cited": mem.cited if mem else [],
        "items": mem.names if mem else [],
        "wall_s": round(wall_s, 3),
        "plan": res.plan,
        "error": res.error,
    }


async def system(
    llm: Any,
    planner_name: str,
    memory_name: str,
    learn_qs: list[hotpotqa.HotpotQuestion],
    test_qs: list[hotpotqa.HotpotQuestion],
    search: Any,
    out: Path,
    concurrency: int,
    stores: Path | None = None,
    recall: dict[str, Any] | None = None,
    stand_in: bool = False,
    learn_only: bool = False,
) -> tuple[dict[str, Any] | None, Memory | None]:
    """Learn `memory_name` with its kind's defaults (so a kept store serves any test), then
    answer `test_qs` (unless `learn_only`), recalling with `recall`'s settings when given."""
    tag = f"{planner_name}+{memory_name}"
    embedder = SentenceTransformerEmbedder()
    kept = stores / tag if stores and memory_name != "none" else None  # none keeps nothing
    store = VectorStore.open(kept, embedder) if kept else VectorStore(embedder)
    learned_before = _learned(store)
    memory = memory_for(memory_name, store)
    planners, helper = planner_for(planner_name, search, stand_in)
    learn_tokens = learned_before.get("learning_tokens", 0)
    sem = asyncio.Semaphore(concurrency)
    if learned_before and learned_before.get("n_learn") != len(learn_qs):
        raise SystemExit(
            f"{store.path} was learned on {learned_before.get('n_learn')} questions, not "
            f"{len(learn_qs)}: pass that --n-learn, or another --stores folder"
        )
    progress = _read_json(kept / PROGRESS) if kept else {}
    if not learned_before and _items(store) and not progress:
        raise SystemExit(  # learning again would add to what an unrecorded run learned
            f"{store.path} holds items from a learning run that recorded no progress: remove "
            "that folder to learn again"
        )
    if progress and progress.get("n_learn") != len(learn_qs):
        raise SystemExit(
            f"{store.path} was being learned on {progress.get('n_learn')} questions, not "
            f"{len(learn_qs)}: pass that --n-learn to resume, or another --stores folder"
        )
    if learned_before:
        console.print(f"{tag}: reusing the store learned earlier in {store.path}")
    elif memory is not None:
        t0 = time.perf_counter()
        if progress:
            done = len(progress.get("learned", {}))
            console.print(f"{tag}: resuming with {done} of {len(learn_qs)} questions learned")

        async def learn_one(i: int, q: hotpotqa.HotpotQuestion, learner: Memory = memory) -> int:
            async with sem:
                res = await _run(llm, planners, learner, q, search, helper, f"{tag}-learn-{i}")
                episode = Episode.from_record(res.model_dump(mode="json"), gold=q.answer)
                episode.question_id = q.id
                return (await learner.learn(episode, llm)).tokens

        learn_tokens = await learn_batches(learn_one, learn_qs, concurrency, kept, progress, tag)
        console.print(f"{tag}: learned in {time.perf_counter() - t0:.0f}s, {learn_tokens} tokens")
        if kept:
            meta = {"learning_tokens": learn_tokens, "n_learn": len(learn_qs)}
            atomic_write_text(kept / LEARNED, json.dumps(meta))
            (kept / PROGRESS).unlink(missing_ok=True)
    if learn_only:
        return None, memory

    if recall and memory is not None and memory_name != "all":
        memory = memory_for(memory_name, store, recall)  # a read-time choice

    async def test_one(i: int, q: hotpotqa.HotpotQuestion) -> dict[str, Any]:
        async with sem:
            t0 = time.perf_counter()
            res = await _run(llm, planners, memory, q, search, helper, f"{tag}-test-{i}")
            bar.advance(task)
            return _row(q, res, time.perf_counter() - t0)

    with progress_bar(width=len(tag) + 5) as bar:
        task = bar.add_task(f"{tag} test", total=len(test_qs))
        rows = list(await asyncio.gather(*(test_one(i, q) for i, q in enumerate(test_qs))))
    with (out / f"{tag}.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    n = max(len(rows), 1)
    tokens = sum(r["tokens"] for r in rows) / n
    memory_tokens = sum(r["memory_tokens"] for r in rows) / n
    summary = {
        "planner": planner_name,
        "memory": memory_name,
        "em": round(100 * statistics.fmean(r["em"] for r in rows), 1),
        "f1": round(100 * statistics.fmean(r["f1"] for r in rows), 1),
        "tokens_per_question": round(tokens, 1),
        "memory_tokens_per_question": round(memory_tokens, 1),
        "other_tokens_per_question": round(tokens - memory_tokens, 1),
        "wall_s_per_question": round(statistics.fmean(r["wall_s"] for r in rows), 2),
        "items": _items(store),
        "retrieval_ms": round(statistics.fmean(r["retrieval_ms"] for r in rows), 2),
        "learning_tokens": learn_tokens,
        "learning_tokens_per_question": round(learn_tokens / max(len(learn_qs), 1), 1),
        "cited_per_question": round(sum(len(r["cited"]) for r in rows) / n, 3),
        "errors": sum(r["error"] is not None for r in rows),
        "f1_by_question": {r["id"]: r["f1"] for r in rows},
    }
    console.print(tag, {k: v for k, v in summary.items() if k != "f1_by_question"})
    return summary, memory


async def reference(
    llm: Any, test_qs: list[hotpotqa.HotpotQuestion], search: Any, out: Path, concurrency: int
) -> dict[str, Any]:
    """`direct` (one retrieval with the question, one call) on the test questions."""
    system = eval_systems.build("direct", llm, search)
    rows = await run_system(
        "direct", system, test_qs, llm.ledger, concurrency=concurrency, jsonl=out / "direct.jsonl"
    )
    s = summarise("direct", rows)
    summary = {
        "em": s.em,
        "f1": s.f1,
        "tokens_per_question": round(s.tokens_per_question, 1),
        "wall_s_per_question": round(s.wall_s_per_question, 2),
        "f1_by_question": {r.id: r.f1 for r in rows},
    }
    console.print("direct", {k: v for k, v in summary.items() if k != "f1_by_question"})
    return summary


LEARNED = "learned.json"
"""beside a kept store: what learning it cost (a store with it is reused, not relearned)"""


def _items(store: VectorStore) -> int:
    return sum(store.collection(c).count() for c in store.collections())


PROGRESS = "learning.json"
"""beside a kept store while it learns: each question learned so far and the tokens its learning
cost (a run stopped mid-way resumes with the questions not in it)"""


def _learned(store: VectorStore) -> dict[str, Any]:
    return _read_json(store.path / LEARNED) if store.path else {}


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


async def learn_batches(
    learn_one: Callable[[int, Any], Awaitable[int]],
    qs: list[Any],
    concurrency: int,
    kept: Path | None,
    progress: dict[str, Any],
    label: str,
) -> int:
    """Learn from `qs` batch by batch (the memory grows between batches). Beside a kept store
    each question is recorded as soon as its items are stored, so a stopped run resumes with
    exactly the questions it had not finished (a question cut between two distillers' writes is
    learned again), in the same batches. Returns the learning tokens, recorded ones included."""
    learned: dict[str, int] = dict(progress.get("learned", {}))

    def record() -> None:
        if kept:
            mark = {"n_learn": len(qs), "learned": learned}
            atomic_write_text(kept / PROGRESS, json.dumps(mark))

    async def learn_and_record(i: int, q: Any) -> None:
        learned[q.id] = await learn_one(i, q)
        record()
        bar.advance(task)

    record()  # from the first item on, a stopped run can resume
    with progress_bar(width=len(label) + 6) as bar:
        task = bar.add_task(f"{label} learn", total=len(qs), completed=len(learned))
        for start in range(0, len(qs), concurrency):
            batch = enumerate(qs[start : start + concurrency], start)
            await asyncio.gather(*(learn_and_record(i, q) for i, q in batch if q.id not in learned))
    return sum(learned.values())


async def matts(
    llm: Any, bank: ReasoningBank, qs: list[hotpotqa.HotpotQuestion], search: Any
) -> dict[str, Any]:
    """MaTTS parallel (k=3, with memory) against best-of-3 (none), on the same questions."""
    sampled = Sampled(llm, 0.7)
    planners, helper = planner_for("rewoo", search)
    out: dict[str, Any] = {}
    for name, memory in (("best_of_3", None), ("matts_parallel_3", bank)):
        scores, ems, rollout, learning = [], [], 0, 0
        for i, q in enumerate(qs):

            async def rollout_fn(
                rid: str, q: hotpotqa.HotpotQuestion = q, memory: Memory | None = memory
            ) -> Episode:
                res = await _run(sampled, planners, memory, q, search, helper, rid)
                return Episode.from_record(res.model_dump(mode="json"), gold=q.answer)

            task = f"{name}-{i}"
            if memory is None:
                scaled = await best_of(task, rollout_fn, 3, bank.judge, llm)
            else:
                scaled = await parallel(task, rollout_fn, 3, bank, llm)
            scores.append(f1(scaled.answer, q.answer))
            ems.append(exact_match(scaled.answer, q.answer))
            rollout += scaled.rollout_tokens
            learning += scaled.memory_tokens
        n = max(len(qs), 1)
        out[name] = {
            "n": len(qs),
            "f1": round(100 * statistics.fmean(scores), 1),
            "em": round(100 * statistics.fmean(ems), 1),
            "rollout_tokens_per_question": round(rollout / n, 1),
            "judge_and_extraction_tokens_per_question": round(learning / n, 1),
        }
        console.print(name, out[name])
    return out


def markdown(result: dict[str, Any]) -> str:
    head = (
        "| system | EM | F1 | tokens/q | memory tokens/q | other tokens/q | s/q | items | "
        "retrieval ms | learning tokens/q | cited/q |\n" + "|---" * 11 + "|\n"
    )
    rows = "".join(
        f"| {k} | {s['em']} | {s['f1']} | {s['tokens_per_question']} | "
        f"{s['memory_tokens_per_question']} | {s['other_tokens_per_question']} | "
        f"{s.get('wall_s_per_question', '')} | {s['items']} | {s['retrieval_ms']} | "
        f"{s['learning_tokens_per_question']} | {s['cited_per_question']} |\n"
        for k, s in result["systems"].items()
    )
    ref = result.get("reference")
    if ref:
        rows += (
            f"| direct (reference: one retrieval, one call) | {ref['em']} | {ref['f1']} | "
            f"{ref['tokens_per_question']} | 0 | {ref['tokens_per_question']} | "
            f"{ref['wall_s_per_question']} | 0 | 0 | 0 | 0 |\n"
        )
    text = f"# Learned memories on HotpotQA\n\n{result['title']}\n\n{head}{rows}"
    if result.get("matts"):
        text += "\n## MaTTS parallel k=3 vs best-of-3\n\n| | EM | F1 | rollout tokens/q | "
        text += "judge+extraction tokens/q |\n|---|---|---|---|---|\n"
        for k, s in result["matts"].items():
            text += (
                f"| {k} | {s['em']} | {s['f1']} | {s['rollout_tokens_per_question']} | "
                f"{s['judge_and_extraction_tokens_per_question']} |\n"
            )
    bar = result.get("targets", {})
    if bar:
        text += (
            "\n## The bar (F1 >= +4 at <= +10% tokens, or >= 30% fewer tokens at F1 not lower)\n\n"
        )
        text += "".join(
            f"- {k}: {'met' if v['met'] else 'not met'} ({v['detail']})\n" for k, v in bar.items()
        )
    return text


def targets(systems: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, s in systems.items():
        base = systems.get(f"{s['planner']}+none")
        if base is None or s["memory"] == "none":
            continue
        dt = s["tokens_per_question"] / max(base["tokens_per_question"], 1) - 1
        df = s["f1"] - base["f1"]
        met = (df >= 4 and dt <= 0.10) or (dt <= -0.30 and df >= 0)
        gap = paired_by_question(s["f1_by_question"], base["f1_by_question"])
        detail = f"F1 {df:+.1f}, tokens {100 * dt:+.0f}%; F1 per question: {gap.render()}"
        out[name] = {"met": met, "detail": detail}
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    first_test, first_learn = (50, 100) if args.dev else (0, 50)  # --dev: within 51-200
    if args.n_test > 50 or args.n_learn > 200 - first_learn:
        raise SystemExit(f"at most 50 test and {200 - first_learn} learning questions here")
    learn_qs = hotpotqa.load(None, n=args.n_learn, offset=first_learn)
    test_qs = hotpotqa.load(None, n=args.n_test, offset=first_test)
    stores = args.stores / "dev" if args.dev and args.stores else args.stores
    recall = {
        k: v
        for k, v in (("top_k", args.recall_k), ("max_tokens", args.recall_tokens))
        if v is not None
    }
    runs = Path("runs") / f"memory-learning-{time.strftime('%Y%m%d-%H%M%S')}"
    runs.mkdir(parents=True, exist_ok=True)
    llm = connect(args.model, system="")
    try:
        search = retrieval.build("bm25", "distractor", learn_qs + test_qs)
        systems: dict[str, dict[str, Any]] = {}
        banks: dict[str, ReasoningBank] = {}
        for planner_name in args.planners.split(","):
            for memory_name in args.systems.split(","):
                summary, memory = await system(
                    llm, planner_name, memory_name, learn_qs, test_qs, search, runs,
                    args.concurrency, stores, recall, args.stand_in, args.learn_only,
                )  # fmt: skip
                if summary is None:
                    continue
                systems[f"{planner_name}+{memory_name}"] = summary
                if isinstance(memory, ReasoningBank) and memory_name == "rb_self":
                    banks[planner_name] = memory
        if args.learn_only:
            return {}
        result: dict[str, Any] = {
            "n_test": len(test_qs),
            "n_learn": len(learn_qs),
            "model": args.model,
            "setting": "distractor",
            "systems": systems,
            "targets": targets(systems),
            "per_question_jsonl": str(runs),
            "recall": recall or "each kind's defaults",
            "exemplars": "in place of ReWOO's own examples"
            if args.stand_in
            else "notes beside ReWOO's own examples",
        }
        if args.reference:
            result["reference"] = await reference(llm, test_qs, search, runs, args.concurrency)
        if args.matts and "rewoo" in banks:
            result["matts"] = await matts(llm, banks["rewoo"], test_qs[: args.matts], search)
        result["title"] = (
            f"learn on questions {first_learn + 1}-{first_learn + len(learn_qs)}, test on "
            f"{first_test + 1}-{first_test + len(test_qs)} of the shipped HotpotQA dev set"
            f"{' (--dev: both from the learning split)' if args.dev else ''}, distractor, BM25, "
            f"{args.model}"
            + (
                f"; tested recalling with {recall} (learned with each kind's defaults)"
                if recall
                else ""
            )
            + ("; exemplars in place of ReWOO's own examples" if args.stand_in else "")
        )
        result["run"] = run_info(model=args.model, concurrency=args.concurrency, search=search.note)
        return result
    finally:
        llm.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-learn", type=int, default=150)
    ap.add_argument("--n-test", type=int, default=50)
    ap.add_argument("--planners", default="rewoo,codeagents")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--matts", type=int, default=10, help="test questions for MaTTS (0: skip)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--model", default=MODEL)
    ap.add_argument(
        "--no-reference",
        dest="reference",
        action="store_false",
        help="skip the direct reader's row (one retrieval, one call) on the test questions",
    )
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--name", default="memory_learning", help="result files' name in --out")
    ap.add_argument(
        "--recall-k",
        type=int,
        default=None,
        help="items recalled per test question (default: the kind's)",
    )
    ap.add_argument(
        "--recall-tokens",
        type=int,
        default=None,
        help="cap of the notes block at test (default: the kind's); learning keeps the defaults",
    )
    ap.add_argument(
        "--stand-in",
        action="store_true",
        help="recalled exemplars replace ReWOO's fixed worked examples (ReWOO(learned_examples="
        "True)); by default they are notes beside them",
    )
    ap.add_argument(
        "--dev",
        action="store_true",
        help="learn on questions 101-200, test on 51-100: for tuning, never the test questions",
    )
    ap.add_argument(
        "--stores",
        type=Path,
        default=None,
        help="keep each learned store in STORES/PLANNER+MEMORY; one learned there before is "
        "reused instead of learning again (benchmarks/routing.py --memory reads them)",
    )
    ap.add_argument(
        "--learn-only",
        action="store_true",
        help="learn (or reuse) each store in --stores and stop: stores learned in processes "
        "side by side are then answered together in one run",
    )
    args = ap.parse_args()
    if args.learn_only and args.stores is None:
        raise SystemExit("--learn-only keeps nothing without --stores DIR: pass one")
    unknown = set(args.systems.split(",")) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems {sorted(unknown)}; choose from {', '.join(SYSTEMS)}")
    t0 = time.perf_counter()
    result = asyncio.run(main_async(args))
    if args.learn_only:
        console.print(f"stores learned in {args.stores}; nothing answered, no results written")
        return
    result["total_wall_s"] = round(time.perf_counter() - t0, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / f"{args.name}.json", json.dumps(result, indent=1))
    atomic_write_text(args.out / f"{args.name}.md", markdown(result))
    points = [(k, s["tokens_per_question"], s["f1"]) for k, s in result["systems"].items()]
    if result.get("reference"):
        ref = result["reference"]
        points.append(("direct (reference)", ref["tokens_per_question"], ref["f1"]))
    report.plot_points(
        points, args.out / f"{args.name}.png", result["title"], "tokens per question", "F1"
    )
    console.print(markdown(result))


if __name__ == "__main__":
    main()
