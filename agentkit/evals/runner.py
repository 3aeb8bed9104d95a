"""Run systems over questions, several in flight, with exact per-question token accounting.

A system is any async callable (question, run_id) -> Outcome. Usage is read back from the
LLM's ledger by run id, so every system is counted the same way, from the engine's figures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import BaseModel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agentkit.errors import AgentkitError
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.metrics import exact_match, f1
from agentkit.ledger import Ledger


class Outcome(BaseModel):
    answer: str
    tool_calls: int = 0
    plan: str | None = None
    error: str | None = None


System = Callable[[HotpotQuestion, str], Awaitable[Outcome]]


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
    gate = asyncio.Semaphore(concurrency)
    task = progress.add_task(name, total=len(questions)) if progress else None

    async def one(q: HotpotQuestion) -> QuestionResult:
        run_id = f"{name}:{q.id}"
        async with gate:
            t0 = time.perf_counter()
            try:
                out = await system(q, run_id)
            except AgentkitError as exc:  # a system should not raise, but one bad run is data
                out = Outcome(answer="", error=f"{type(exc).__name__}: {exc}")
            wall = time.perf_counter() - t0
        result = _score(name, q, out, ledger, run_id, wall)
        if jsonl is not None:
            with jsonl.open("a", encoding="utf-8") as fh:
                fh.write(result.model_dump_json() + "\n")
        if progress is not None and task is not None:
            progress.advance(task)
        return result

    return list(await asyncio.gather(*(one(q) for q in questions)))


def _score(
    name: str, q: HotpotQuestion, out: Outcome, ledger: Ledger, run_id: str, wall: float
) -> QuestionResult:
    total = ledger.total(run=run_id)
    roles = {
        role: RoleTokens(
            prompt=t.usage.prompt_tokens, completion=t.usage.completion_tokens, calls=t.calls
        )
        for role, t in ledger.by("role", run=run_id).items()
    }
    return QuestionResult(
        id=q.id,
        system=name,
        question=q.question,
        type=q.type,
        prediction=out.answer,
        gold=q.answer,
        em=exact_match(out.answer, q.answer),
        f1=f1(out.answer, q.answer),
        prompt_tokens=total.usage.prompt_tokens,
        completion_tokens=total.usage.completion_tokens,
        cached_tokens=total.usage.cached_tokens,
        tokens_by_role=roles,
        llm_calls=total.calls,
        tool_calls=out.tool_calls,
        wall_s=round(wall, 3),
        plan=out.plan,
        error=out.error,
    )


def summarise(name: str, results: list[QuestionResult]) -> Summary:
    def mean(xs: list[float]) -> float:
        return round(statistics.fmean(xs), 3) if xs else 0.0

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
