"""What each slash command does to a session (parsing is in agentkit.chat.commands)."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from agentkit.chat.commands import Command, help_rows
from agentkit.chat.config import PLANNERS
from agentkit.chat.memory import NONE_CONFIGURED
from agentkit.chat.session import ChatSession
from agentkit.chat.trace_view import by_run, run_tree
from agentkit.errors import ConfigError
from agentkit.trace import read_trace

KEYS = (
    "Enter sends · Esc Enter (Alt-Enter) starts a new line · Tab completes a command · "
    "↑ recalls earlier input · Ctrl-C cancels a turn · Ctrl-D leaves"
)


def run_command(session: ChatSession, cmd: Command) -> bool:
    """Do `cmd`; False when the session should end."""
    out = session.console
    if cmd.name == "quit":
        return False
    if cmd.name == "help":
        table = Table(box=None, show_header=False, padding=(0, 2))
        for usage, what in help_rows():
            table.add_row(Text(usage, style="cyan"), what)
        out.print(table)
        out.print(Text(KEYS, style="dim"))
    elif cmd.name == "planner":
        if cmd.arg:
            session.reconfigure(planner=cmd.arg.lower())
        out.print(f"planner: [cyan]{session.config.planner}[/] (of {', '.join(PLANNERS)})")
    elif cmd.name == "tools":
        for tool in session.agent.tools:
            out.print(Text(f"  {tool.render()}"))
    elif cmd.name == "budget":
        budget(session, cmd.arg)
    elif cmd.name == "memory":
        memory(session, cmd.arg)
    elif cmd.name == "trace":
        trace(session)
    elif cmd.name == "save":
        session.save(Path(cmd.arg))
        out.print(f"saved {len(session.conversation.turns)} turns to {cmd.arg}")
    elif cmd.name == "load":
        n = session.load(Path(cmd.arg))
        out.print(f"loaded {n} turns from {cmd.arg}: they are the context of the next question")
    elif cmd.name == "clear":
        session.conversation.clear()
        out.print("conversation cleared: the next question starts a fresh context")
    elif cmd.name == "model":
        model(session)
    return True


def budget(session: ChatSession, arg: str) -> None:
    if arg:
        tokens = None if arg.lower() == "off" else _positive(arg.replace(",", ""))
        limits = session.config.budget.model_copy(update={"total_tokens": tokens})
        session.reconfigure(budget=limits.model_dump())
    shown = session.config.budget.model_dump().items()
    text = ", ".join(f"{k} {v:,}" for k, v in shown if v is not None)
    session.console.print(f"budget per turn: {text or 'none'}")
    t = session.session
    session.console.print(
        f"session: {len(session.turns)} turns, {t.calls} calls, {t.usage.prompt_tokens:,} prompt "
        f"+ {t.usage.completion_tokens:,} completion tokens ({t.usage.cached_tokens:,} cached)"
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise ConfigError(f"/budget takes a number of tokens or 'off', not {text!r}")
    return int(text)


def memory(session: ChatSession, arg: str) -> None:
    out = session.console
    words = arg.split(maxsplit=1)
    if words and words[0].lower() != "search":
        raise ConfigError("/memory takes nothing or 'search TEXT'")
    if not words:
        out.print(f"memory: {session.memory.describe() if session.memory else NONE_CONFIGURED}")
        out.print(f"documents: {session.docs.describe() if session.docs else 'none (--docs DIR)'}")
        return
    text = words[1] if len(words) > 1 else ""
    if not text:
        raise ConfigError("/memory search needs TEXT")
    found = 0
    if session.memory is not None:
        for note in session.memory.search(text):
            out.print(Text(f"  memory: {note}", style="blue"))
            found += 1
    if session.docs is not None:
        for hit in session.docs.search(text):
            body = " ".join(hit.passage.text.split())[:100]
            out.print(Text.assemble(("  ", ""), (hit.passage.title, "cyan"), f": {body}"))
            found += 1
    if not found:
        out.print(NONE_CONFIGURED if not (session.memory or session.docs) else "nothing matches")


def trace(session: ChatSession) -> None:
    if not session.turns:
        session.console.print("no turn yet: ask something first")
        return
    run = session.turns[-1].run_id
    events = by_run(read_trace(session.trace.path)).get(run, [])
    root = Tree(Text(f"last turn (trace: {session.trace.path})", style="dim"))
    run_tree(root, run, events)
    session.console.print(root)


def model(session: ChatSession) -> None:
    llm = session.llm
    where = getattr(llm, "base_url", None) or "in this process (no server)"
    window = getattr(llm, "context_window", None)
    session.console.print(
        f"model: [cyan]{llm.model}[/] at {where} · context window "
        f"{f'{window:,}' if window else 'unknown'} tokens · tokenizer {llm.tokenizer.name}"
    )
