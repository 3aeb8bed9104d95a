"""Replanning by patch: the replanner reads codified feedback (the numbered program, the
failing line and error, the variables it had) and answers `# lines I-J` and the lines that
replace lines I to J. A patch is a few lines where a new program would be all of them, and
the lines it keeps re-run from the tool-call cache, so a fix costs few tokens either way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from agentkit.planners.code.language import render_value, unfenced, without_loops

__all__ = ["Patch", "apply_patch", "codified_feedback", "parse_patch"]

_HEADER = re.compile(
    r"^[ \t]*(?:#[ \t]*)?(?:replace[ \t]+)?lines?[ \t]+(\d{1,6})"
    r"(?:[ \t]*(?:-|to|\.\.)[ \t]*(\d{1,6}))?[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_NUMBERED = re.compile(r"^\d{1,4}[:|]?[ \t]")


class Patch(BaseModel):
    """Replace lines `start`..`end` (1-based, inclusive) with `lines`."""

    start: int
    end: int
    lines: list[str]


def parse_patch(text: str, default: tuple[int, int]) -> Patch:
    """A Patch from the replanner's reply; without a usable `# lines I-J` header the reply
    replaces the `default` range (the failing line to the end). Line numbers copied from the
    feedback's listing are dropped. Never raises: any reply is some patch."""
    header = _HEADER.search(text)
    if header:
        start = int(header.group(1))
        end = int(header.group(2) or start)
        body = unfenced(text[header.end() :])
    else:
        start, end = default
        body = unfenced(text)
    lines = [ln.rstrip() for ln in body.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and all(_NUMBERED.match(ln) for ln in lines if ln.strip()):
        lines = [_NUMBERED.sub("", ln, count=1) for ln in lines]
    lines = without_loops(lines)
    if start < 1 or end < start:
        start, end = default
    return Patch(start=start, end=end, lines=lines)


def apply_patch(source: str, patch: Patch) -> str:
    """The program with the patch applied. Replacement lines written without indentation
    for an indented range take that range's indentation (a small model writes them flush)."""
    lines = source.splitlines()
    start = min(patch.start, len(lines) + 1)  # past the end: appended
    end = min(patch.end, len(lines))
    new = patch.lines
    replaced = lines[start - 1 : end]
    indent = _indent(replaced[0]) if replaced else ""
    if indent and new and all(not _indent(ln) for ln in new):
        new = [indent + ln if ln.strip() else ln for ln in new]
    return "\n".join(lines[: start - 1] + new + lines[end:])


def codified_feedback(
    error: Exception, variables: Mapping[str, Any], source_line: str, *, chars: int, most: int
) -> str:
    """The error as a comment, then the variables as assignments (those the failing line
    reads first, each value cut to `chars`), at most `most` of them."""
    names = [n for n in variables if n != "question"]
    used = set(re.findall(r"[A-Za-z_]\w*", source_line))
    names.sort(key=lambda n: n not in used)  # stable: the failing line's own names first
    shown = [f"{n} = {render_value(variables[n], chars)}" for n in names[:most]]
    return "\n".join([f"# error: {error}", *shown])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
