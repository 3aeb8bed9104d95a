"""From command-line options to a running session, and back: settings, documents, the
model, the event loop with Ctrl-C wired to the turn, and a clean close (a server this
session started is stopped)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.text import Text

from agentkit.chat.config import ChatConfig, load_config
from agentkit.chat.index import open_index
from agentkit.chat.models import is_test_model, open_model
from agentkit.chat.session import ChatSession

T = TypeVar("T")


def session_config(config: Path | None, *, tools: str | None, **flags: Any) -> ChatConfig:
    """The settings: the TOML file, then the flags given; `tools` is a comma list."""
    names = tuple(t.strip() for t in tools.split(",") if t.strip()) if tools is not None else None
    return load_config(config, tools=names, **flags)


def open_session(config: ChatConfig, out: Console, trace: Path | None) -> ChatSession:
    """Index the documents, then reach the model (a local server may take minutes)."""
    docs = open_index(config.docs, graph=config.graph) if config.docs else None
    if is_test_model(config.model) or config.base_url:
        llm = open_model(config)
    else:
        with out.status(f"connecting to {config.model} (starting vLLM: a minute or more)"):
            llm = open_model(config)
    try:
        return ChatSession(config, llm, console=out, docs=docs, trace_path=trace)
    except BaseException:
        llm.close()
        raise


def run_in_session(session: ChatSession, work: Callable[[], Awaitable[T]]) -> T:
    """`work()` on a fresh event loop, Ctrl-C cancelling the running turn, then close."""

    async def main() -> T:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
        try:
            await session.start()
            return await work()
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            aclose = getattr(session.llm, "aclose", None)  # HTTP connections of this loop
            if aclose is not None:
                await aclose()

    try:
        return asyncio.run(main())
    finally:
        session.llm.close()  # stops a server this session started


def banner(session: ChatSession) -> None:
    c, llm, out = session.config, session.llm, session.console
    where = getattr(llm, "base_url", None)
    tokens = f"{c.budget.total_tokens:,}" if c.budget.total_tokens else "no limit of"
    out.print(
        Text.assemble(
            ("agentkit chat", "bold"),
            f" · {llm.model}" + (f" ({where})" if where else ""),
            " · planner ",
            (c.planner, "cyan"),
            f" · tools {', '.join(t.name for t in session.agent.tools)}",
            f" · {tokens} tokens a turn · context {c.history_tokens} tokens",
        )
    )
    if session.docs is not None:
        out.print(f"documents: {session.docs.describe()}")
    out.print("[dim]/help lists commands · Ctrl-C cancels a turn · Ctrl-D leaves[/]")
