"""Paragraphs in, sentence chunks out: the units the knowledge graph links and selects.

A chunk keeps its paragraph's title and its position, so a selection can be shown grouped
by title and scored against sentence-level gold (HotpotQA's supporting facts are
(title, sentence index) pairs). A paragraph's `key` hashes its content: caches keyed by it
stay valid across runs and machines, and change when the text does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from agentkit.errors import ConfigError


class Paragraph(BaseModel):
    """A titled list of sentences (HotpotQA's context format)."""

    model_config = ConfigDict(frozen=True)

    title: str
    sentences: tuple[str, ...]

    @property
    def key(self) -> str:
        """sha256 of the title and sentences: the content address used by caches."""
        payload = json.dumps([self.title, list(self.sentences)], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def text(self) -> str:
        return " ".join(s.strip() for s in self.sentences if s.strip())


class Chunk(BaseModel):
    """One sentence of a paragraph; `id` is "title#position", unique in a corpus."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    position: int
    text: str

    def embedding_text(self) -> str:
        """The title in front resolves pronouns ("He was born ...") for the embedder."""
        return f"{self.title}: {self.text}"


ParagraphLike = Paragraph | Mapping[str, Any] | Sequence[Any]


def as_paragraph(item: ParagraphLike) -> Paragraph:
    """A Paragraph from a Paragraph, {"title", "sentences"} or (title, [sentences])."""
    if isinstance(item, Paragraph):
        return item
    if isinstance(item, Mapping):
        return Paragraph.model_validate(item)
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        title, sentences = item
        if isinstance(sentences, str):
            sentences = [sentences]
        return Paragraph(title=str(title), sentences=tuple(str(s) for s in sentences))
    raise ConfigError(
        f"cannot read {item!r:.80} as a paragraph; give a Paragraph, "
        "{'title', 'sentences'} or (title, [sentence, ...])"
    )


def as_paragraphs(items: Iterable[ParagraphLike]) -> list[Paragraph]:
    return [as_paragraph(item) for item in items]


def chunk_paragraph(paragraph: Paragraph) -> list[Chunk]:
    """One chunk per non-empty sentence, keeping the sentence's original position."""
    return [
        Chunk(id=f"{paragraph.title}#{i}", title=paragraph.title, position=i, text=s.strip())
        for i, s in enumerate(paragraph.sentences)
        if s.strip()
    ]
