"""The knowledge association graph (TeaRAG-style): chunks, triplets and entities in networkx.

Nodes: `c:<title>#<pos>` (a sentence), `e:<normalised name>` (an entity: every title,
every triplet subject and object), `t:<triplet id>`. Edges, undirected, with weights
(defaults in GraphSettings; chosen and measured in benchmarks/context_compression.py):

- mention (1.0): a chunk and each entity it names, and its own paragraph's title entity
  (2.0 for the paragraph's first sentence, which defines the page: "X is a ...");
- triplet (1.0): a triplet and its sentence, its subject and its object;
- co-occurrence (0.5 per chunk): two entities named in the same chunk (summed over chunks);
- similarity (cosine): a chunk and its k=5 nearest chunks (FAISS), cosine >= 0.5;
- synonym (cosine): an entity and its k=5 nearest entity names, cosine >= 0.85
  (HippoRAG 2's synonym edges), so "NYC" and "New York City" share mass.

`add_documents` extends the graph in place: new chunks are embedded (cached), linked to
known entities, and old chunks are scanned for the new titles only. Similarity edges are
found from the new side (a new chunk's neighbours), which can differ slightly from a
from-scratch build, where an old chunk may also pick a new one among its own top k.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentkit.errors import ConfigError
from agentkit.memory.store.collection import Collection
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.memory.store.embedders import Embedder, Matrix
from agentkit.memory.store.embedding_cache import CachedEmbedder
from agentkit.memory.store.store import VectorStore
from agentkit.text import Paragraph, ParagraphLike, Passage, as_paragraphs

from .entities import MentionFinder, normalize_entity, title_surface
from .triplets import ExtractionReport, Triple, Triplet, TripletExtractor, link_to_sentences


class GraphSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    mention_weight: float = Field(default=1.0, gt=0)
    lead_weight: float = Field(
        default=2.0, gt=0, description="a paragraph's first sentence to its title"
    )
    triplet_weight: float = Field(default=1.0, gt=0)
    cooccurrence_weight: float = Field(default=0.5, ge=0)
    similarity_k: int = Field(default=5, ge=0)
    similarity_min: float = 0.5
    synonym_k: int = Field(default=5, ge=0)
    synonym_min: float = 0.85


class GraphStats(BaseModel):
    paragraphs: int
    paragraphs_with_triplets: int
    nodes: dict[str, int]
    edges: dict[str, int]


def chunk_node(chunk_id: str) -> str:
    return f"c:{chunk_id}"


def entity_node(key: str) -> str:
    return f"e:{key}"


def triplet_node(triplet_id: str) -> str:
    return f"t:{triplet_id}"


class KnowledgeIndex:
    """Chunks, triplets and entities; a networkx graph over them; FAISS vectors of each."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        settings: GraphSettings | None = None,
        cache: DiskCache | None = None,
    ) -> None:
        """`embedder` embeds queries; bulk embeddings go through `cache` when given."""
        self.embedder = embedder
        self.settings = settings or GraphSettings()
        self._bulk: Embedder = CachedEmbedder(embedder, cache) if cache else embedder
        self.graph = nx.Graph()
        self.store = VectorStore(dim=embedder.dim)
        self.chunk_vectors = self.store.collection("chunks")
        self.entity_vectors = self.store.collection("entities")
        self.triplet_vectors = self.store.collection("triplets")
        self.paragraphs: dict[str, Paragraph] = {}
        self.chunks: dict[str, Passage] = {}
        self.triplets: dict[str, Triplet] = {}
        self.entity_names: dict[str, str] = {}
        self.mentions = MentionFinder()
        self._embedded_entities: set[str] = set()
        self._title_keys: set[str] = set()
        self.version = 0
        """Bumped by every change, so derived structures (matrices, BM25) know to refresh."""

    # -- building ---------------------------------------------------------------------------
    def add_documents(
        self,
        paragraphs: Iterable[ParagraphLike],
        triplets: Mapping[str, Sequence[Triple]] | None = None,
    ) -> list[Paragraph]:
        """Add paragraphs (and their triples, by paragraph key); returns the new ones.

        A paragraph already present is skipped; a different one under a known title is an
        error (titles name pages and must stay unique).
        """
        new = self._new_paragraphs(as_paragraphs(paragraphs))
        if not new:
            return []
        old_chunks = list(self.chunks.values())
        new_titles = MentionFinder()
        for p in new:
            self.paragraphs[p.title] = p
            key = self._add_entity(normalize_entity(p.title), p.title)
            self._title_keys.add(key)
            self.mentions.add(title_surface(p.title), key)
            new_titles.add(title_surface(p.title), key)
            self._absorb(normalize_entity(title_surface(p.title)), key)
        chunks = [c for p in new for c in p.split()]
        for c in chunks:
            self.chunks[c.id] = c
            self.graph.add_node(chunk_node(c.id), kind="chunk")
        named = {c.id: self.mentions.find(c.text) | {normalize_entity(c.title)} for c in chunks}
        for c in old_chunks:  # old sentences may name the new titles
            if found := new_titles.find(c.text):
                named[c.id] = found
        new_triplets = self._add_triplets(new, triplets or {})
        fresh = {c.id for c in chunks}
        for chunk_id, keys in named.items():
            for key in keys:
                weight = self._mention_weight(self.chunks[chunk_id], key)
                self._link(chunk_node(chunk_id), entity_node(key), weight, "mention")
            self._cooccur(chunk_id, None if chunk_id in fresh else keys)
        self._embed_and_link(chunks, new_triplets)
        self.version += 1
        return new

    def _mention_weight(self, chunk: Passage, key: str) -> float:
        """A paragraph's first sentence defines its page ("X is a ..."): lead_weight."""
        if chunk.position == 0 and key == normalize_entity(chunk.title):
            return self.settings.lead_weight
        return self.settings.mention_weight

    async def extract_and_add(
        self,
        paragraphs: Iterable[ParagraphLike],
        extractor: TripletExtractor,
        *,
        deadline_s: float | None = None,
        progress: bool = True,
    ) -> ExtractionReport:
        """Extract triplets (cached ones cost nothing), then add the paragraphs with them.
        Paragraphs not reached before `deadline_s` are added without triplets."""
        items = as_paragraphs(paragraphs)
        report = await extractor.extract(items, deadline_s=deadline_s, progress=progress)
        self.add_documents(items, {k: r.triples for k, r in report.results.items()})
        return report

    def _new_paragraphs(self, paragraphs: list[Paragraph]) -> list[Paragraph]:
        fresh: dict[str, Paragraph] = {}
        for p in paragraphs:
            known = self.paragraphs.get(p.title) or fresh.get(p.title)
            if known is not None and known.key != p.key:
                raise ConfigError(
                    f"a different paragraph titled {p.title!r} is already indexed; titles must "
                    "be unique, so give this one another title (e.g. 'Title (2)')"
                )
            if known is None:
                fresh[p.title] = p
        return list(fresh.values())

    def _add_entity(self, key: str, name: str) -> str:
        if key not in self.entity_names:
            self.entity_names[key] = name
            self.graph.add_node(entity_node(key), kind="entity")
        return key

    def _absorb(self, alias: str, key: str) -> None:
        """Merge an entity known only from triplets ("sinister") into the title entity that
        now names it ("sinister film"), as a build with that title present would have."""
        if alias == key or alias not in self.entity_names or alias in self._title_keys:
            return
        node, target = entity_node(alias), entity_node(key)
        for neighbour, data in list(self.graph[node].items()):
            self._link(target, neighbour, data["weight"], data["kind"])
        self.graph.remove_node(node)
        del self.entity_names[alias]
        if alias in self._embedded_entities:
            self._embedded_entities.discard(alias)
            self.entity_vectors.delete(alias)

    def _entity_for(self, name: str) -> str:
        """A title's key when `name` names exactly one title, else its own normalised key."""
        titles = self.mentions.keys_named(name)
        key = next(iter(titles)) if len(titles) == 1 else normalize_entity(name)
        return self._add_entity(key, name) if key else ""

    def _add_triplets(
        self, paragraphs: list[Paragraph], triples: Mapping[str, Sequence[Triple]]
    ) -> list[Triplet]:
        added = []
        weight = self.settings.triplet_weight
        for p in paragraphs:
            for t in link_to_sentences(p, triples.get(p.key, ())):
                subject, obj = self._entity_for(t.subject), self._entity_for(t.object)
                if not subject or not obj or t.id in self.triplets:
                    continue
                self.triplets[t.id] = t
                node = triplet_node(t.id)
                self.graph.add_node(node, kind="triplet")
                ends = (
                    chunk_node(f"{t.title}#{t.position}"),
                    entity_node(subject),
                    entity_node(obj),
                )
                for end in ends:
                    self._link(node, end, weight, "triplet")
                added.append(t)
        return added

    def _cooccur(self, chunk_id: str, only: set[str] | None) -> None:
        """Link entities named together in a chunk (its mentions and its triplets' ends);
        `only`: just the pairs involving these keys (an old chunk naming new titles)."""
        node = chunk_node(chunk_id)
        linked = {n for n in self.graph[node] if n.startswith("e:")}
        for t in (n for n in self.graph[node] if n.startswith("t:")):
            linked |= {n for n in self.graph[t] if n.startswith("e:")}
        fresh = None if only is None else {entity_node(k) for k in only}
        for a, b in combinations(sorted(linked), 2):
            if fresh is None or a in fresh or b in fresh:
                self._link(a, b, self.settings.cooccurrence_weight, "cooccurrence")

    def _link(self, a: str, b: str, weight: float, kind: str) -> None:
        """One edge per pair: co-occurrence weights add up, other kinds keep the larger."""
        if a == b or weight <= 0:
            return
        edge = self.graph.get_edge_data(a, b)
        if edge is None:
            self.graph.add_edge(a, b, weight=weight, kind=kind)
        elif kind == "cooccurrence" == edge["kind"]:
            edge["weight"] += weight
        else:
            edge["weight"] = max(edge["weight"], weight)

    # -- vectors and similarity edges ------------------------------------------------------
    def _embed_and_link(self, chunks: list[Passage], triplets: list[Triplet]) -> None:
        s = self.settings
        vectors = self._bulk.embed([c.render() for c in chunks])
        self.chunk_vectors.add(
            [c.text for c in chunks], ids=[c.id for c in chunks], embeddings=vectors
        )
        self._knn(
            self.chunk_vectors,
            [c.id for c in chunks],
            vectors,
            s.similarity_k,
            s.similarity_min,
            chunk_node,
            "similarity",
        )
        keys = [k for k in self.entity_names if k not in self._embedded_entities]
        names = [self.entity_names[k] for k in keys]
        self._embedded_entities.update(keys)
        if keys:
            vectors = self._bulk.embed(names)
            self.entity_vectors.add(names, ids=keys, embeddings=vectors)
            self._knn(
                self.entity_vectors,
                keys,
                vectors,
                s.synonym_k,
                s.synonym_min,
                entity_node,
                "synonym",
            )
        if triplets:
            texts = [f"{t.subject} {t.relation} {t.object}" for t in triplets]
            self.triplet_vectors.add(
                texts, ids=[t.id for t in triplets], embeddings=self._bulk.embed(texts)
            )

    def _knn(
        self,
        collection: Collection[Any],
        ids: list[str],
        vectors: Matrix,
        k: int,
        minimum: float,
        node: Callable[[str], str],
        kind: str,
    ) -> None:
        """Edges from each new vector to its k nearest stored ones with cosine >= minimum."""
        if k == 0:
            return
        for own, vector in zip(ids, vectors, strict=True):
            for hit in collection.search(np.asarray(vector), top_k=k + 1):
                if hit.record.id != own and hit.score >= minimum:
                    self._link(node(own), node(hit.record.id), float(hit.score), kind=kind)

    # -- reporting --------------------------------------------------------------------------
    def stats(self) -> GraphStats:
        with_triplets = {t.title for t in self.triplets.values()}
        return GraphStats(
            paragraphs=len(self.paragraphs),
            paragraphs_with_triplets=len(with_triplets),
            nodes=dict(Counter(kind for _, kind in self.graph.nodes(data="kind"))),
            edges=dict(Counter(kind for _, _, kind in self.graph.edges(data="kind"))),
        )
