"""Reading distiller replies that may be malformed: JSON first, repaired when cut off, then
`key: value` lines; items that are empty or essays are dropped with a reason.

Models (small ones especially, and any reply cut at max_tokens) write fenced JSON, a JSON
array missing its end, YAML-ish lines, or a long essay instead of items. What can be read is
kept; every item left out has a reason, which learning logs. A reply with nothing usable
raises MalformedMemoryError, which learning catches: a bad reply never ends a run.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agentkit.errors import MalformedMemoryError

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```\s*$", re.MULTILINE)
_LINE = re.compile(r"^\s*(?:[-*]|\d+[.)])?\s*\"?([A-Za-z_][\w ]{0,48}?)\"?\s*:\s*(.*?)\s*,?$")

Raw = dict[str, Any]


def read_items(text: str, *, max_items: int, max_chars: int) -> tuple[list[Raw], list[str]]:
    """Up to `max_items` items (dicts of field -> text or list) and why others were left out.
    A field longer than `max_chars` drops its item: an essay is not a reusable note, and
    cutting it would keep half a thought."""
    body = _FENCE.sub("", text or "").strip()
    if not body:
        raise MalformedMemoryError("the reply is empty")
    items, problems = _json_items(body)
    if items is None:
        items = _line_items(body)
    kept: list[Raw] = []
    for number, item in enumerate(items, 1):
        why = _problem(item, max_chars)
        if why:
            problems.append(f"item {number}: {why}; dropped")
        elif len(kept) < max_items:
            kept.append(item)
        else:
            problems.append(f"item {number}: more than {max_items} items; dropped")
    if not kept:
        raise MalformedMemoryError("no usable item: " + "; ".join(problems or ["none written"]))
    return kept, problems


def _json_items(body: str) -> tuple[list[Raw] | None, list[str]]:
    start = min((i for i in (body.find("["), body.find("{")) if i >= 0), default=-1)
    if start < 0:
        return None, []
    candidate = body[start:]
    for attempt, text in enumerate(_repairs(candidate)):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            continue
        problems = ["JSON was cut off; read up to its last complete item"] if attempt else []
        return _as_list(value), problems
    return None, []


def _repairs(text: str) -> list[str]:
    """The text itself, then (for a reply cut off) up to its last complete object, closed."""
    end = max(text.rfind("]"), text.rfind("}"))
    whole = text[: end + 1] if end >= 0 else text
    last = text.rfind("}")
    cut = text[: last + 1] + ("]" if text.startswith("[") else "") if last >= 0 else text
    return [whole, cut]


def _as_list(value: Any) -> list[Raw]:
    if isinstance(value, dict):
        for key in ("items", "memories", "behaviors", "lessons", "concepts"):
            if isinstance(value.get(key), list):
                return _as_list(value[key])
        return [value]
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {"content": v} for v in value if v]
    return [{"content": value}]


def _line_items(body: str) -> list[Raw]:
    """`key: value` lines; a key seen again, or a blank line, starts the next item."""
    items: list[Raw] = []
    current: Raw = {}
    for line in body.splitlines():
        match = _LINE.match(line)
        if not line.strip() or match is None:
            if current and not line.strip():
                items.append(current)
                current = {}
            continue
        key, value = match.group(1).strip().lower().replace(" ", "_"), match.group(2).strip()
        if key in current:
            items.append(current)
            current = {}
        current[key] = value.strip("\"'")
    return [*items, current] if current else items


def _problem(item: Raw, max_chars: int) -> str | None:
    texts = [v for v in item.values() if isinstance(v, str)]
    texts += [x for v in item.values() if isinstance(v, list) for x in v if isinstance(x, str)]
    if not any(t.strip() for t in texts):
        return "no text"
    longest = max(texts, key=len)
    if len(longest) > max_chars:
        return f"a field has {len(longest)} characters (at most {max_chars})"
    return None


def text_of(item: Raw, *keys: str) -> str:
    """The first of `keys` the item has, as one line of text."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def texts_of(item: Raw, key: str) -> list[str]:
    """A list field (a string is split on ';'), stripped and without empties."""
    value = item.get(key) or []
    values = value.split(";") if isinstance(value, str) else value
    return [" ".join(str(v).split()) for v in values if str(v).strip()]
