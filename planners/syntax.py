"""Reading `tool[input]` calls out of model text: inputs may span lines and nest brackets."""

from __future__ import annotations

import re

REF = re.compile(r"#E(\d+)", re.IGNORECASE)
PAIRS = {"[": "]", "(": ")"}


def closing_bracket(
    text: str, start: int, opener: str = "[", limit: int | None = None
) -> int | None:
    """Index of the bracket closing the one just before `start`, or None before `limit`."""
    closer, depth = PAIRS[opener], 1
    for i in range(start, len(text) if limit is None else limit):
        if text[i] == opener:
            depth += 1
        elif text[i] == closer:
            depth -= 1
            if depth == 0:
                return i
    return None
