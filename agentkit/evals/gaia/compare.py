"""A GAIA comparison from options to files: what `agentkit eval gaia` and benchmarks/gaia.py
run, on the shipped GAIA-style tasks or a user's own GAIA copy (`--data`).

Every system gets the same task text and, for the planners, the same tools over a scratch
copy of the task's files (sandboxed python, read_file, calculator, llm; web only when asked:
the machine may be offline). `direct` is the one-call baseline: the attachment's text (capped)
and the task in one prompt, no tools. Answers are scored by GAIA's rules (scorer.py).
"""

from __future__ import annotations

import functools
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from agentkit.agent import Agent
from agentkit.errors import ConfigError
from agentkit.evals import report, resume
from agentkit.evals.gaia.loader import SHIPPED, GaiaTask, load
from agentkit.evals.gaia.scorer import score
from agentkit.evals.gaia.submission import SubmissionLine, final_answer, write_submission
from agentkit.evals.gaia.tools import gaia_tools, prepare_scratch
from agentkit.evals.on_ray import Job, RaySettings, run_job
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import Outcome, RunUsage, mean, progress_bar
from agentkit.llm import Model, connect
from agentkit.models import DEFAULT_MODEL
from agentkit.packing import cap_tokens
from agentkit.planners import CodeAgents, Planner, ReAct, ReWOO, short_answer
from agentkit.prompts import load_prompt
from agentkit.tools import ToolContext, llm_tool
from agentkit.tools.readers import UnreadableError, read_document
from agentkit.trace import TraceWriter

SYSTEMS = ("direct", "react", "rewoo", "codeagents")
PLANNERS: dict[str, Callable[[GaiaTask], Planner]] = {
    "react": lambda task: ReAct(),
    "rewoo": lambda task: ReWOO(),
    "codeagents": lambda task: _codeagents(task),
}
LLM_TOOL = "answer a question from the context text"
GaiaSystem = Callable[[GaiaTask, str], Awaitable[Outcome]]


class GaiaOptions(BaseModel):
    data: Path | None = None
    systems: list[str] = ["direct", "react", "rewoo", "codeagents"]
    levels: list[int] | None = None
    n: int | None = None
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    web: bool = False
    file_tokens: int = 1500
    concurrency: int = 4
    out: Path | None = None
    ray: RaySettings | None = None  # tasks as Ray tasks (agentkit.evals.on_ray); None: here
    resume: bool = False  # keep each system's JSONL in `out` and run only what it lacks


class TaskResult(BaseModel):
    task_id: str
    system: str
    level: int
    prediction: str
    gold: str | None
    correct: bool | None  # None: the copy hides the answer (GAIA's test split)
    prompt_tokens: int
    completion_tokens: int
    llm_calls: int
    tool_calls: int
    tools_failed: dict[str, int]
    wall_s: float
    plan: str | None = None
    error: str | None = None


class GaiaSummary(BaseModel):
    system: str
    n: int
    accuracy: float | None
    accuracy_by_level: dict[str, float]
    tokens_per_task: float
    llm_calls_per_task: float
    tool_calls_per_task: float
    wall_s_per_task: float
    errors: int
    tools_failed: dict[str, int]


def task_text(task: GaiaTask, count: Callable[[str], int], preview_tokens: int = 150) -> str:
    """The task as every planner reads it: the question, its file's name and how it begins
    (a planner that writes code must know the columns or keys it will read)."""
    if task.file_path is None:
        return task.question
    try:
        start = cap_tokens(read_document(task.file_path), preview_tokens, count)[0]
    except UnreadableError as exc:
        start = f"(unreadable: {exc})"
    return (
        f"{task.question}\n\nAttached file: {task.file_name} (read_file({task.file_name!r}) "
        f"shows it as text; python code finds it in its working directory). It begins:\n{start}"
    )


def _codeagents(task: GaiaTask) -> CodeAgents:
    """CodeAgents with the file-task examples; the program starts by reading the file."""
    plan = load_prompt("agentkit.evals", "gaia_codeagents_plan")
    opening = f"text: str = read_file({task.file_name!r})" if task.file_name else ""
    return CodeAgents(opening=opening, prompt_templates={"codeagents_plan": plan})


