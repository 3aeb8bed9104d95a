"""Choice questions ("Which peak is higher, A or B?"): read each option's deciding fact,
then compare in code.

On HotpotQA's training split (questions 51-200) the one-call reader scored F1 53.1 on the
32 questions that name two options to choose from, near a coin toss: the 1.5B model finds
"8,035 m" and "7,205 m" in its evidence but does not reliably compare them; read this way,
68.8 for 61 more tokens per question. Asked instead for one line
per option (the fact that decides), it copies the right fact most of the time. When both
facts hold a date or a number and the question says which way it goes (higher, fewer, born
first, more recently...), the comparison is made here; otherwise one short call chooses
between the two fact lines. Whatever does not parse gives None, and the reader answers as
it would have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

__all__ = ["choose", "decide", "fact_lines", "options", "value"]

_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_HEADS = {"is", "was", "are", "were", "which", "who", "what", "did", "does", "do", "has", "had"}
_JOINERS = {"of", "the", "and", "de", "la", "le", "von", "van", "der", "del", "da", "&"}
_MAX_OPTION_WORDS = 8

_EARLY = re.compile(r"\b(first|earlier|earliest|older|oldest|before|sooner)\b", re.I)
_LATE = re.compile(
    r"\b(later|latest|last|more recent(ly)?|most recent(ly)?|newer|newest|younger|youngest)\b",
    re.I,
)
_UP = re.compile(
    r"\b(more|most|higher|highest|taller|tallest|larger|largest|bigger|biggest|longer|longest|"
    r"greater|greatest|heavier|heaviest|deeper|deepest|wider|widest|older|oldest)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(fewer|fewest|less|least|lower|lowest|smaller|smallest|shorter|shortest|younger|"
    r"youngest)\b",
    re.I,
)
_MONTH_NAMES = (
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december",
)  # fmt: skip
_MONTHS = {m: i + 1 for i, names in enumerate(_MONTH_NAMES) for m in names.split()}
_YEAR = re.compile(r"(?<![\d,.])(1\d{3}|20\d{2})(?![\d,]|\s*(?:m|km|ft|feet|metres|meters)\b)")
_MONTH = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.I)
_DAY = re.compile(r"\b([12]?\d|3[01])\b")
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?!\d|st\b|nd\b|rd\b|th\b|-)", re.I)
_SPELLED = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_WORD_NUMBERS = {w: i for i, w in enumerate(_SPELLED)}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def options(question: str) -> tuple[str, str] | None:
    """The two options a choice question names ("..., A or B?", "Is A or B ...?"), or None."""
    text = question.strip().rstrip("?").strip()
    if " or " not in text:
        return None
    left, right = text.rsplit(" or ", 1)
    comma = left.rfind(",")
    if comma >= 0 and "," not in right[:1]:
        a, b = left[comma + 1 :], right.split(",")[0]
    else:
        a, b = _names(left.split(), backward=True), _names(right.split(), backward=False)
    pair = tuple(_ARTICLE.sub("", x.strip(" \"'“”‘’,.;:")).strip() for x in (a, b))
    if not all(pair) or any(len(x.split()) > _MAX_OPTION_WORDS for x in pair):
        return None
    return pair[0], pair[1]


def _names(words: Sequence[str], *, backward: bool) -> str:
    """The run of capitalised words (with joiners such as "of") next to " or "."""
    run: list[str] = []
    for word in reversed(words) if backward else words:
        bare = word.strip("\"'“”‘’,;:()")
        if not bare or (backward and bare.lower() in _HEADS):
            break
        if bare[0].isupper() or bare[0].isdigit() or (run and bare.lower() in _JOINERS):
            run.append(word)
        else:
            break
    if backward:
        run.reverse()
    while run and run[-1].lower() in _JOINERS:
        run.pop()
    while run and run[0].lower() in _JOINERS:
        run.pop(0)
    return " ".join(run)


def fact_lines(reply: str, a: str, b: str) -> tuple[str, str] | None:
    """Each option's fact from the model's two lines ("A: fact"), or None if not both."""
    lines = [ln.strip(" -*•\t") for ln in reply.splitlines() if ln.strip(" -*•\t")]
    found: dict[str, str] = {}
    for line in lines:
        low = line.lower()
        for name in (a, b):
            if name not in found and low.startswith(name.lower()):
                found[name] = line[len(name) :].lstrip(" :-–").strip()
                break
    if not found and len(lines) >= 2:
        found = {a: lines[0].split(":", 1)[-1].strip(), b: lines[1].split(":", 1)[-1].strip()}
    if not found.get(a) or not found.get(b):
        return None
    return found[a], found[b]


Value = tuple[Literal["date", "number"], tuple[float, ...]]


def value(fact: str) -> list[Value]:
    """What a fact can be compared as: a date (year, month, day) and/or a number."""
    out: list[Value] = []
    year = _YEAR.search(fact)
    if year:
        month = _MONTH.search(fact)
        m = _MONTHS[month.group(1).lower()] if month else 0
        day = 0
        if month:
            near = fact[max(0, month.start() - 4) : month.end() + 4]
            d = _DAY.search(near.replace(month.group(0), " "))
            day = int(d.group(1)) if d and d.group(1) != year.group(1) else 0
        out.append(("date", (float(year.group(1)), float(m), float(day))))
    number = _NUMBER.search(fact)
    if number:
        x = float(number.group(1).replace(",", ""))
        after = fact[number.end() :].split()
        x *= _SCALE.get(after[0].lower().strip(".,"), 1.0) if after else 1.0
        out.append(("number", (x,)))
    else:
        words = [w.lower().strip(".,;") for w in fact.split()]
        spelled = next((_WORD_NUMBERS[w] for w in words if w in _WORD_NUMBERS), None)
        if spelled is not None:
            out.append(("number", (float(spelled),)))
    return out


def decide(question: str, a: str, b: str, fact_a: str, fact_b: str) -> str | None:
    """The option the facts pick, when they compare as dates or numbers and the question
    says which way; None when they do not (or tie)."""
    va, vb = dict(value(fact_a)), dict(value(fact_b))
    ways: list[tuple[str, int]] = []  # (kind, +1 larger wins / -1 smaller wins)
    if _EARLY.search(question):
        ways.append(("date", -1))
    if _LATE.search(question):
        ways.append(("date", +1))
    if _UP.search(question):
        ways.append(("number", +1))
    if _DOWN.search(question):
        ways.append(("number", -1))
    for kind, sign in ways:
        if kind in va and kind in vb and va[kind] != vb[kind]:
            larger = a if va[kind] > vb[kind] else b
            return larger if sign > 0 else (b if larger == a else a)
    return None


def choose(answer: str, a: str, b: str) -> str:
    """The option a free answer names (the question's wording of it), else the answer."""
    low = answer.lower().strip()
    for name in (a, b):
        if low and (low == name.lower() or low in name.lower() or name.lower() in low):
            return name
    return answer
