"""`agentkit eval hotpotqa`: run systems side by side and write JSONL, a table and a plot."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agentkit.evals import hotpotqa, report, systems
from agentkit.evals.runner import Summary, progress_bar, run_system, summarise
from agentkit.llm import LLM, connect
from agentkit.models import DEFAULT_MODEL

console = Console()
eval_app = typer.Typer(help="Evaluations on public benchmarks.", no_args_is_help=True)


async def compare(
    llm: LLM,
    names: list[str],
    questions: list[hotpotqa.HotpotQuestion],
    setting: hotpotqa.Setting,
    out: Path,
    concurrency: int,
    corpus: list[hotpotqa.HotpotQuestion] | None = None,
) -> list[Summary]:
    """Each system in turn over the same questions, `concurrency` questions in flight.
    In the open setting the corpus is the paragraphs of `corpus` (default: the questions)."""
    await llm.ensure_ready()
    search_for = systems.search_factory(setting, corpus or questions)
    summaries = []
    with progress_bar() as progress:
        for name in names:
            jsonl = out / f"{name}.jsonl"
            jsonl.unlink(missing_ok=True)
            system = systems.build(name, llm, search_for)
            results = await run_system(
                name, system, questions, llm.ledger, concurrency=concurrency, jsonl=jsonl,
                progress=progress,
            )  # fmt: skip
            summaries.append(summarise(name, results))
    return summaries


@eval_app.command("hotpotqa")
def hotpotqa_cmd(
    n: Annotated[int, typer.Option("-n", help="number of questions")] = 5,
    offset: Annotated[int, typer.Option(help="skip this many questions first")] = 0,
    compare_: Annotated[
        str, typer.Option("--compare", help="comma list of systems: direct,react,rewoo")
    ] = "direct,react,rewoo",
    setting: Annotated[str, typer.Option(help="distractor or open")] = "distractor",
    model: Annotated[str, typer.Option(help="model name, HF dir or id")] = DEFAULT_MODEL,
    base_url: Annotated[str | None, typer.Option(help="a running server instead")] = None,
    data: Annotated[Path | None, typer.Option(help="HotpotQA JSONL (official format)")] = None,
    concurrency: Annotated[int, typer.Option(help="questions in flight")] = 8,
    out: Annotated[Path | None, typer.Option(help="output directory")] = None,
) -> None:
    """HotpotQA with each system on the same questions: EM, F1 and exact tokens."""
    from agentkit.cli import clean_errors

    clean_errors(_run)(n, offset, compare_, setting, model, base_url, data, concurrency, out)


def _run(
    n: int,
    offset: int,
    compare_: str,
    setting: str,
    model: str,
    base_url: str | None,
    data: Path | None,
    concurrency: int,
    out: Path | None,
) -> None:
    from agentkit.errors import ConfigError

    if setting not in ("distractor", "open"):
        raise ConfigError(f"--setting must be distractor or open, not {setting!r}")
    names = [s.strip() for s in compare_.split(",") if s.strip()]
    unknown = [s for s in names if s not in systems.SYSTEMS]
    if unknown:
        raise ConfigError(f"unknown system(s) {unknown}; choose from {', '.join(systems.SYSTEMS)}")
    questions = hotpotqa.load(data, n=n, offset=offset)
    # the open corpus is every question's paragraphs (1,971 for the 200), not just these
    corpus = hotpotqa.load(data) if setting == "open" else None
    out = out or Path("runs") / f"hotpotqa-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]HotpotQA[/] {len(questions)} questions, {setting}, model {model}")
    # every system alike: an empty system message, not the chat template's default persona
    llm = connect(model, base_url=base_url, system="")
    try:
        summaries = llm.run_sync(
            compare(llm, names, questions, setting, out, concurrency, corpus)  # type: ignore[arg-type]
        )
    finally:
        llm.close()
    title = f"HotpotQA {setting}, {len(questions)} questions, {model}"
    console.print(report.rich_table(summaries, title))
    (out / "summary.json").write_text(
        json.dumps({"title": title, "systems": [s.model_dump() for s in summaries]}, indent=2)
    )
    (out / "summary.md").write_text(f"# {title}\n\n" + report.markdown_table(summaries))
    plot = report.plot(summaries, out / "tokens_vs_f1.png", title)
    console.print(f"results in {out}/" + (f" (plot: {plot.name})" if plot else ""))
