"""One run's shared structured memory: what the roles of a multi-agent run wrote so far.

Each `MemoryItem` is typed (`kind`: the task, plan state, a tool result, a sub-answer,
feedback, a learned memory recalled for the run) and says who wrote it (`role`), in which
`stage` and `round`, what it costs in tokens and how important its producer deemed it.
Items are split into `Unit`s, one per sentence (a code or plan item: one per line), each a
`Passage` titled by the page or variable it came from: the router ranks and packs units,
so an item is never cut mid-sentence. Unit embeddings are computed once, lazily, in batches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from agentkit.text import Passage
from agentkit.tools.focus import sentences

if TYPE_CHECKING:
    from agentkit.memory.store.embedders import Embedder

Kind = Literal["task", "plan", "result", "subanswer", "feedback", "memory"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Stage = Literal["plan", "execute", "replan", "solve"]
_BY_LINE: tuple[Kind, ...] = ("plan",)  # code and plan lines are not prose: one unit a line
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def default_embedder() -> Embedder:
    """Word-hashing vectors: no model to load, deterministic (MiniLM only when asked)."""
    from agentkit.memory.store.embedders import HashingEmbedder

    return HashingEmbedder(dim=256)


@dataclass(frozen=True)
class MemoryItem:
    id: int
    kind: Kind
    text: str
    role: str
    """the role that produced it: "user", "memory", "planner", "executor", "replanner"..."""
    stage: str
    round: int
    tokens: int
    importance: float = 0.5
    title: str = ""
    """what its units are titled when the text has no "Title: " lines (a variable's name)"""


@dataclass(frozen=True)
class Unit:
    """One sentence (or line) of an item: the smallest thing routed."""

    item: MemoryItem
    passage: Passage
    line: int
    """which line of the item it is on (a result: which page)"""


@dataclass
class SharedMemory:
    """The items of one run, in the order they were written; `round` is the current round."""

    count: Callable[[str], int]
    embedder: Embedder = field(default_factory=default_embedder)
    items: list[MemoryItem] = field(default_factory=list)
    round: int = 0
    notes_header: str = ""
    _units: list[Unit] = field(default_factory=list)
    _vectors: list[np.ndarray] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _shown: set[tuple[str, str]] = field(default_factory=set)

    def add(
        self,
        kind: Kind,
        text: str,
        *,
        role: str,
        stage: str,
        importance: float = 0.5,
        title: str = "",
    ) -> MemoryItem | None:
        """Write an item in the current round; None when it is empty or already there (the
        same kind and text), so a round that repeats the last one adds nothing."""
        text = text.strip()
        if not text or (kind, text) in self._seen:
            return None
        self._seen.add((kind, text))
        item = MemoryItem(
            id=len(self.items),
            kind=kind,
            text=text,
            role=role,
            stage=stage,
            round=self.round,
            tokens=self.count(text),
            importance=importance,
            title=title,
        )
        self.items.append(item)
        for unit in split(item):  # a sentence already in memory (the same page found twice)
            key = (unit.passage.title, unit.passage.text)
            if key not in self._shown:
                self._shown.add(key)
                self._units.append(unit)
        return item

    def find(self, kind: Kind, text: str) -> MemoryItem | None:
        """The item of `kind` with this text, if written."""
        text = text.strip()
        return next((i for i in self.items if i.kind == kind and i.text == text), None)

    def add_notes(self, notes: str) -> list[MemoryItem]:
        """A learned memory's notes block ("header", then "- item" lines) as one item a note;
        the header is kept to introduce the notes a role is given."""
        header = [ln for ln in notes.splitlines() if ln.strip() and not ln.startswith("- ")]
        self.notes_header = "\n".join(header)
        lines = [ln[2:] for ln in notes.splitlines() if ln.startswith("- ")]
        added = [self.add("memory", ln, role="memory", stage="plan") for ln in lines]
        return [a for a in added if a is not None]

    def next_round(self) -> bool:
        """Start the next round; False when the round that ended wrote nothing new."""
        changed = any(item.round == self.round for item in self.items)
        self.round += 1
        return changed

    def units(self) -> list[Unit]:
        return list(self._units)

    def vectors(self) -> np.ndarray:
        """Unit-length embeddings of every unit (rows in `units()` order)."""
        missing = self._units[len(self._vectors) :]
        if missing:
            rows = self.embedder.embed([u.passage.render() for u in missing])
            self._vectors += list(np.asarray(rows, dtype=np.float32))
        if not self._vectors:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack(self._vectors)

    def embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed([text]), dtype=np.float32)[0]


def split(item: MemoryItem) -> list[Unit]:
    """An item's units: plan items by line; results by the sentences of each "Title: text"
    line (untitled lines get the item's title); other items by sentence, under its title."""
    if item.kind in _BY_LINE:
        lines = [ln for ln in item.text.splitlines() if ln.strip()]
        return [_unit(item, item.title, ln.strip(), i, i) for i, ln in enumerate(lines)]
    if item.kind == "result":
        units: list[Unit] = []
        for s in sentences(item.text):
            units.append(_unit(item, s.title or item.title, s.text, s.position, len(units)))
        return units
    parts = [p for p in _SENTENCE_END.split(" ".join(item.text.split())) if p]
    return [_unit(item, item.title, p, 0, i) for i, p in enumerate(parts)]


def _unit(item: MemoryItem, title: str, text: str, line: int, position: int) -> Unit:
    passage = Passage(title=title, text=text, position=position, kind="sentence")
    return Unit(item=item, passage=passage, line=line)


def render(units: Sequence[Unit], notes_header: str = "") -> str:
    """Units in memory order, one line per item line: a result's pages as "Title: text", a
    sub-answer as "name = value", a plan line as "Plan: ...", feedback as "Feedback: ...",
    learned memories as "- note" under their header (once)."""
    lines: list[str] = []
    key: tuple[int, int] | None = None
    noted = False
    for u in sorted(units, key=lambda u: (u.item.id, u.line, u.passage.position)):
        text = u.passage.text
        if (u.item.id, u.line) == key:
            lines[-1] += f" {text}"
            continue
        key = (u.item.id, u.line)
        kind, title = u.item.kind, u.passage.title
        if kind == "memory" and not noted and notes_header:
            lines.append(notes_header)
            noted = True
        lines.append(_line(kind, title, text))
    return "\n".join(lines)


def _line(kind: Kind, title: str, text: str) -> str:
    if kind == "memory":
        return f"- {text}"
    if kind == "plan":
        return f"Plan: {text}"
    if kind == "feedback":
        return f"Feedback: {text}"
    if kind == "subanswer":
        return f"{title} = {text}" if title else text
    return f"{title}: {text}" if title else text
