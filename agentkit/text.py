"""Titled text: the one type for every piece of text agentkit retrieves, ranks or shows.

A `Passage` is a page or passage ("Paris: Paris is the capital of France."), one sentence
of a page (`kind="sentence"`, `position` = its index in the page), or a triplet shown with
the page it came from (`kind="triplet"`). Search results, graph nodes, focused evidence and
budgeted selections are all passages, so one renderer and one packer serve them all.

A `Paragraph` is a page together with its sentence boundaries (HotpotQA's context format):
the input that sentence-level retrieval splits into sentence passages. Its `key` hashes
its content, so caches keyed by it stay valid across runs and machines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from agentkit.errors import ConfigError

Kind = Literal["passage", "sentence", "triplet"]
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with every lone surrogate (which no encoder can write: a tokenizer, an HTTP
    body or a trace file would raise UnicodeEncodeError) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


T = TypeVar("T", bound=BaseModel)


class Passage(BaseModel):
    """Titled text; see the module docstring for the three kinds."""

    model_config = ConfigDict(frozen=True)

    title: str
    text: str
    position: int = 0
    kind: Kind = "passage"

    @property
    def id(self) -> str:
        """ "title#position": unique for the sentences of a corpus."""
        return f"{self.title}#{self.position}"

    def render(self) -> str:
        """ "Title: text" — the title in front also resolves pronouns for an embedder."""
        return f"{self.title}: {self.text}"


class Paragraph(BaseModel):
    """A titled list of sentences."""

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

    def passage(self) -> Passage:
        """The whole page as one passage."""
        return Passage(title=self.title, text=self.text)

    def split(self) -> list[Passage]:
        """One sentence passage per non-empty sentence, keeping its original position."""
        return [
            Passage(title=self.title, text=s.strip(), position=i, kind="sentence")
            for i, s in enumerate(self.sentences)
            if s.strip()
        ]


PassageLike = Passage | Mapping[str, Any] | Sequence[Any]
ParagraphLike = Paragraph | Mapping[str, Any] | Sequence[Any]


def as_passage(item: PassageLike) -> Passage:
    """A Passage from a Passage, {"title", "text"}, or (title, text) where text may be a list
    of sentences (HotpotQA's context format; joined as they are)."""

    def pair(title: str, text: Any) -> Passage:
        return Passage(title=title, text=text if isinstance(text, str) else "".join(text).strip())

    return _coerce(
        item, Passage, pair, "{'title', 'text'}, or (title, text) / (title, [sentences])"
    )


def as_paragraph(item: ParagraphLike) -> Paragraph:
    """A Paragraph from a Paragraph, {"title", "sentences"} or (title, [sentences])."""

    def pair(title: str, sentences: Any) -> Paragraph:
        listed = [sentences] if isinstance(sentences, str) else sentences
        return Paragraph(title=title, sentences=tuple(str(s) for s in listed))

    return _coerce(item, Paragraph, pair, "{'title', 'sentences'} or (title, [sentence, ...])")


def _coerce(item: Any, cls: type[T], pair: Callable[[str, Any], T], forms: str) -> T:
    """`item` as `cls`: itself, validated from a mapping, or built from a (title, x) pair."""
    if isinstance(item, cls):
        return item
    if isinstance(item, Mapping):
        return cls.model_validate(item)
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        return pair(str(item[0]), item[1])
    raise ConfigError(
        f"cannot read {item!r:.80} as a {cls.__name__.lower()}; give a {cls.__name__}, {forms}"
    )


def as_paragraphs(items: Iterable[ParagraphLike]) -> list[Paragraph]:
    return [as_paragraph(item) for item in items]
