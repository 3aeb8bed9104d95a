"""What a tool's docstring tells the model: its first line, and its Google-style `Args:`.

Arguments are shown in one compact parenthesis after the description, optional ones with
their defaults, so a planner's tool list stays one line per tool. A tool whose docstring
has no Args section is shown as before, which keeps the built-in tools' prompts unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import docstring_parser
from pydantic import BaseModel
from pydantic.fields import FieldInfo


def read_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(the first line, each argument's description from the Args section)."""
    lines = doc.strip().splitlines()
    first = lines[0] if lines else ""
    try:
        parsed = docstring_parser.parse(doc, style=docstring_parser.DocstringStyle.GOOGLE)
    except docstring_parser.ParseError:  # an Args heading without entries: no Args
        return first, {}
    return first, {p.arg_name: " ".join((p.description or "").split()) for p in parsed.params}


def describe_args(model: type[BaseModel], docs: Mapping[str, str]) -> str:
    """` (value: the number; unit: "m" or "ft", default "m")`, or "" without documented args."""
    if not docs.keys() & model.model_fields.keys():
        return ""
    parts = [
        _describe(name, field, docs.get(name, "")) for name, field in model.model_fields.items()
    ]
    return f" ({'; '.join(parts)})"


def _describe(name: str, field: FieldInfo, doc: str) -> str:
    parts = [doc] if doc else []
    if not field.is_required() and field.default_factory is None:
        parts.append(f"default {_show(field.default)}")
    return f"{name}: {', '.join(parts)}" if parts else name


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
