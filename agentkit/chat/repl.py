"""The interactive loop: prompt_toolkit reads a line (history across sessions, multi-line,
Tab completion of commands), the session answers it.

Ctrl-C while a turn runs is a SIGINT (the terminal is not in raw mode then): it cancels
the turn and the loop goes on. At the prompt, prompt_toolkit reads Ctrl-C as a key that
clears the line, and Ctrl-D on an empty line leaves. prompt_toolkit is told not to handle
SIGINT itself: it would replace the session's handler and not put it back.
"""

from __future__ import annotations

from collections.abc import Iterator

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from agentkit.chat.commands import COMMANDS, is_command, parse_command
from agentkit.chat.config import PLANNERS
from agentkit.chat.session import ChatSession
from agentkit.chat.setup import chat_dir
from agentkit.chat.slash import run_command
from agentkit.cli_errors import show
from agentkit.errors import AgentkitError

ARGUMENTS = {"planner": PLANNERS, "memory": ("search",)}


class CommandCompleter(Completer):
    """Tab completes a slash command's name, then a planner's name after /planner."""

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        name, space, arg = text[1:].partition(" ")
        if not space:  # a command that takes an argument comes with its space
            choices = [f"/{c} " if args else f"/{c}" for c, (args, _) in COMMANDS.items()]
            typed = text
        else:
            choices, typed = list(ARGUMENTS.get(name.lower(), ())), arg
        for choice in choices:
            if choice.startswith(typed.lower()):
                yield Completion(choice, start_position=-len(typed))


def key_bindings() -> KeyBindings:
    keys = KeyBindings()

    @keys.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return keys


def prompt_session() -> PromptSession[str]:
    chat_dir().mkdir(parents=True, exist_ok=True)
    return PromptSession(
        history=FileHistory(str(chat_dir() / "history")),
        completer=CommandCompleter(),
        complete_while_typing=False,
        key_bindings=key_bindings(),
        prompt_continuation=lambda width, line, soft: "." * (width - 1) + " ",
    )


async def repl(session: ChatSession) -> None:
    """Read and answer lines until /quit or Ctrl-D (on agentkit.chat.launch's loop, where
    SIGINT cancels the running turn)."""
    prompt = prompt_session()
    while True:
        try:
            line = await prompt.prompt_async("› ", handle_sigint=False)
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not line.strip():
            continue
        try:
            if is_command(line):
                if not run_command(session, parse_command(line)):
                    break
            else:
                await session.turn(line.strip())
        except AgentkitError as exc:  # one line, and the session goes on
            show(exc)
