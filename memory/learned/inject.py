"""Fitting recalled items into a run's prompt: whole items, most relevant first, under a
token cap; what does not fit is dropped from the least relevant end, never cut mid-item.

The injected block's tokens are counted with the model's tokenizer (the engine's own) and
reported under the ledger role "memory", apart from the planner's other prompt tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from .items import ItemMeta

log = logging.getLogger(__name__)


class Candidate(BaseModel):
    """A retrieved item and how relevant it is to the task (higher first)."""

    id: str
    memory: str = Field(description="the collection it lives in")
    meta: ItemMeta
    relevance: float


class Recall(BaseModel):
    """What a run is given: the notes block (and worked examples, for a planner that shows
    them in place of its own), the items in them and the ones left out."""

    text: str = ""
    examples: str = Field(default="", description="worked examples, apart from the notes")
    items: list[Candidate] = Field(default_factory=list)
    dropped: list[Candidate] = Field(default_factory=list, description="did not fit the cap")
    tokens: int = Field(default=0, description="notes and examples in the model's tokens")
    retrieval_ms: float = 0.0

    def __add__(self, other: Recall) -> Recall:
        """Both recalls as one (notes and examples joined; retrieval times added)."""
        return Recall(
            text="\n\n".join(t for t in (self.text, other.text) if t),
            examples="\n\n".join(e for e in (self.examples, other.examples) if e),
            items=self.items + other.items,
            dropped=self.dropped + other.dropped,
            tokens=self.tokens + other.tokens,
            retrieval_ms=self.retrieval_ms + other.retrieval_ms,
        )

    @property
    def names(self) -> list[str]:
        return [c.meta.label for c in self.items]

    def cited_in(self, text: str | None) -> list[str]:
        """The injected items' names that `text` (a plan) mentions."""
        lowered = (text or "").lower()
        labels = [c.meta.label for c in self.items]
        return [label for label in labels if label and label.lower() in lowered]


def pack(
    candidates: Sequence[Candidate],
    max_tokens: int,
    count: Callable[[str], int],
    header: str,
    *,
    as_examples: bool = False,
) -> Recall:
    """The most relevant items whose block (`header` with {items} filled) fits `max_tokens`:
    the longest prefix, by relevance, that fits; the rest are dropped whole. `as_examples`:
    the items are worked examples for the planner's own example slot, so they come as
    `Recall.examples`, one after another, without the header."""
    ranked = sorted(candidates, key=lambda c: -c.relevance)
    kept = list(ranked)
    while kept:
        if as_examples:
            text = "\n\n".join(c.meta.example() for c in kept)
        else:
            text = header.format(items="\n".join(f"- {c.meta.render()}" for c in kept))
        tokens = count(text)
        if tokens <= max_tokens:
            break
        kept.pop()
    else:
        text, tokens = "", 0
    dropped = ranked[len(kept) :]
    if dropped:
        log.info(
            "memory: %d items did not fit %d tokens; dropped %s",
            len(dropped),
            max_tokens,
            [c.meta.label for c in dropped],
        )
    if as_examples:
        return Recall(examples=text, items=kept, dropped=dropped, tokens=tokens)
    return Recall(text=text, items=kept, dropped=dropped, tokens=tokens)
