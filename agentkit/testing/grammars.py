"""A short sentence of a lark grammar (rule `start`), checked by parsing it.

Needs the optional `lark` package. Seed 0 derives the shortest sentence (fewest terminals);
other seeds pick expansions at random while the derivation is shallow.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

from agentkit.errors import StructuredOutputError
from agentkit.testing.regexes import ATTEMPTS, sample_regex

MAX_DEPTH = 12


def sample_grammar(grammar: str, *, seed: int = 0) -> str:
    """A text the grammar accepts, or StructuredOutputError."""
    parser = lark_parser(grammar)
    if parser is None:
        raise StructuredOutputError(
            "writing text for a grammar needs the `lark` package (pip install lark); "
            "or answer the call with a FunctionModel"
        )
    rules: dict[str, list[list[Any]]] = {}
    for rule in parser.rules:
        rules.setdefault(rule.origin.name, []).append(list(rule.expansion))
    terminals = {t.name: t.pattern for t in parser.terminals}
    cost = _costs(rules)
    if math.isinf(cost.get("start", math.inf)):
        raise StructuredOutputError("the grammar's `start` rule derives no finite sentence")
    for attempt in range(ATTEMPTS):
        rng = None if seed == 0 and attempt == 0 else random.Random(f"{seed}:{attempt}")
        tokens = _derive("start", rules, cost, rng, 0)
        texts = [_terminal_text(terminals[name], rng) for name in tokens]
        for sep in ("", " "):
            if accepts(parser, sep.join(texts)):
                return sep.join(texts)
    raise StructuredOutputError("found no sentence the grammar accepts")


@functools.lru_cache(maxsize=32)
def lark_parser(grammar: str) -> Any:
    """The grammar as a lark parser; None without lark. A grammar lark cannot read raises
    StructuredOutputError."""
    try:
        import lark
    except ImportError:
        return None
    try:
        return lark.Lark(grammar, start="start")
    except lark.exceptions.LarkError as exc:
        raise StructuredOutputError(f"lark cannot read the grammar: {exc}") from exc


def accepts(parser: Any, text: str) -> bool:
    import lark

    try:
        parser.parse(text)
    except lark.exceptions.LarkError:
        return False
    return True


def _costs(rules: dict[str, list[list[Any]]]) -> dict[str, float]:
    """Fewest terminals each rule can derive (inf: none), by fixpoint."""
    cost = dict.fromkeys(rules, math.inf)
    changed = True
    while changed:
        changed = False
        for name, expansions in rules.items():
            best = min(_cost(e, cost) for e in expansions)
            if best < cost[name]:
                cost[name], changed = best, True
    return cost


def _cost(expansion: list[Any], cost: dict[str, float]) -> float:
    return sum(1 if s.is_term else cost.get(s.name, math.inf) for s in expansion)


def _derive(
    name: str,
    rules: dict[str, list[list[Any]]],
    cost: dict[str, float],
    rng: random.Random | None,
    depth: int,
) -> list[str]:
    finite = [e for e in rules[name] if not math.isinf(_cost(e, cost))]
    if rng is None or depth >= MAX_DEPTH:
        expansion = min(finite, key=lambda e: _cost(e, cost))
    else:
        expansion = rng.choice(finite)
    out: list[str] = []
    for sym in expansion:
        out += [sym.name] if sym.is_term else _derive(sym.name, rules, cost, rng, depth + 1)
    return out


def _terminal_text(pattern: Any, rng: random.Random | None) -> str:
    if type(pattern).__name__ == "PatternStr":
        return str(pattern.value)
    flags = "".join(sorted(pattern.flags))
    regex = f"(?{flags}:{pattern.value})" if flags else pattern.value
    return sample_regex(regex, seed=0 if rng is None else rng.randint(1, 2**31))
