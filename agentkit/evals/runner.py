"""Run systems over questions, several in flight, with exact per-question token accounting.

A system is any async callable (item, run_id) -> Outcome, the item a HotpotQA question or a
GAIA task. Usage is read back from the
LLM's ledger by run id, so every system is counted the same way, from the engine's figures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agentkit.errors import AgentkitError
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.metrics import exact_match, f1
from agentkit.ledger import Ledger


class Outcome(BaseModel):
    answer: str
    tool_calls: int = 0
    tools_failed: dict[str, int] = {}  # tool -> calls whose observation was an error
    plan: str | None = None
    error: str | None = None


System = Callable[[HotpotQuestion, str], Awaitable[Outcome]]
Item = TypeVar("Item")
Result = TypeVar("Result", bound=BaseModel)


class RoleTokens(BaseModel):
    prompt: int
    completion: int
    calls: int


class QuestionResult(BaseModel):
    id: str
    system: str
    question: str
    type: str
    prediction: str
    gold: str
    em: float
    f1: float
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    tokens_by_role: dict[str, RoleTokens]
    llm_calls: int
    tool_calls: int
    wall_s: float
    plan: str | None = None
    error: str | None = None


class Summary(BaseModel):
    system: str
    n: int
    em: float
    f1: float
    tokens_per_question: float
    prompt_tokens_per_question: float
    completion_tokens_per_question: float
    llm_calls_per_question: float
    tool_calls_per_question: float
    wall_s_per_question: float
    errors: int


class RunUsage(BaseModel):
    """One run's figures from the ledger (the engine's counts)."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    tokens_by_role: dict[str, RoleTokens]
    llm_calls: int


def run_usage(ledger: Ledger, run_id: str) -> RunUsage:
    total = ledger.total(run=run_id)
    roles = {
        role: RoleTokens(
            prompt=t.usage.prompt_tokens, completion=t.usage.completion_tokens, calls=t.calls
        )
        for role, t in ledger.by("role", run=run_id).items()
    }
    return RunUsage(
        prompt_tokens=total.usage.prompt_tokens,
        completion_tokens=total.usage.completion_tokens,
        cached_tokens=total.usage.cached_tokens,
        tokens_by_role=roles,
        llm_calls=total.calls,
    )


async def run_each(
    name: str,
    system: Callable[[Item, str], Awaitable[Outcome]],
    items: list[Item],
    ledger: Ledger,
    result: Callable[[Item, Outcome, RunUsage, float], Result],
    *,
    key: Callable[[Item], str],
    concurrency: int = 8,
    jsonl: Path | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """`system` over `items` (HotpotQA questions, GAIA tasks), `concurrency` in flight; each
    outcome scored by `result` and appended to `jsonl` as it finishes."""
    prefix = _unused_prefix(name, [key(item) for item in items], ledger)
    gate = asyncio.Semaphore(concurrency)
    task = progress.add_task(name, total=len(items)) if progress else None

    async def one(item: Item) -> Result:
        run_id = f"{prefix}:{key(item)}"
        async with gate:
            t0 = time.perf_counter()
            try:
                out = await system(item, run_id)
            except AgentkitError as exc:  # a system should not raise, but one bad run is data
                out = Outcome(answer="", error=f"{type(exc).__name__}: {exc}")
            wall = time.perf_counter() - t0
        scored = result(item, out, run_usage(ledger, run_id), round(wall, 3))
        if jsonl is not None:
            with jsonl.open("a", encoding="utf-8") as fh:
                fh.write(scored.model_dump_json() + "\n")
        if progress is not None and task is not None:
            progress.advance(task)
        return scored

    return list(await asyncio.gather(*(one(item) for item in items)))


def _unused_prefix(name: str, keys: list[str], ledger: Ledger) -> str:
    """`name`, or `name#2`, `name#3`... when this ledger already holds runs of these items
    (the same model evaluated twice): a run's usage is read back by its id, so ids must
    not repeat."""
    prefix, n = name, 1
    while any(ledger.records(f"{prefix}:{k}") for k in keys):
        n += 1
        prefix = f"{name}#{n}"
    return prefix


def question_result(
    name: str,
) -> Callable[[HotpotQuestion, Outcome, RunUsage, float], QuestionResult]:
    """How `name`'s outcome on a HotpotQA question is scored and recorded."""

    def result(q: HotpotQuestion, out: Outcome, usage: RunUsage, wall: float) -> QuestionResult:
        return QuestionResult(
            id=q.id,
            system=name,
            question=q.question,
            type=q.type,
            prediction=out.answer,
            gold=q.answer,
            em=exact_match(out.answer, q.answer),
            f1=f1(out.answer, q.answer),
            **usage.model_dump(),
            tool_calls=out.tool_calls,
            wall_s=wall,
            plan=out.plan,
            error=out.error,
        )

    return result


async def run_system(
    name: str,
    system: System,
    questions: list[HotpotQuestion],
    ledger: Ledger,
    *,
    concurrency: int = 8,
    jsonl: Path | None = None,
    progress: Progress | None = None,
) -> list[QuestionResult]:
    return await run_each(
        name, system, questions, ledger, question_result(name), key=lambda q: q.id,
        concurrency=concurrency, jsonl=jsonl, progress=progress,
    )  # fmt: skip


def mean(xs: list[float]) -> float:
    return round(statistics.fmean(xs), 3) if xs else 0.0


def summarise(name: str, results: list[QuestionResult]) -> Summary:
    return Summary(
        system=name,
        n=len(results),
        em=round(100 * mean([r.em for r in results]), 1),
        f1=round(100 * mean([r.f1 for r in results]), 1),
        tokens_per_question=mean([r.prompt_tokens + r.completion_tokens for r in results]),
        prompt_tokens_per_question=mean([r.prompt_tokens for r in results]),
        completion_tokens_per_question=mean([r.completion_tokens for r in results]),
        llm_calls_per_question=mean([r.llm_calls for r in results]),
        tool_calls_per_question=mean([r.tool_calls for r in results]),
        wall_s_per_question=mean([r.wall_s for r in results]),
        errors=sum(r.error is not None for r in results),
    )


def progress_bar(width: int = 8) -> Progress:
    return Progress(
        TextColumn(f"[bold]{{task.description:>{width}}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
