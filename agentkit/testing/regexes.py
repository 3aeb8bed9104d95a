"""A short text that fully matches a regex, built from Python's own regex parser.

Seed 0 takes the simplest choices (the first alternative, the fewest repeats, letters before
other characters), so a test can predict the text; other seeds choose at random,
reproducibly. Constructs the walk cannot honour (lookarounds, word boundaries) are left to
the final `re.fullmatch` check, and a few random attempts follow the simple one.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from agentkit.errors import StructuredOutputError

try:  # Python >= 3.11
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as P

ATTEMPTS = 64
_ALPHABET = (
    string.ascii_lowercase + string.ascii_uppercase + string.digits + " -_.,:;!?'\"()/+*=#@&%$<>"
    "[]{}|\\^~`\n\t" + "éßΩ€"
)
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}


def sample_regex(pattern: str, *, seed: int = 0) -> str:
    """A text `re.fullmatch(pattern, text)` accepts, or StructuredOutputError."""
    compiled = re.compile(pattern)
    parsed = P.parse(pattern)
    why = f"{ATTEMPTS} tries did not match"
    for attempt in range(ATTEMPTS):
        rng = None if seed == 0 and attempt == 0 else random.Random(f"{seed}:{attempt}")
        try:
            text = _Walk(rng, parsed.state.flags).seq(parsed)
        except StructuredOutputError as exc:
            why = str(exc)
            continue
        if compiled.fullmatch(text):
            return text
    raise StructuredOutputError(f"found no text matching the regex {pattern!r}: {why}")


class _Walk:
    def __init__(self, rng: random.Random | None, flags: int) -> None:
        self.rng = rng
        self.flags = flags
        self.groups: dict[int, str] = {}

    def pick(self, options: list[Any]) -> Any:
        return options[0] if self.rng is None else self.rng.choice(options)

    def seq(self, items: Any) -> str:
        return "".join(self.item(op, av) for op, av in items)

    def item(self, op: Any, av: Any) -> str:
        if op is C.LITERAL:
            return chr(av)
        if op is C.NOT_LITERAL:
            return self.char(lambda c: ord(c) != av and not self._same(c, chr(av)))
        if op is C.ANY:
            return self.char(lambda c: c != "\n" or bool(self.flags & re.DOTALL))
        if op is C.IN:
            return self.char(lambda c: self._in(c, av), _representatives(av, self.rng))
        if op is C.BRANCH:
            return self.seq(self.pick(av[1]))
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            high = min(high, low + 3)
            count = low if self.rng is None else self.rng.randint(low, high)
            return "".join(self.seq(sub) for _ in range(count))
        if op is C.SUBPATTERN:
            group, add, remove, sub = av
            saved, self.flags = self.flags, (self.flags | add) & ~remove
            text = self.seq(sub)
            self.flags = saved
            if group is not None:
                self.groups[group] = text
            return text
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.seq(av)
        if op is C.GROUPREF:
            return self.groups.get(av, "")
        if op is C.GROUPREF_EXISTS:
            group, yes, no = av
            return self.seq(yes) if group in self.groups else self.seq(no or [])
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return ""  # checked by the final fullmatch
        raise StructuredOutputError(f"cannot write text for regex construct {op}")

    def char(self, accepts: Any, first: list[str] | None = None) -> str:
        options = [c for c in [*(first or []), *_ALPHABET] if accepts(c)]
        if not options:
            raise StructuredOutputError("a character class accepts no character tried")
        return str(self.pick(options))

    def _same(self, a: str, b: str) -> bool:
        return bool(self.flags & re.IGNORECASE) and a.lower() == b.lower()

    def _in(self, c: str, items: Any) -> bool:
        hit, negate = False, False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                hit = hit or ord(c) == av or self._same(c, chr(av))
            elif op is C.RANGE:
                hit = hit or any(av[0] <= ord(x) <= av[1] for x in self._cases(c))
            elif op is C.CATEGORY:
                hit = hit or bool(re.fullmatch(_CATEGORIES.get(av, "(?!)"), c))
        return hit != negate

    def _cases(self, c: str) -> set[str]:
        return {c, c.lower(), c.upper()} if self.flags & re.IGNORECASE else {c}


def _representatives(items: Any, rng: random.Random | None) -> list[str]:
    """Characters a positive class names itself: tried before the general alphabet."""
    if items and items[0][0] is C.NEGATE:
        return []
    reps = []
    for op, av in items:
        if op is C.LITERAL:
            reps.append(chr(av))
        elif op is C.RANGE:
            reps.append(chr(av[0] if rng is None else rng.randint(av[0], av[1])))
    return reps