def direct_system(llm: Model, *, file_tokens: int, answer_tokens: int = 48) -> GaiaSystem:
    """One call: the attachment's text (capped to `file_tokens`) and the task."""
    template = load_prompt("agentkit.evals", "gaia_direct")

    async def run(task: GaiaTask, run_id: str) -> Outcome:
        ctx = ToolContext(llm=llm, run_id=run_id, role="reader")
        attachment = ""
        if task.file_path is not None:
            try:
                text = read_document(task.file_path)
            except UnreadableError as exc:
                text = f"(unreadable: {exc})"
            text, _ = cap_tokens(text, file_tokens, ctx.count)
            attachment = f"The attached file {task.file_name}:\n{text}\n\n"
        prompt = template.format(attachment=attachment, question=task.question)
        reply = await ctx.generate(prompt, purpose="answer", max_tokens=answer_tokens)
        return Outcome(answer=final_answer(reply.text).strip())

    return run


def planner_system(
    llm: Model, planner: Callable[[GaiaTask], Planner], scratch: Path, *, web: bool
) -> GaiaSystem:
    """The planner with the task's tools over a scratch copy of its files."""

    async def run(task: GaiaTask, run_id: str) -> Outcome:
        folder = prepare_scratch(task, scratch / run_id.replace(":", "_"))
        tools = [*gaia_tools(task, folder, web=web), llm_tool(description=LLM_TOOL)]
        agent = Agent(llm, planner=planner(task))
        text = task_text(task, llm.tokenizer.count_text)
        res = await agent.run(text, run_id=run_id, tools=tools)
        failed: dict[str, int] = {}
        for step in res.steps:
            if not step.observation.ok:
                failed[step.tool] = failed.get(step.tool, 0) + 1
        return Outcome(
            answer=short_answer(final_answer(res.answer or "")),
            tool_calls=res.tool_calls,
            plan=res.plan,
            error=res.error,
            tools_failed=failed,
        )

    return run


def build(name: str, llm: Model, scratch: Path, opts: GaiaOptions) -> GaiaSystem:
    if name == "direct":
        return direct_system(llm, file_tokens=opts.file_tokens)
    if name not in PLANNERS:
        raise ConfigError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    return planner_system(llm, PLANNERS[name], scratch, web=opts.web)


def _result(name: str) -> Callable[[GaiaTask, Outcome, RunUsage, float], TaskResult]:
    def result(task: GaiaTask, out: Outcome, usage: RunUsage, wall: float) -> TaskResult:
        gold = task.final_answer
        return TaskResult(
            task_id=task.task_id,
            system=name,
            level=task.level,
            prediction=out.answer,
            gold=gold,
            correct=None if gold is None else score(out.answer or None, gold),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            llm_calls=usage.llm_calls,
            tool_calls=out.tool_calls,
            tools_failed=out.tools_failed,
            wall_s=wall,
            plan=out.plan,
            error=out.error,
        )

    return result


def summarise(name: str, results: list[TaskResult]) -> GaiaSummary:
    scored = [r for r in results if r.correct is not None]
    levels = sorted({r.level for r in scored})
    by_level = {
        str(lv): round(100 * mean([float(bool(r.correct)) for r in scored if r.level == lv]), 1)
        for lv in levels
    }
    failed: dict[str, int] = {}
    for r in results:
        for tool, count in r.tools_failed.items():
            failed[tool] = failed.get(tool, 0) + count
    return GaiaSummary(
        system=name,
        n=len(results),
        accuracy=round(100 * mean([float(bool(r.correct)) for r in scored]), 1) if scored else None,
        accuracy_by_level=by_level,
        tokens_per_task=mean([r.prompt_tokens + r.completion_tokens for r in results]),
        llm_calls_per_task=mean([r.llm_calls for r in results]),
        tool_calls_per_task=mean([r.tool_calls for r in results]),
        wall_s_per_task=mean([r.wall_s for r in results]),
        errors=sum(r.error is not None for r in results),
        tools_failed=dict(sorted(failed.items())),
    )


@dataclass(frozen=True)
class Built:
    """`name` built in a Ray worker, over a scratch folder that lives as long as the worker.
    Attachments are read where the driver found them: on a cluster, keep `--data` on a
    filesystem every node mounts at the same path."""

    name: str
    opts: GaiaOptions

    def __call__(self, llm: Model, task: GaiaTask) -> GaiaSystem:
        return build(self.name, llm, Path(_worker_scratch().name), self.opts)


@functools.cache
def _worker_scratch() -> tempfile.TemporaryDirectory[str]:
    """This worker process's scratch root, removed when the process exits."""
    return tempfile.TemporaryDirectory(prefix="agentkit-gaia-")


def gaia_job(name: str, opts: GaiaOptions) -> Job[GaiaTask, TaskResult]:
    return Job(name, Built(name, opts), _result(name), "task_id", TaskResult)


