"""LearnedMemory: the one write path and the one read path every kind of learned memory shares.

Write: `learn(episode, llm)` judges the run (unless a judgement is given), credits the items
the run used with its outcome, asks the kind's distiller for new items, merges them by the
kind's rule, applies the size cap and saves the store (a crash-safe new generation), so an
item is on disk when `learn` returns.
Read: `recall(task, llm, ...)` retrieves candidates (by embedding, or by the kind's own
selection), weighs them by how runs that used them ended, and packs whole items into the
token cap. `mark_used` then counts the run as a use (and the items its plan cited).

Forgetting: `forget()` prunes items whose use goes with failures (at least `prune_failures`
failed runs and a smoothed success rate below `prune_trust`); the size cap (`max_items`)
removes the items with the least evidence of helping first. Retrieval ranks by similarity
times (0.5 + trust), so an item that keeps failing sinks before it is pruned.
"""

from __future__ import annotations

import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, Field

from agentkit.errors import (
    ContextWindowExceededError,
    MalformedMemoryError,
    MalformedResponseError,
    StructuredOutputError,
)
from agentkit.llm.model import Model
from agentkit.prompts import PromptTemplates

from .calls import Calls
from .episode import Episode, read_episodes
from .inject import Candidate, Recall, pack
from .items import ItemMeta, Outcome, Provenance
from .judge import Judge, Judgement, SelfJudge
from .settings import MemorySettings

if TYPE_CHECKING:  # FAISS loads with the store itself, not with `import agentkit`
    from ..store import Collection, Record, VectorStore

log = logging.getLogger(__name__)

PACKAGE = "agentkit.memory.learned"
"""where the memories' prompt templates live"""

UNREADABLE = (
    MalformedMemoryError,
    StructuredOutputError,
    MalformedResponseError,
    ContextWindowExceededError,
)
"""What a distiller call may end in that costs its items, never the run: a reply that is
malformed, cut short against its constraint, or a run too long to show."""


class LearnReport(BaseModel):
    """What one `learn` did: items written or merged, replies left out and why, tokens."""

    added: list[str] = Field(default_factory=list)
    merged: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    judgement: Judgement | None = None
    tokens: int = Field(default=0, description="prompt + completion tokens of learning calls")


