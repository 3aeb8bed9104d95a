"""Fit Auto's policy on labelled questions: read each once, run the escalation on each, and
learn when the read is right enough to keep.

`collect` runs both stages on every question (so the fit sees what escalating would have
bought, not only what the read did) and writes one JSON line per question; `fit` learns the
logistic policy from those lines and picks the threshold that gives the best F1 within a
token budget per question, on the same questions. What `agentkit eval auto-fit` and
benchmarks/adaptive.py run. Fit on questions you will not test on.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console

from agentkit.errors import ConfigError
from agentkit.evals import hotpotqa, retrieval
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.metrics import f1
from agentkit.evals.retrieval import SEARCHES, SETTINGS, Retrieval
from agentkit.evals.runner import progress_bar, run_usage
from agentkit.evals.systems import CODE_LLM, planner_system
from agentkit.llm import Model, connect
from agentkit.models import DEFAULT_MODEL
from agentkit.planners import CodeAgents
from agentkit.planners.auto import FEATURES, Policy, features, fit_policy
from agentkit.planners.context import RunContext
from agentkit.planners.reader import Reader
from agentkit.tools import ToolRegistry, llm_tool


class FitRow(BaseModel):
    """One labelled question: the read's features and both stages' F1 and tokens."""

    id: str
    features: dict[str, float]
    reader_answer: str
    reader_f1: float
    reader_tokens: int
    escalated_answer: str
    escalated_f1: float
    escalated_tokens: int


async def collect(
    llm: Model,
    questions: Sequence[HotpotQuestion],
    retrieval: Retrieval,
    out: Path,
    *,
    concurrency: int = 8,
    escalations: Mapping[str, FitRow] | None = None,
    read_tokens: int | None = None,
) -> list[FitRow]:
    """Read and escalate (CodeAgents) every question; rows appended to `out` as they end.
    A question in `escalations` (earlier rows, by id) keeps that row's escalation: it does
    not depend on the read, so a changed reader is refitted without re-running the planner.
    `read_tokens`: the reads' evidence budget (default: the reader's)."""
    gate = asyncio.Semaphore(concurrency)
    escalate = planner_system(llm, CodeAgents(), retrieval.tool, llm_tool(description=CODE_LLM))
    out.unlink(missing_ok=True)

    async def one(q: HotpotQuestion) -> FitRow:
        async with gate:
            run = f"fit-read:{q.id}"
            tools = ToolRegistry.of([retrieval.tool(q)])
            ctx = RunContext(llm=llm, run_id=run, role="reader", tools=tools)
            reader = Reader(retrieval.evidence(q))
            reading = await reader.read(q.question, ctx, max_tokens=read_tokens)
            earlier = (escalations or {}).get(q.id)
            if earlier is None:
                done = await escalate(q, f"fit-escalate:{q.id}")
                esc_usage = run_usage(llm.ledger, f"fit-escalate:{q.id}")
                escalated = (done.answer, esc_usage.prompt_tokens + esc_usage.completion_tokens)
            else:
                escalated = (earlier.escalated_answer, earlier.escalated_tokens)
        read_usage = run_usage(llm.ledger, run)
        row = FitRow(
            id=q.id,
            features=features(q.question, reading),
            reader_answer=reading.answer,
            reader_f1=f1(reading.answer, q.answer),
            reader_tokens=read_usage.prompt_tokens + read_usage.completion_tokens,
            escalated_answer=escalated[0],
            escalated_f1=f1(escalated[0], q.answer),
            escalated_tokens=escalated[1],
        )
        with out.open("a", encoding="utf-8") as fh:
            fh.write(row.model_dump_json() + "\n")
        bar.advance(task)
        return row

    with progress_bar() as bar:
        task = bar.add_task("fit", total=len(questions))
        return list(await asyncio.gather(*(one(q) for q in questions)))


class Cascade(BaseModel):
    """What a policy does on fitting rows: F1, tokens per question, share escalated."""

    threshold: float
    f1: float
    tokens_per_question: float
    escalated_share: float


def cascade(rows: Sequence[FitRow], policy: Policy, threshold: float) -> Cascade:
    escalated = [policy.p_right(r.features) < threshold for r in rows]
    scores = [r.escalated_f1 if e else r.reader_f1 for r, e in zip(rows, escalated, strict=True)]
    tokens = [
        r.reader_tokens + (r.escalated_tokens if e else 0)
        for r, e in zip(rows, escalated, strict=True)
    ]
    return Cascade(
        threshold=threshold,
        f1=round(100 * statistics.fmean(scores), 1),
        tokens_per_question=round(statistics.fmean(tokens), 1),
        escalated_share=round(sum(escalated) / len(rows), 3),
    )


def fit(
    rows: Sequence[FitRow],
    *,
    max_tokens: float,
    fitted_on: str,
    right_f1: float = 0.5,
    read_tokens: int | None = None,
) -> tuple[Policy, Cascade]:
    """The logistic policy on "the read's F1 >= `right_f1`", then the threshold (0 to 1 by
    0.01) with the best F1 whose tokens per question stay within `max_tokens`; `read_tokens`
    is the budget the rows were read with (Auto reads with it)."""
    policy = fit_policy(
        [r.features for r in rows],
        [r.reader_f1 >= right_f1 for r in rows],
        threshold=0.0,
        fitted_on=fitted_on,
        names=FEATURES,
    )
    options = [cascade(rows, policy, t / 100) for t in range(101)]
    within = [c for c in options if c.tokens_per_question <= max_tokens] or options[:1]
    best = max(within, key=lambda c: (c.f1, -c.tokens_per_question))
    return policy.model_copy(update={"threshold": best.threshold, "read_tokens": read_tokens}), best


class FitOptions(BaseModel):
    out: Path
    data: Path | None = None
    offset: int = 50
    n: int = 150
    setting: str = "distractor"
    search: str = "bm25"
    max_tokens: float = 600
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    concurrency: int = 8
    escalations: Path | None = None
    read_tokens: int | None = None


def load_rows(path: Path) -> list[FitRow]:
    """Rows an earlier `collect` wrote (one JSON object a line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [FitRow.model_validate_json(line) for line in lines if line.strip()]
    except FileNotFoundError:
        raise ConfigError(f"no fit rows at {path}: give the .rows.jsonl a fit wrote") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not a file of fit rows ({exc.__class__.__name__})") from None


def run_fit(opts: FitOptions, console: Console) -> tuple[Policy, Cascade]:
    """Collect on the questions, fit, save the policy; the rows go beside it as JSONL."""
    if opts.setting not in SETTINGS or opts.search not in SEARCHES:
        raise ConfigError(
            f"--setting {opts.setting!r} / --search {opts.search!r}: valid settings "
            f"{', '.join(SETTINGS)}, searches {', '.join(SEARCHES)}"
        )
    path = opts.data or hotpotqa.default_path()
    questions = hotpotqa.load(path, n=opts.n, offset=opts.offset)
    corpus = hotpotqa.load(path) if opts.setting == "open" else questions
    fitted_on = (
        f"{hotpotqa.data_label(path)} questions {opts.offset + 1}-{opts.offset + len(questions)}"
        f", {opts.setting} setting, {opts.search} search, {opts.model}, escalation codeagents; "
        f"threshold: best F1 within {opts.max_tokens:g} tokens per question"
    )
    console.print(f"[bold]fitting auto's policy[/] on {fitted_on}")
    llm = connect(opts.model, base_url=opts.base_url, system="")
    try:
        found = retrieval.build(opts.search, opts.setting, questions, corpus)
        rows_path = opts.out.with_suffix(".rows.jsonl")
        earlier = {r.id: r for r in load_rows(opts.escalations)} if opts.escalations else None
        rows = llm.run_sync(
            collect(
                llm, questions, found, rows_path,
                concurrency=opts.concurrency, escalations=earlier, read_tokens=opts.read_tokens,
            )
        )  # fmt: skip
    finally:
        llm.close()
    policy, chosen = fit(
        rows, max_tokens=opts.max_tokens, fitted_on=fitted_on, read_tokens=opts.read_tokens
    )
    policy.save(opts.out)
    console.print(
        f"policy in {opts.out} (rows in {rows_path}): threshold {chosen.threshold:.2f}, "
        f"on these questions F1 {chosen.f1} at {chosen.tokens_per_question:g} tokens per "
        f"question, {100 * chosen.escalated_share:.0f}% escalated"
    )
    return policy, chosen
