"""A small JSON value that a JSON schema accepts, checked with jsonschema.

Seed 0 gives the minimal instance (required properties only, the fewest items, the first
branch of anyOf/oneOf, "a"-strings, 0 or the nearest bound); other seeds vary it,
reproducibly. Only local `$ref`s (`#/...`) are followed.
"""

from __future__ import annotations

import math
import random
import string
from typing import Any

import jsonschema

from agentkit.errors import StructuredOutputError
from agentkit.testing.regexes import ATTEMPTS, sample_regex

Schema = dict[str, Any]


def sample_schema(schema: Schema, *, seed: int = 0) -> Any:
    """A value valid under `schema`, or StructuredOutputError."""
    validator = jsonschema.validators.validator_for(schema)(schema)
    for attempt in range(ATTEMPTS):
        rng = None if seed == 0 and attempt == 0 else random.Random(f"{seed}:{attempt}")
        try:
            value = _Walk(schema, rng, seed + attempt).of(schema)
        except StructuredOutputError:
            continue
        if validator.is_valid(value):
            return value
    raise StructuredOutputError(f"found no JSON value valid under the schema {schema}")


class _Walk:
    def __init__(self, root: Schema, rng: random.Random | None, seed: int) -> None:
        self.root, self.rng, self.seed = root, rng, seed

    def pick(self, options: list[Any]) -> Any:
        return options[0] if self.rng is None else self.rng.choice(options)

    def count(self, low: int, high: int | None) -> int:
        top = low + 2 if high is None else min(high, low + 2)
        return low if self.rng is None else self.rng.randint(low, max(low, top))

    def of(self, s: Schema | bool) -> Any:
        if s is True or s == {}:
            return None
        if s is False:
            raise StructuredOutputError("the schema `false` accepts nothing")
        if "$ref" in s:
            return self.of({**self.resolve(s["$ref"]), **_without(s, "$ref")})
        if "const" in s:
            return s["const"]
        if "enum" in s:
            return self.pick(list(s["enum"]))
        for key in ("anyOf", "oneOf"):
            if key in s:
                return self.of({**_without(s, key), **self.pick(list(s[key]))})
        if "allOf" in s:
            merged = _without(s, "allOf")
            for part in s["allOf"]:
                merged = _merge(merged, part)
            return self.of(merged)
        kind = s.get("type", _implied_type(s))
        if isinstance(kind, list):
            kind = self.pick(kind)
        return getattr(self, f"_{kind}")(s)

    def resolve(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise StructuredOutputError(f"only local $refs are followed, not {ref!r}")
        node: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)

    def _object(self, s: Schema) -> dict[str, Any]:
        props: dict[str, Any] = s.get("properties", {})
        keys = list(s.get("required", []))
        optional = [k for k in props if k not in keys]
        wanted = max(s.get("minProperties", 0), self.count(len(keys), len(keys) + len(optional)))
        keys += optional[: max(0, wanted - len(keys))]
        extra = s.get("additionalProperties", {})
        return {k: self.of(props.get(k, extra if isinstance(extra, dict) else {})) for k in keys}

    def _array(self, s: Schema) -> list[Any]:
        prefix = list(s.get("prefixItems", []))
        n = self.count(s.get("minItems", 0), s.get("maxItems"))
        out: list[Any] = []
        for i in range(n):
            item = prefix[i] if i < len(prefix) else s.get("items", {})
            value, tries = self.of(item), 0
            while s.get("uniqueItems") and value in out and tries < ATTEMPTS:
                rng = random.Random(f"{self.seed}:{i}:{tries}")
                value, tries = _Walk(self.root, rng, self.seed).of(item), tries + 1
            out.append(value)
        return out

    def _string(self, s: Schema) -> str:
        if "pattern" in s:
            return sample_regex(s["pattern"], seed=self.seed)
        n = self.count(max(s.get("minLength", 0), 1), s.get("maxLength"))
        n = min(n, s.get("maxLength", n))
        if self.rng is None:
            return "a" * n
        return "".join(self.rng.choice(string.ascii_lowercase) for _ in range(n))

    def _integer(self, s: Schema) -> int:
        low, high = _bounds(s, 1)
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
        value = _nearest_zero(low, high) if self.rng is None else _random_in(self.rng, low, high)
        step = s.get("multipleOf")
        return int(math.ceil(value / step) * step) if step else int(value)

    def _number(self, s: Schema) -> float:
        low, high = _bounds(s, 0.5)
        if self.rng is None:
            return _nearest_zero(low, high)
        return _random_in(self.rng, low, high)

    def _boolean(self, s: Schema) -> bool:
        return bool(self.pick([False, True]))

    def _null(self, s: Schema) -> None:
        return None


def _implied_type(s: Schema) -> str:
    if {"properties", "required", "additionalProperties"} & s.keys():
        return "object"
    if {"items", "prefixItems", "minItems", "maxItems"} & s.keys():
        return "array"
    if {"minLength", "maxLength", "pattern"} & s.keys():
        return "string"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & s.keys():
        return "number"
    return "null"


def _bounds(s: Schema, gap: float) -> tuple[Any, Any]:
    """(lowest, highest) allowed; `gap` steps inside an exclusive bound."""
    low, high = s.get("minimum"), s.get("maximum")
    ex_low, ex_high = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
    if ex_low is True and low is not None:  # draft 4: a flag on minimum
        low += gap
    elif isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        low = ex_low + gap if low is None else max(low, ex_low + gap)
    if ex_high is True and high is not None:
        high -= gap
    elif isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
        high = ex_high - gap if high is None else min(high, ex_high - gap)
    return low, high


def _nearest_zero(low: Any, high: Any) -> Any:
    if low is not None and low > 0:
        return low
    if high is not None and high < 0:
        return high
    return 0


def _random_in(rng: random.Random, low: Any, high: Any) -> Any:
    low = low if low is not None else (high - 10 if high is not None else -10)
    high = high if high is not None else low + 10
    if isinstance(low, int) and isinstance(high, int):
        return rng.randint(low, max(low, high))
    return rng.uniform(low, high)


def _without(s: Schema, key: str) -> Schema:
    return {k: v for k, v in s.items() if k != key}


def _merge(a: Schema, b: Schema) -> Schema:
    merged = {**a, **b}
    if "properties" in a and "properties" in b:
        merged["properties"] = {**a["properties"], **b["properties"]}
    if "required" in a and "required" in b:
        merged["required"] = list(dict.fromkeys([*a["required"], *b["required"]]))
    return merged