async def compare(
    llm: Model,
    tasks: list[GaiaTask],
    opts: GaiaOptions,
    out: Path,
    trace: TraceWriter | None = None,
) -> tuple[list[GaiaSummary], dict[str, list[TaskResult]]]:
    """Each system in turn over the same tasks, here or on Ray (`opts.ray`, its workers'
    model calls written to `trace`); JSONL per system in `out`, kept and completed when
    `opts.resume`."""
    await llm.ensure_ready()
    summaries, results = [], {}
    with tempfile.TemporaryDirectory(prefix="agentkit-gaia-") as scratch, progress_bar() as bar:
        for name in opts.systems:
            rows = await run_job(
                gaia_job(name, opts), tasks, llm, out / f"{name}.jsonl",
                system=build(name, llm, Path(scratch), opts), concurrency=opts.concurrency,
                ray=opts.ray, keep=opts.resume, trace=trace, progress=bar,
            )  # fmt: skip
            results[name] = rows
            summaries.append(summarise(name, rows))
    return summaries, results


COLUMNS = [
    ("system", "system"),
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("by level", "accuracy_by_level"),
    ("tokens/task", "tokens_per_task"),
    ("LLM calls/task", "llm_calls_per_task"),
    ("tool calls/task", "tool_calls_per_task"),
    ("wall s/task", "wall_s_per_task"),
    ("errors", "errors"),
    ("failed tool calls", "tools_failed"),
]


TERMINAL = ("system", "accuracy", "by level", "tokens/task", "wall s/task", "errors")


def rich_table(summaries: list[GaiaSummary], title: str) -> Table:
    return report.rich_table(summaries, title, COLUMNS, TERMINAL)


def markdown_table(summaries: list[GaiaSummary]) -> str:
    return report.markdown_table(summaries, COLUMNS)


def check(opts: GaiaOptions) -> None:
    unknown = [s for s in opts.systems if s not in SYSTEMS]
    if unknown or not opts.systems:
        shown = ", ".join(unknown) or "nothing"
        raise ConfigError(f"unknown system {shown}; valid: {', '.join(SYSTEMS)}")
    resume.check_out(opts.resume, opts.out)


class GaiaReport(BaseModel):
    title: str
    summaries: list[GaiaSummary]
    out: Path
    plot: Path | None


def run_gaia(opts: GaiaOptions, console: Console) -> GaiaReport:
    """Load, run every system, write JSONL, summary, a leaderboard submission per system,
    the plot and a trace of every model call."""
    check(opts)
    levels = set(opts.levels) if opts.levels else None
    tasks = load(opts.data, levels=levels, n=opts.n)
    label = "GAIA-style tasks shipped with agentkit" if opts.data is None else f"GAIA {opts.data}"
    title = f"{label}: {len(tasks)} tasks, {opts.model}"
    console.print(f"[bold]{title}[/]\nsystems: {', '.join(opts.systems)}")
    out = opts.out or Path("runs") / f"gaia-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    llm = connect(opts.model, base_url=opts.base_url, system="")
    trace = TraceWriter(out / "trace.jsonl").attach(llm.ledger)
    try:
        summaries, results = llm.run_sync(compare(llm, tasks, opts, out, trace))
    finally:
        trace.detach()
        llm.close()
    for name, rows in results.items():
        write_submission(
            out / f"{name}.submission.jsonl",
            [SubmissionLine(task_id=r.task_id, model_answer=r.prediction, reasoning_trace=r.plan)
             for r in rows],
        )  # fmt: skip
    console.print(rich_table(summaries, title))
    info = run_info(
        model=opts.model, data=str(opts.data or SHIPPED), data_label=label, n=len(tasks),
        concurrency=opts.concurrency, system_message="empty", web=opts.web,
        ray=None if opts.ray is None else (opts.ray.address or "local"),
    )  # fmt: skip
    summary = {"title": title, "run": info, "systems": [s.model_dump() for s in summaries]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "summary.md").write_text(f"# {title}\n\n" + markdown_table(summaries))
    points = [(s.system, s.tokens_per_task, s.accuracy or 0.0) for s in summaries]
    plot = report.plot_points(points, out / "tokens_vs_accuracy.png", title, "tokens per task",
                              "accuracy (%)")  # fmt: skip
    console.print(f"results in {out}/" + (f" (plot: {plot.name})" if plot else ""))
    return GaiaReport(title=title, summaries=summaries, out=out, plot=plot)
