"""Slash commands: what a session line starting with `/` means, and the help for each.

Parsing is separate from running so it can be tested without a terminal: a line becomes a
Command (name and argument text), or a ConfigError saying what is wrong in one line.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from agentkit.errors import ConfigError

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (arguments, what it does)
    "planner": ("NAME", "switch planner (rewoo, react, smr, codeagents); no NAME: show it"),
    "tools": ("", "the tools the agent can call, as the model sees them"),
    "budget": ("[TOKENS|off]", "the per-turn budget and this session's spending; set it"),
    "memory": ("[search TEXT]", "what the session remembers; search the documents"),
    "trace": ("", "the last turn as a tree of calls and steps"),
    "save": ("FILE", "save the conversation as JSON"),
    "load": ("FILE", "load a saved conversation (it becomes the context)"),
    "clear": ("", "forget the conversation (start a fresh context)"),
    "model": ("", "the model, its server and context window"),
    "help": ("", "this list"),
    "quit": ("", "leave (Ctrl-D does too)"),
}
NEEDS_ARGUMENT = {"save", "load"}


class Command(NamedTuple):
    name: str
    arg: str = ""


def is_command(line: str) -> bool:
    return line.lstrip().startswith("/")


def parse_command(line: str) -> Command:
    """`/planner react` -> Command("planner", "react"); unknown or incomplete: ConfigError."""
    head, _, rest = line.strip().removeprefix("/").partition(" ")
    name, arg = head.lower(), rest.strip()
    if name not in COMMANDS:
        near = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f"; did you mean /{near[0]}?" if near else "; /help lists them"
        raise ConfigError(f"unknown command /{name}{hint}")
    if name in NEEDS_ARGUMENT and not arg:
        raise ConfigError(f"/{name} needs {COMMANDS[name][0]}, e.g. /{name} chat.json")
    return Command(name, arg)


def help_rows() -> list[tuple[str, str]]:
    return [(f"/{name} {args}".rstrip(), what) for name, (args, what) in COMMANDS.items()]
