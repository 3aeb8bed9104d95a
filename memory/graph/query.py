"""Query the knowledge graph: seed from the question, Personalized PageRank, rank, select.

Seeds (the personalization vector) mix four signals, each normalised to sum 1 and then
weighted (QuerySettings): chunks close to the question (FAISS) and matching its words
(BM25), entities the question names (exact title match) or resembles (FAISS over names),
and triplets close to it. PPR then spreads that mass along mentions, triplets,
co-occurrence and similarity edges, which is what reaches the second hop of a bridge
question. A sentence's score is its PPR score plus its page's, times `lead_bonus` for a
page's first sentence (see `rank`); the budget is then filled in that order, except that
each further sentence of a page already offered counts `page_decay` times less, which
spreads the budget over more pages (see `units`). A triplet is offered only when it
outranks its own sentence (otherwise the sentence says it already).
Settings were chosen on the odd-numbered half of the 200 HotpotQA questions and are
reported on all 200 and on the held-out even half (benchmarks/context_compression.py).
"""

from __future__ import annotations

import heapq
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from agentkit.memory.lexical import Corpus, Hit
from agentkit.memory.store.records import SearchHit
from agentkit.packing import Selection, select_under_budget
from agentkit.text import Passage

from .build import KnowledgeIndex, chunk_node, entity_node, triplet_node
from .entities import normalize_entity
from .ppr import PageRank

Layout = tuple[list[str], NDArray[np.int_], NDArray[np.int_], NDArray[np.bool_]]


class QuerySettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    damping: float = Field(default=0.7, ge=0, lt=1, description="chance to follow an edge per step")
    dense_chunks: int = Field(default=10, ge=0)
    lexical_chunks: int = Field(default=10, ge=0)
    dense_entities: int = Field(default=5, ge=0)
    dense_triplets: int = Field(default=10, ge=0)
    entity_min: float = Field(default=0.5, description="cosine a resembled entity needs to seed")
    chunk_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    entity_weight: float = Field(default=1.0, ge=0)
    triplet_weight: float = Field(default=0.5, ge=0)
    page_weight: float = Field(default=1.0, ge=0, description="weight of the page's own score")
    lead_bonus: float = Field(
        default=1.5, ge=1, description="score factor of a page's first, defining sentence"
    )
    page_decay: float = Field(
        default=0.7, gt=0, le=1, description="score factor per sentence of its page offered"
    )
    candidates: int = Field(default=300, ge=1, description="top sentences the budget draws on")
    triplets_in_context: bool = True


class Ranking(BaseModel):
    """Chunk ids and triplet ids with their PPR scores, best first."""

    chunks: list[tuple[str, float]]
    triplets: list[tuple[str, float]]


def _normalised(scores: dict[str, float], weight: float) -> dict[str, float]:
    total = sum(v for v in scores.values() if v > 0)
    return {k: weight * v / total for k, v in scores.items() if v > 0} if total else {}


@dataclass(frozen=True)
class _Snapshot:
    """What queries need from one version of the index, built together."""

    version: int
    pagerank: PageRank
    bm25: Corpus
    bm25_ids: list[str]
    layouts: tuple[Layout, Layout]  # chunks, triplets

    @classmethod
    def of(cls, index: KnowledgeIndex) -> _Snapshot:
        chunks, triplets = list(index.chunks.values()), list(index.triplets.values())
        pagerank = PageRank(index.graph)

        def layout(items: list[tuple[str, str, str, bool]]) -> Layout:
            """(ids, score positions of the nodes and of their pages, which are leads)."""
            own = [pagerank.index[node] for node, _, _, _ in items]
            page = [pagerank.index[entity_node(normalize_entity(t))] for _, _, t, _ in items]
            ids, lead = [i for _, i, _, _ in items], [x for _, _, _, x in items]
            return ids, np.array(own, dtype=int), np.array(page, dtype=int), np.array(lead)

        return cls(
            version=index.version,
            pagerank=pagerank,
            bm25=Corpus(Passage(title=c.title, text=c.text) for c in chunks),
            bm25_ids=[c.id for c in chunks],
            layouts=(
                layout([(chunk_node(c.id), c.id, c.title, c.position == 0) for c in chunks]),
                layout([(triplet_node(t.id), t.id, t.title, False) for t in triplets]),
            ),
        )


