"""Focus a tool result on a query: keep the sentences that matter, under a token budget.

A search returns whole passages, but a step that reads one (a solver, an `llm[... #E1]`
call) needs only the few sentences about what it asks; the rest costs tokens and distracts
a small model. BM25 over the sentences, each scored with its passage's title so that every
sentence about the searched entity gains, picks them; they keep their original order under
their title, so the text still reads like the passages it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

from agentkit.memory.lexical import Corpus
from agentkit.packing import best_first, cap_tokens
from agentkit.text import Passage

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_MAX_TITLE_CHARS = 100


def sentences(text: str) -> list[Passage]:
    """Each line is a passage ("Title: text", as search renders it, or untitled text); its
    sentences come back with `position` = the number of the line they are on."""
    out = []
    for i, line in enumerate(text.splitlines()):
        title, sep, body = line.partition(": ")
        if not sep or len(title) > _MAX_TITLE_CHARS:
            title, body = "", line
        out += [
            Passage(title=title, text=s, position=i, kind="sentence")
            for s in _SENTENCE_END.split(body.strip())
            if s
        ]
    return out


def render(chosen: list[Passage]) -> str:
    """Sentences in their original order, one line per passage, under its title."""
    lines = []
    for (_, title), group in groupby(chosen, key=lambda s: (s.position, s.title)):
        body = " ".join(s.text for s in group)
        lines.append(f"{title}: {body}" if title else body)
    return "\n".join(lines)


def focus(text: str, query: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """`text` itself when it fits; else its sentences that match `query`, best first, while
    they fit (rendered in document order). Nothing matching: the start of the text, capped
    (empty when not even the cut marker fits)."""
    if count(text) <= max_tokens:
        return text
    units = sentences(text)
    ranked = _ranked(query, units) if units else []
    chosen = best_first(ranked, lambda ids: render([units[j] for j in ids]), max_tokens, count)
    if not chosen:
        start = cap_tokens(text, max_tokens, count)[0]
        return start if count(start) <= max_tokens else ""
    return render([units[j] for j in chosen])


def _ranked(query: str, units: list[Passage]) -> list[int]:
    """Indices of the sentences with a positive BM25 score, best first (ties: earlier first)."""
    corpus = Corpus(Passage(title=s.title or "-", text=s.text) for s in units)
    return [i for i, _ in sorted(corpus.rank(query, k=len(units)), key=lambda h: (-h[1], h[0]))]
