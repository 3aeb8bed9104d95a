"""Reading `tool[input]` calls out of model text: inputs may span lines and nest brackets.

An input may also be quoted, `tool["..."]`: a JSON string, so any text (`]`, `#`, newlines,
quotes) reaches the tool exactly as written, escapes decoded.
"""

from __future__ import annotations

import json
import re

REF = re.compile(r"#E(\d+)", re.IGNORECASE)
CALL = re.compile(r"#E(\d+)\s*[=:]\s*([A-Za-z_][\w-]*)\s*\[", re.IGNORECASE)
PAIRS = {"[": "]", "(": ")"}
# one line, so a cheap scan; escapes are checked by the JSON decoder, raw tabs allowed
QUOTED = re.compile(r'\s*("(?:[^"\\\n]|\\.)*")\s*')
_DECODER = json.JSONDecoder(strict=False)
_PLAIN_EDGES = ":\"'`"  # what ReAct strips from the ends of a plain input


def read_quoted(text: str, start: int, closer: str = "]") -> tuple[str, int] | None:
    """A quoted input starting at `start` and closed by `closer`: (its text, the closer's
    index), or None where the input is not one (then it is read as plain text)."""
    match = QUOTED.match(text, start)
    if match is None or not text.startswith(closer, match.end()):
        return None
    try:
        value = _DECODER.decode(match.group(1))
    except ValueError:
        return None
    return value, match.end()


def write_call(tool: str, text: str) -> str:
    """`tool[text]`, or `tool["..."]` where the plain form would not read back as `text`
    (by ReWOO's plan parser and ReAct's action parser alike)."""
    plain = (
        text == text.strip(_PLAIN_EDGES).strip()
        and "\n" not in text
        and "**" not in text
        and closing_bracket(f"{text}]", 0) == len(text)
        and CALL.search(text) is None
    )
    return f"{tool}[{text if plain else json.dumps(text, ensure_ascii=False)}]"


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
