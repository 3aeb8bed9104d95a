"""`agentkit chat` and `agentkit run`. The root command (agentkit.cli) adds these, and the
`trace` and `index` apps of agentkit.chat.cli_index; nothing here imports it back."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agentkit.chat.launch import banner, open_session, run_in_session, session_config
from agentkit.cli_errors import clean_errors, console

ModelOpt = Annotated[
    str | None,
    typer.Option(
        help="model name, HF dir or id (default: qwen2.5-coder-1.5b); for testing only: "
        "'test' (TestModel) or 'function:MODULE:ATTR' (a Model, or a function returning one)"
    ),
]
BaseUrlOpt = Annotated[str | None, typer.Option(help="a running OpenAI-compatible server")]
PlannerOpt = Annotated[str | None, typer.Option(help="rewoo (default), react, smr or codeagents")]
ToolsOpt = Annotated[
    str | None, typer.Option(help="comma list of search,llm,calculator (default: all that fit)")
]
DocsOpt = Annotated[Path | None, typer.Option(help="a folder of text, markdown or PDF files")]
GraphOpt = Annotated[
    bool | None, typer.Option("--graph/--no-graph", help="index --docs as a graph too (slower)")
]
BudgetOpt = Annotated[int | None, typer.Option(help="most tokens a turn may use (default 4000)")]
HistoryOpt = Annotated[
    int | None, typer.Option(help="tokens of earlier turns a question carries (default 300)")
]
ConfigOpt = Annotated[
    Path | None, typer.Option(help="TOML settings (default: $AGENTKIT_HOME/chat.toml if present)")
]
TraceOpt = Annotated[
    Path | None, typer.Option(help="JSONL trace (default: a new file under $AGENTKIT_HOME/chat)")
]


@clean_errors
def chat_cmd(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    planner: PlannerOpt = None,
    tools: ToolsOpt = None,
    docs: DocsOpt = None,
    graph: GraphOpt = None,
    budget_tokens: BudgetOpt = None,
    history_tokens: HistoryOpt = None,
    config: ConfigOpt = None,
    trace: TraceOpt = None,
) -> None:
    """Talk to an agent in the terminal: plan, tool steps and tokens live; /help for more."""
    from agentkit.chat.repl import repl

    cfg = session_config(
        config, model=model, base_url=base_url, planner=planner, tools=tools, docs=docs,
        graph=graph, budget_tokens=budget_tokens, history_tokens=history_tokens,
    )  # fmt: skip
    session = open_session(cfg, console, trace)

    async def work() -> None:
        banner(session)
        await repl(session)

    run_in_session(session, work)


@clean_errors
def run_cmd(
    question: Annotated[str, typer.Argument(help="the question")],
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    planner: PlannerOpt = None,
    tools: ToolsOpt = None,
    docs: DocsOpt = None,
    graph: GraphOpt = None,
    budget_tokens: BudgetOpt = None,
    config: ConfigOpt = None,
    trace: TraceOpt = None,
    json_: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """One agent run, shown as the chat shows a turn, or as one JSON object.

    Exit status: 0 answered, 1 the run failed (budget, planner, model), 130 cancelled with
    Ctrl-C, 2 a usage or setup error."""
    cfg = session_config(
        config, model=model, base_url=base_url, planner=planner, tools=tools, docs=docs,
        graph=graph, budget_tokens=budget_tokens,
    )  # fmt: skip
    out = Console(stderr=True) if json_ else console
    with contextlib.redirect_stdout(sys.stderr) if json_ else contextlib.nullcontext():
        session = open_session(cfg, out, trace)  # progress goes to stderr with --json
    report = run_in_session(session, lambda: session.turn(question, show=not json_))
    if json_:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    if report.cancelled:
        raise typer.Exit(130)
    if report.result is not None and not report.result.ok:
        raise typer.Exit(1)
