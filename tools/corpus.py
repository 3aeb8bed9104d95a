"""A searchable set of titled passages: BM25 (bm25s) over "title + text".

Indexing 10 HotpotQA paragraphs takes a few milliseconds, so each question can have its own
corpus; an open corpus of thousands is built once and shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import bm25s
from pydantic import BaseModel, ConfigDict

from agentkit.errors import ConfigError


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    text: str

    def render(self) -> str:
        return f"{self.title}: {self.text}"


class Hit(BaseModel):
    document: Document
    score: float


DocumentLike = Document | Mapping[str, Any] | Sequence[Any]


class Corpus:
    def __init__(self, documents: Iterable[DocumentLike]) -> None:
        """Documents as Document, {"title", "text"} mappings, or (title, text) pairs where text
        may be a list of sentences (HotpotQA's context format)."""
        self.documents = [_as_document(d) for d in documents]
        if not self.documents:
            raise ConfigError("a corpus needs at least one document")
        tokens = bm25s.tokenize(
            [f"{d.title} {d.text}" for d in self.documents], stopwords="en", show_progress=False
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
        return len(self.documents)

    def search(self, query: str, k: int = 2) -> list[Hit]:
        """The k best passages with a positive score (none when no query word is indexed)."""
        return [Hit(document=self.documents[i], score=s) for i, s in self.rank(query, k)]

    def rank(self, query: str, k: int = 2) -> list[tuple[int, float]]:
        """`search` as (position in `documents`, score), for callers that keep their own
        records beside the documents."""
        words = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)
        if not words[0] or self._bm25 is None:
            return []
        k = min(k, len(self.documents))
        ids, scores = self._bm25.retrieve(words, k=k, show_progress=False)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


def _as_document(d: DocumentLike) -> Document:
    if isinstance(d, Document):
        return d
    if isinstance(d, Mapping):
        return Document.model_validate(d)
    if isinstance(d, Sequence) and not isinstance(d, str) and len(d) == 2:
        title, text = d
        if not isinstance(text, str):
            text = "".join(text).strip()
        return Document(title=str(title), text=text)
    raise ConfigError(
        f"cannot read {d!r:.80} as a document; give a Document, {{'title', 'text'}}, "
        "or (title, text) / (title, [sentences])"
    )
