"""A searchable set of titled passages: BM25 (bm25s) over "title + text".

Indexing 10 HotpotQA paragraphs takes a few milliseconds, so each question can have its own
corpus; an open corpus of thousands is built once and shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import bm25s
from pydantic import BaseModel

from agentkit.errors import ConfigError
from agentkit.text import Passage, PassageLike, as_passage


class Hit(BaseModel):
    passage: Passage
    score: float


class Corpus:
    def __init__(self, passages: Iterable[PassageLike]) -> None:
        """Passages as Passage, {"title", "text"} mappings, or (title, text) pairs where text
        may be a list of sentences (HotpotQA's context format)."""
        self.passages = [as_passage(p) for p in passages]
        if not self.passages:
            raise ConfigError("a corpus needs at least one passage")
        tokens = bm25s.tokenize(
            [f"{p.title} {p.text}" for p in self.passages], stopwords="en", show_progress=False
        )
        self._bm25: bm25s.BM25 | None = None
        if tokens.vocab:  # bm25s cannot index a corpus of stopwords and one-letter words
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokens, show_progress=False)

    @classmethod
    def from_hotpot(cls, context: Iterable[Sequence[Any]]) -> Corpus:
        """A HotpotQA question's `context`: [[title, [sentence, ...]], ...]."""
        return cls(context)

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: str, k: int = 2) -> list[Hit]:
        """The k best passages with a positive score (none when no query word is indexed)."""
        return [Hit(passage=self.passages[i], score=s) for i, s in self.rank(query, k)]

    def rank(self, query: str, k: int = 2) -> list[tuple[int, float]]:
        """`search` as (position in `passages`, score), for callers that keep their own
        records beside the documents."""
        words = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)
        if not words[0] or self._bm25 is None:
            return []
        k = min(k, len(self.passages))
        ids, scores = self._bm25.retrieve(words, k=k, show_progress=False)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]