class GraphRetriever:
    """Answers queries over a KnowledgeIndex; picks up documents added to it later."""

    def __init__(self, index: KnowledgeIndex, settings: QuerySettings | None = None) -> None:
        self.index = index
        self.settings = settings or QuerySettings()
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Snapshot:
        """The snapshot of the index's current version, rebuilt (once, under a lock: tools
        run in threads) after documents were added."""
        with self._lock:
            if self._snapshot is None or self._snapshot.version != self.index.version:
                self._snapshot = _Snapshot.of(self.index)
            return self._snapshot

    def seeds(self, question: str) -> dict[str, float]:
        """The personalization vector: node → weight."""
        s, index, snap = self.settings, self.index, self._current()
        vector = index.embedder.embed([question])[0]

        def dense(collection: Any, k: int, node: Callable[[str], str]) -> dict[str, float]:
            if not k or not collection.count():
                return {}
            hits: list[SearchHit[Any]] = collection.search(vector, top_k=k)
            return {node(h.record.id): h.score for h in hits}

        hits = snap.bm25.rank(question, s.lexical_chunks) if s.lexical_chunks else []
        lexical = {chunk_node(snap.bm25_ids[i]): score for i, score in hits}
        named = {entity_node(k): 1.0 for k in index.mentions.find(question)}
        resembled = dense(index.entity_vectors, s.dense_entities, entity_node)
        named |= {n: v for n, v in resembled.items() if v >= s.entity_min and n not in named}
        parts = [
            _normalised(dense(index.chunk_vectors, s.dense_chunks, chunk_node), s.chunk_weight),
            _normalised(lexical, s.lexical_weight),
            _normalised(named, s.entity_weight),
            _normalised(
                dense(index.triplet_vectors, s.dense_triplets, triplet_node), s.triplet_weight
            ),
        ]
        seeds: dict[str, float] = defaultdict(float)
        for part in parts:
            for node, weight in part.items():
                seeds[node] += weight
        return dict(seeds)

    def rank(self, question: str) -> Ranking:
        """Sentences and triplets by PPR score plus `page_weight` times the PPR score of
        their page's title entity (a sentence of a page the walk keeps returning to ranks
        above an equally scored stray sentence), a page's first sentence times `lead_bonus`:
        it says what the page is about, the fact a question about the page needs most."""
        s, snap = self.settings, self._current()
        scores = snap.pagerank.run(self.seeds(question), damping=s.damping)
        ranked = []
        for ids, own, page, lead in snap.layouts:
            total = (scores[own] + s.page_weight * scores[page]) * np.where(lead, s.lead_bonus, 1)
            ranked.append([(ids[i], float(total[i])) for i in np.argsort(-total, kind="stable")])
        return Ranking(chunks=ranked[0], triplets=ranked[1])

    def spread(self, chunks: list[tuple[str, float]]) -> Iterator[tuple[str, float]]:
        """The top `candidates` chunks by score times `page_decay` to the number of their
        page's sentences offered before: two pages' best sentences before one page's third."""
        s = self.settings
        heap = [(-score, 0, chunk_id) for chunk_id, score in chunks[: s.candidates]]
        heapq.heapify(heap)
        offered: Counter[str] = Counter()
        while heap:
            neg, seen, chunk_id = heapq.heappop(heap)
            title = self.index.chunks[chunk_id].title
            if seen < offered[title]:  # its page gained sentences since it was scored
                later = neg * s.page_decay ** (offered[title] - seen)
                heapq.heappush(heap, (later, offered[title], chunk_id))
                continue
            offered[title] += 1
            yield chunk_id, -neg

    def units(self, ranking: Ranking) -> Iterator[list[Passage]]:
        """Candidates for the budget, best first (see `spread`): sentences, and triplets that
        outrank their sentence (when `triplets_in_context`)."""
        chunk_score = dict(ranking.chunks)
        triplets = iter(ranking.triplets if self.settings.triplets_in_context else [])
        pending = next(triplets, None)
        for chunk_id, score in self.spread(ranking.chunks):
            while pending is not None and pending[1] > score:
                t = self.index.triplets[pending[0]]
                if pending[1] > chunk_score.get(f"{t.title}#{t.position}", 0.0):
                    yield [
                        Passage(title=t.title, position=t.position, text=t.render(), kind="triplet")
                    ]
                pending = next(triplets, None)
            c = self.index.chunks[chunk_id]
            yield [c]

    def select(self, question: str, max_tokens: int, count: Callable[[str], int]) -> Selection:
        """The best sentences and triplets for `question` within `max_tokens` tokens."""
        return select_under_budget(self.units(self.rank(question)), max_tokens, count)

    def search(self, query: str, k: int = 2) -> list[Hit]:
        """Whole passages ranked by the PPR mass of their sentences (a Corpus look-alike,
        for retrievers that want documents, e.g. SMR)."""
        mass: dict[str, float] = defaultdict(float)
        for chunk_id, score in self.rank(query).chunks:
            mass[self.index.chunks[chunk_id].title] += score
        best = sorted(mass.items(), key=lambda item: -item[1])[:k]
        paragraphs = self.index.paragraphs
        return [Hit(passage=paragraphs[t].passage(), score=s) for t, s in best]
