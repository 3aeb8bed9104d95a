"""Metadata filters (`where=`), compiled to SQLite JSON expressions.

A filter maps a metadata key (dots reach into nested objects) to a value (equality) or
to `{operator: value}` with operators $eq $ne $gt $gte $lt $lte $in $nin. All keys must
match. A record lacking a key matches only `{key: None}`. A filter is bounded (at most
MAX_CONDITIONS conditions, MAX_VALUES values in a list) so SQLite never sees one it cannot
compile, and every bad part is a ConfigError naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from agentkit.errors import ConfigError

Where = Mapping[str, Any]

_COMPARISONS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_MEMBERSHIP = {"$in": "IN", "$nin": "NOT IN"}
_SCALARS = (str, int, float, bool)
MAX_CONDITIONS = 64
MAX_VALUES = 1_000


def _json_path(key: object) -> str:
    if not isinstance(key, str):
        raise ConfigError(f"filter keys are metadata names (strings), got {key!r:.40}")
    parts = key.split(".")
    if not key or any(not part or '"' in part for part in parts):
        raise ConfigError(f"bad filter key {key!r}: use non-empty names without quotes, e.g. 'a.b'")
    return "$" + "".join(f'."{part}"' for part in parts)


def _scalar(key: str, value: Any) -> Any:
    if not isinstance(value, _SCALARS):
        raise ConfigError(
            f"filter on {key!r} compares with {value!r:.40}; only str, int, float, bool "
            "(or None for 'missing or null') can be compared"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"filter on {key!r} compares with {value}; use a finite number")
    return value


def _condition(key: str, op: str, value: Any) -> tuple[str, list[Any]]:
    field = "json_extract(metadata, ?)"
    path = _json_path(key)
    if value is None and op in ("$eq", "$ne"):
        return f"{field} IS {'NOT ' if op == '$ne' else ''}NULL", [path]
    if op in _COMPARISONS:
        return f"{field} {_COMPARISONS[op]} ?", [path, _scalar(key, value)]
    if op in _MEMBERSHIP:
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise ConfigError(f"{op} on {key!r} needs a list of values, got {value!r}")
        items = [_scalar(key, v) for v in value]
        if len(items) > MAX_VALUES:
            raise ConfigError(f"{op} on {key!r} lists {len(items)} values; at most {MAX_VALUES}")
        marks = ",".join("?" * len(items))
        return f"{field} {_MEMBERSHIP[op]} ({marks})", [path, *items]
    known = ", ".join([*_COMPARISONS, *_MEMBERSHIP])
    raise ConfigError(f"unknown filter operator {op!r} on {key!r}; use one of {known}")


def compile_where(where: Where | None) -> tuple[str, list[Any]]:
    """SQL condition (over a `metadata` JSON column) and its parameters; '1' when empty."""
    if not where:
        return "1", []
    if not isinstance(where, Mapping):
        raise ConfigError(f"where= takes a mapping of metadata names to values, got {where!r:.40}")
    clauses: list[str] = []
    params: list[Any] = []
    for key, spec in where.items():
        pairs = spec.items() if isinstance(spec, Mapping) else [("$eq", spec)]
        for op, value in pairs:
            sql, args = _condition(key, op, value)
            clauses.append(sql)
            params.extend(args)
            if len(clauses) > MAX_CONDITIONS:
                raise ConfigError(
                    f"a filter has at most {MAX_CONDITIONS} conditions; combine values with $in"
                )
    return " AND ".join(clauses) or "1", params