class LearnedMemory(ABC):
    """One kind of learned memory in one collection of a VectorStore."""

    collection_name: ClassVar[str]
    templates: ClassVar[dict[str, tuple[str, ...]]]
    defaults: ClassVar[dict[str, object]] = {}
    notes_template: ClassVar[str] = "notes"
    """the template of the block a run is given ({items}), overridable like the others"""
    gives_examples: ClassVar[bool] = False
    """its items are worked examples: a planner that takes examples shows them instead of its
    own (Recall.examples), rather than reading them as notes"""

    def __init__(
        self,
        store: VectorStore,
        *,
        judge: Judge | None = None,
        settings: MemorySettings | None = None,
        collection: str | None = None,
        prompt_templates: Mapping[str, str] | None = None,
    ) -> None:
        """`judge` labels runs (default: the model itself); `settings` default to the kind's
        own; `prompt_templates` replaces any of the kind's templates or its notes block's
        (`notes_template`, filled with {items})."""
        self.store = store
        self.name = collection or self.collection_name
        self.items: Collection[ItemMeta] = store.collection(self.name, ItemMeta)
        self.judge: Judge = judge or SelfJudge()
        self.settings = settings or MemorySettings.model_validate(self.defaults)
        fields = {**self.templates, self.notes_template: ("items",)}
        owner = type(self).__name__
        self.prompts = PromptTemplates(owner, PACKAGE, fields, prompt_templates)

    # -- write path ------------------------------------------------------------------------
    async def learn(
        self, episode: Episode, llm: Model, *, judgement: Judgement | None = None
    ) -> LearnReport:
        """Learn from one finished run; never raises for a malformed distiller reply."""
        calls = Calls(llm, f"learn-{episode.run_id or uuid.uuid4().hex[:12]}")
        before = calls.tokens()
        judgement = judgement or await self.judge(episode, calls)
        report = LearnReport(judgement=judgement)
        self.credit(episode, judgement)
        try:
            metas, problems = await self.distill(episode, judgement, calls)
        except UNREADABLE as exc:
            metas, problems = [], [f"{type(exc).__name__}: {exc}"]
        for problem in problems:
            log.warning("%s: run %s: %s", self.name, episode.run_id or "?", problem)
        report.problems = problems
        for meta in metas[: self.settings.max_items_per_run]:
            meta.provenance = Provenance(
                run_ids=[episode.run_id] if episode.run_id else [],
                question_ids=[episode.question_id] if episode.question_id else [],
                judge=judgement.judge if judgement else "none",
                outcome=_outcome(judgement),
            )
            item_id, merged = self.merge(meta)
            (report.merged if merged else report.added).append(item_id)
        self.enforce_cap()
        self.save()
        report.tokens = calls.tokens() - before
        return report

    async def learn_many(self, episodes: Iterable[Episode], llm: Model) -> list[LearnReport]:
        return [await self.learn(e, llm) for e in episodes]

    async def learn_file(self, path: str | Path, llm: Model) -> list[LearnReport]:
        """Learn from every run in a JSONL file (a trace, or `agentkit eval` results)."""
        return await self.learn_many(read_episodes(path), llm)

    @abstractmethod
    async def distill(
        self, episode: Episode, judgement: Judgement | None, calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        """New items from a run, and the problems met reading the model's replies."""

    def merge(self, meta: ItemMeta) -> tuple[str, bool]:
        """Store a new item; returns its id and whether it merged into an existing one.
        The default appends (ReasoningBank's consolidation)."""
        return self.items.add(meta.render(), metadata=meta)[0], False

    def _update(self, item_id: str, meta: ItemMeta) -> None:
        self.items.upsert(meta.render(), ids=item_id, metadata=meta)

    def _absorb(self, target: Record[ItemMeta], new: ItemMeta) -> tuple[str, bool]:
        """Merge `new`'s provenance into a stored item (whose fields, the first writer's,
        stay): the item now counts both runs as its sources."""
        meta, p = target.metadata, target.metadata.provenance
        p.run_ids = _union(p.run_ids, new.provenance.run_ids)
        p.question_ids = _union(p.question_ids, new.provenance.question_ids)
        self._update(target.id, meta)
        return target.id, True

    def _closest(self, meta: ItemMeta, **where: str) -> Record[ItemMeta] | None:
        """The stored item of the same kind (and `where`) most similar to `meta`, if it
        passes `merge_similarity`."""
        where = {"kind": meta.kind, **where}
        if self.items.count(where) == 0:
            return None
        hit = self.items.search(meta.render(), top_k=1, where=where)[0]
        return hit.record if hit.score >= self.settings.merge_similarity else None

    def _same(self, meta: ItemMeta, field: str) -> Record[ItemMeta] | None:
        """The stored item of the same kind with the same (non-empty) `field`, if any."""
        value = getattr(meta, field)
        where = {"kind": meta.kind, field: value}
        if not value or self.items.count(where) == 0:
            return None
        return self.items.search(meta.render(), top_k=1, where=where)[0].record

    def credit(self, episode: Episode, judgement: Judgement | None) -> None:
        """Count the run's outcome on the items it was given."""
        if judgement is None or not episode.used:
            return
        for record in self.items.get_many(episode.used):
            p = record.metadata.provenance
            if judgement.success:
                p.used_successes += 1
            else:
                p.used_failures += 1
            self._update(record.id, record.metadata)

    # -- read path -------------------------------------------------------------------------
    async def candidates(self, task: str, calls: Calls) -> list[Candidate]:
        """The top_k items by embedding similarity, weighted by trust."""
        if self.items.count() == 0:
            return []
        hits = self.items.search(task, top_k=self.settings.top_k)
        return [
            Candidate(
                id=h.record.id,
                memory=self.name,
                meta=h.record.metadata,
                relevance=h.score * (0.5 + h.record.metadata.provenance.trust),
            )
            for h in hits
            if h.score >= self.settings.min_similarity
        ]

    async def recall(
        self,
        task: str,
        llm: Model,
        *,
        run_id: str = "recall",
        run_limit: int | None = None,
        examples: bool = False,
    ) -> Recall:
        """Items for a task, packed whole into the settings' cap (and their share of
        `run_limit`, the run's input or total token limit, when it has one). `examples`: the
        planner takes worked examples, so a kind that gives them packs them as examples."""
        t0 = time.perf_counter()
        found = await self.candidates(task, Calls(llm, run_id))
        as_examples = examples and self.gives_examples
        most = self.settings.example_tokens if as_examples else self.settings.max_tokens
        cap = notes_cap(most, self.settings.budget_share, run_limit)
        header = self.prompts[self.notes_template]
        result = pack(found, cap, llm.tokenizer.count_text, header, as_examples=as_examples)
        result.retrieval_ms = (time.perf_counter() - t0) * 1e3
        return result

    def mark_used(self, recall: Recall, cited: Iterable[str] = ()) -> None:
        """A run was given these items (and its plan named `cited`); saved at once."""
        names = set(cited)
        mine = [c.id for c in recall.items if c.memory == self.name]
        for record in self.items.get_many(mine):
            record.metadata.provenance.uses += 1
            record.metadata.provenance.cited += record.metadata.label in names
            self._update(record.id, record.metadata)
        if mine:
            self.save()

    # -- forgetting and the size cap -------------------------------------------------------
    def forget(self) -> list[str]:
        """Prune items whose use goes with failures; returns their ids."""
        s = self.settings
        doomed = [
            r.id
            for r in self.all()
            if r.metadata.provenance.used_failures >= s.prune_failures
            and r.metadata.provenance.trust < s.prune_trust
        ]
        if doomed:
            self.items.delete(doomed)
            log.info("%s: forgot %d items used mostly by failed runs", self.name, len(doomed))
            self.save()
        return doomed

    def enforce_cap(self) -> list[str]:
        """Remove the least proven items past `max_items` (lowest trust, fewest uses, oldest)."""
        extra = self.items.count() - self.settings.max_items
        if extra <= 0:
            return []
        ranked = sorted(
            self.all(),
            key=lambda r: (r.metadata.provenance.trust, r.metadata.provenance.uses, r.created_at),
        )
        doomed = [r.id for r in ranked[:extra]]
        self.items.delete(doomed)
        return doomed

    def all(self) -> list[Record[ItemMeta]]:
        """Every item's record (a memory is small: hundreds of items)."""
        if self.items.count() == 0:
            return []
        everything = self.items.search(whole_collection(self.store.dim), self.items.count())
        return [h.record for h in everything]

    def save(self) -> None:
        """Write the store (crash-safe: a whole new generation) when it lives on disk."""
        if self.store.path is not None and not self.store.read_only:
            self.store.save()


def notes_cap(max_tokens: int, share: float, run_limit: int | None) -> int:
    """The notes block's cap: `max_tokens`, and at most `share` of a run's token limit."""
    return max_tokens if run_limit is None else min(max_tokens, int(share * run_limit))


def whole_collection(dim: int) -> list[float]:
    """A query every item is equally close to: lists a whole collection by search."""
    return [1.0] + [0.0] * (dim - 1)


def _union(old: list[str], new: list[str]) -> list[str]:
    return old + [x for x in new if x not in old]


def _outcome(judgement: Judgement | None) -> Outcome:
    if judgement is None:
        return "unknown"
    return "success" if judgement.success else "failure"
