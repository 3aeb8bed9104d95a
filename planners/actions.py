"""Reading a ReAct step: `Thought: ...` then `Action: tool[input]` (or `Final Answer: ...`).

Small models drift from the format, so this accepts `Action 2:`, bold labels, `tool(input)`,
`Action Input:` on its own line, a missing closing bracket and a bare `finish[...]` line, and
keeps only the text up to the end of the first action for the history. A quoted input,
`tool["..."]` (a JSON string), is taken exactly as written, whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from agentkit.planners.syntax import PAIRS, QUOTED, closing_bracket, read_quoted

_ACTION = re.compile(
    r"^[ \t>*-]*Action[ \t]*(?:\d+[ \t]*)?:[ \t`]*(?P<tool>[A-Za-z_][\w-]*)[ \t]*(?P<open>[\[(])?",
    re.I | re.M,
)
_ACTION_INPUT = re.compile(r"^[ \t]*Action[ \t]+Input[ \t]*:[ \t]*(.*)$", re.I | re.M)
_FINAL = re.compile(r"^[ \t]*Final[ \t]+Answer[ \t]*:[ \t]*(.*)$", re.I | re.M)
_THOUGHT = re.compile(r"^\s*Thought[ \t]*(?:\d+[ \t]*)?:\s*", re.I)
# markdown bold is dropped, except inside a quoted input, which must stay as written
_BOLD = re.compile(rf"([\[(]{QUOTED.pattern}[\])])|\*\*")


class Action(BaseModel):
    thought: str
    tool: str
    input: str
    turn: str  # the model's text up to the end of this action: what the history keeps


def parse_action(reply: str, tools: Iterable[str] = ()) -> Action | None:
    """The first action in a model's reply, or None. A line starting with one of `tools` and
    a bracket (`finish[Rush]`) counts as an action even without its `Action:` label."""
    text = _BOLD.sub(lambda m: m.group(1) or "", reply)
    action, final = _ACTION.search(text), _FINAL.search(text)
    names = "|".join(re.escape(t) for t in tools)
    if action is None and names:
        bare = rf"^[ \t]*(?P<tool>{names})[ \t]*(?P<open>[\[(])"
        action = re.search(bare, text, re.I | re.M)
    if final and (action is None or final.start() < action.start()):
        return _action(text, final.start(), "finish", final.group(1), final.end())
    if action is None:
        return None
    tool, opener, start = action.group("tool"), action.group("open"), action.end()
    quoted = read_quoted(text, start, PAIRS[opener]) if opener else None
    if quoted is not None:
        value, close = quoted
        return _action(text, action.start(), tool, value, close + 1, exact=True)
    if opener:
        close = closing_bracket(text, start, opener)
        end = close if close is not None else _line_end(text, start)
        return _action(text, action.start(), tool, text[start:end], end + (close is not None))
    given = _ACTION_INPUT.search(text, start)
    if given:
        return _action(text, action.start(), tool, given.group(1), given.end())
    end = _line_end(text, start)
    if not text[start:end].strip():
        return None
    return _action(text, action.start(), tool, text[start:end], end)


def _action(
    text: str, begin: int, tool: str, tool_input: str, end: int, *, exact: bool = False
) -> Action:
    thought = _THOUGHT.sub("", text[:begin]).strip()
    value = tool_input if exact else tool_input.strip().strip(":\"'`").strip()
    return Action(thought=thought, tool=tool, input=value, turn=text[:end].strip())


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end
