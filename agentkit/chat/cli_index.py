"""`agentkit trace show` and `agentkit index build|query`: looking at what ran, and at what
a session can search."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from agentkit.chat.index import cache_folder, open_index
from agentkit.chat.trace_view import run_of, trace_tree
from agentkit.cli_errors import clean_errors, console
from agentkit.errors import ConfigError
from agentkit.trace import read_trace

trace_app = typer.Typer(help="Traces written by agents and sessions (JSONL).", no_args_is_help=True)
index_app = typer.Typer(help="Search indexes over a folder of documents.", no_args_is_help=True)


@trace_app.command("show")
@clean_errors
def trace_show(
    file: Annotated[Path, typer.Argument(help="a trace: JSON lines from a TraceWriter")],
    run: Annotated[str | None, typer.Option(help="only this run id")] = None,
    json_: Annotated[bool, typer.Option("--json", help="the events as JSON lines")] = False,
) -> None:
    """A run (or a whole eval) as a tree of calls and steps with tokens and latency."""
    try:
        events = list(read_trace(file))
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{file} is not a JSONL trace: {exc}") from None
    if run is not None:
        events = [e for e in events if run_of(e) == run]
        if not events:
            raise ConfigError(f"no run {run!r} in {file}")
    if json_:
        for e in events:
            print(json.dumps(e, ensure_ascii=False))
        return
    console.print(trace_tree(events, str(file)))


@index_app.command("build")
@clean_errors
def index_build(
    folder: Annotated[Path, typer.Argument(help="a folder of text, markdown or PDF files")],
    graph: Annotated[
        bool, typer.Option(help="build the graph index too (embeds every sentence)")
    ] = False,
    rebuild: Annotated[bool, typer.Option(help="read every file again")] = False,
) -> None:
    """Index a folder (BM25, optionally a graph) under the agentkit cache."""
    index = open_index(folder, graph=graph, rebuild=rebuild)
    console.print(f"[green]indexed[/] {index.describe()}")
    console.print(f"[dim]saved in {cache_folder(index.folder)}[/]")
    for why in index.skipped:
        console.print(Text(f"skipped: {why}", style="yellow"))


@index_app.command("query")
@clean_errors
def index_query(
    folder: Annotated[Path, typer.Argument(help="a folder indexed with `agentkit index build`")],
    text: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("-k", help="how many passages")] = 5,
    graph: Annotated[bool, typer.Option(help="rank with the graph (PPR) instead of BM25")] = False,
    json_: Annotated[bool, typer.Option("--json", help="hits as JSON lines")] = False,
) -> None:
    """The passages of a folder that best match TEXT."""
    with contextlib.redirect_stdout(sys.stderr) if json_ else contextlib.nullcontext():
        index = open_index(folder, graph=graph)
    hits = index.search(text, k)
    for hit in hits:
        if json_:
            print(
                json.dumps(
                    {"title": hit.passage.title, "text": hit.passage.text, "score": hit.score}
                )
            )
        else:
            console.print(Text.assemble((f"{hit.score:6.2f} ", "dim"), (hit.passage.title, "cyan")))
            console.print(Text(f"       {' '.join(hit.passage.text.split())[:200]}"))
    if not hits and not json_:
        console.print("nothing matches")
