"""A HotpotQA comparison from options to files: what `agentkit eval hotpotqa` and
demos/hotpotqa_side_by_side.py run.

Names are checked before anything is loaded or started, so a typo costs one line, not a
minute of server start-up. The title names the data that was run (see hotpotqa.data_label).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console

from agentkit.errors import ConfigError
from agentkit.evals import download, hotpotqa, on_ray, report, resume, retrieval, systems
from agentkit.evals.graph_index import extract_triples
from agentkit.evals.on_ray import RaySettings
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import Summary, progress_bar, summarise
from agentkit.llm import Model, connect
from agentkit.models import DEFAULT_MODEL
from agentkit.planners.auto import Policy
from agentkit.text import as_paragraphs
from agentkit.trace import TraceWriter


class EvalOptions(BaseModel):
    n: int = 5
    offset: int = 0
    systems: list[str] = ["direct", "react", "rewoo"]
    setting: str = "distractor"
    search: str = "bm25"
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    data: Path | None = None
    download: bool = False
    triplets: bool = False
    concurrency: int = 8
    out: Path | None = None
    policy: Path | None = None  # Auto's policy file (default: the one shipped for the model)
    ray: RaySettings | None = None  # questions as Ray tasks (agentkit.evals.on_ray); None: here
    resume: bool = False  # keep each system's JSONL in `out` and run only what it lacks


class EvalReport(BaseModel):
    title: str
    summaries: list[Summary]
    out: Path
    plot: Path | None


def names(text: str) -> list[str]:
    """A comma list as names: "direct, react" -> ["direct", "react"]."""
    return [s.strip() for s in text.split(",") if s.strip()]


def _one_of(what: str, given: list[str], valid: tuple[str, ...]) -> None:
    unknown = [g for g in given if g not in valid]
    if unknown or not given:
        shown = ", ".join(unknown) if unknown else "nothing"
        raise ConfigError(f"unknown {what} {shown}; valid: {', '.join(valid)}")


def check(opts: EvalOptions) -> None:
    """One ConfigError line for the first wrong name or combination."""
    _one_of("system", opts.systems, systems.SYSTEMS)
    _one_of("--setting", [opts.setting], retrieval.SETTINGS)
    _one_of("--search", [opts.search], retrieval.SEARCHES)
    if opts.triplets and opts.search != "graph":
        raise ConfigError("--triplets adds LLM triplets to the graph; use it with --search graph")
    if opts.download and opts.data is not None:
        raise ConfigError("give --data PATH or --download, not both")
    if opts.ray is not None and opts.triplets:
        raise ConfigError("--triplets is not supported with --ray; run it without --ray")
    resume.check_out(opts.resume, opts.out)


async def compare(
    llm: Model,
    names: list[str],
    questions: list[hotpotqa.HotpotQuestion],
    search: retrieval.Retrieval,
    out: Path,
    concurrency: int,
    policy: Policy | None = None,
    *,
    ray: RaySettings | None = None,
    resume_run: bool = False,
    data: Path | None = None,
    trace: TraceWriter | None = None,
) -> list[Summary]:
    """Each system in turn over the same questions and retrieval, `concurrency` in flight
    (`policy`: Auto's, default the one shipped for the model); on a Ray cluster when `ray`
    is given (`data`: the file of the open setting's corpus; `trace`: where the workers'
    model calls go). `resume_run` keeps each system's JSONL and runs only the questions it
    lacks."""
    await llm.ensure_ready()
    summaries = []
    with progress_bar() as progress:
        for name in names:
            factory = on_ray.Named(name, search.search, search.setting, data, policy)
            results = await on_ray.run_job(
                on_ray.hotpotqa_job(name, factory), questions, llm, out / f"{name}.jsonl",
                system=systems.build(name, llm, search, policy), concurrency=concurrency,
                ray=ray, keep=resume_run, trace=trace, progress=progress,
            )  # fmt: skip
            summaries.append(summarise(name, results))
    return summaries


def compare_on_server(
    model: str,
    names: list[str],
    questions: list[hotpotqa.HotpotQuestion],
    out: Path,
    concurrency: int,
) -> tuple[list[Summary], str]:
    """`compare` on BM25 search in the distractor setting, against a server for `model`
    (started if none runs, stopped after) with an empty system message for every system;
    also returns the retrieval's note. What the planner benchmarks run."""
    llm = connect(model, system="")  # no template persona, for every system alike
    try:
        search = retrieval.build("bm25", "distractor", questions)
        return llm.run_sync(compare(llm, names, questions, search, out, concurrency)), search.note
    finally:
        llm.close()


def title_of(label: str, n: int, opts: EvalOptions) -> str:
    """ "HotpotQA dev distractor (shipped, 200): 5 questions, distractor setting, ..." """
    start = f" from #{opts.offset + 1}" if opts.offset else ""
    questions = f"{n} question{'s' * (n != 1)}{start}"
    return f"{label}: {questions}, {opts.setting} setting, {opts.search} search, {opts.model}"


def _policy(opts: EvalOptions) -> Policy | None:
    """Auto's policy, read before anything starts: --policy, else the model's shipped one."""
    if opts.policy is not None:
        return Policy.load(opts.policy)
    if "auto" not in opts.systems:
        return None
    return systems.shipped_policy(opts.model, opts.setting, opts.search)


def run_hotpotqa(opts: EvalOptions, console: Console) -> EvalReport:
    """Load, build the retrieval, run every system, and write JSONL, summary, plot and a
    trace of every model call (`trace.jsonl`)."""
    check(opts)
    policy = _policy(opts)
    path = download.download_with_bar() if opts.download else (opts.data or hotpotqa.default_path())
    questions = hotpotqa.load(path, n=opts.n, offset=opts.offset)
    # the open corpus is every loaded question's paragraphs (1,971 for the 200), not just these
    corpus = hotpotqa.load(path) if opts.setting == "open" else questions
    label = hotpotqa.data_label(path)
    title = title_of(label, len(questions), opts)
    console.print(f"[bold]{title}[/]\nsystems: {', '.join(opts.systems)}")
    out = opts.out or Path("runs") / f"hotpotqa-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    # every system alike: an empty system message, not the chat template's default persona
    llm = connect(opts.model, base_url=opts.base_url, system="")
    trace = TraceWriter(out / "trace.jsonl").attach(llm.ledger)  # `agentkit trace show` it
    try:
        triples = None
        if opts.triplets:
            paragraphs = [p for q in corpus for p in as_paragraphs(q.context)]
            triples = llm.run_sync(extract_triples(llm, paragraphs))
        search = retrieval.build(opts.search, opts.setting, questions, corpus, triples=triples)
        console.print(search.note)
        run = compare(
            llm, opts.systems, questions, search, out, opts.concurrency, policy,
            ray=opts.ray, resume_run=opts.resume, data=path, trace=trace,
        )  # fmt: skip
        summaries = llm.run_sync(run)
    finally:
        trace.detach()
        llm.close()
    console.print(report.rich_table(summaries, title))
    info = run_info(
        model=opts.model, data=str(path), data_label=label, setting=opts.setting,
        search=opts.search, retrieval=search.note, n=len(questions), offset=opts.offset,
        concurrency=opts.concurrency, system_message="empty",
        ray=None if opts.ray is None else (opts.ray.address or "local"),
    )  # fmt: skip
    summary = {"title": title, "run": info, "systems": [s.model_dump() for s in summaries]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "summary.md").write_text(f"# {title}\n\n" + report.markdown_table(summaries))
    plot = report.plot(summaries, out / "tokens_vs_f1.png", title)
    console.print(f"results in {out}/" + (f" (plot: {plot.name})" if plot else ""))
    return EvalReport(title=title, summaries=summaries, out=out, plot=plot)
