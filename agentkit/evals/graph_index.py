"""Graph indexes for `--search graph`: built once per corpus, then loaded from disk.

A folder under the agentkit cache (`cache/graphs/<key>`) holds each built index, keyed by
the corpus content, its triplets, the embedder and the graph settings (memory.graph.persist),
so a second run over the same questions loads instead of rebuilding (90 s for the open
corpus of the 200 questions even with every embedding cached). Sentences are embedded first
in batches, through the on-disk embedding cache, so the progress bar moves while it works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from agentkit.errors import ConfigError
from agentkit.evals.runner import progress_bar
from agentkit.llm import Model
from agentkit.memory.graph import persist
from agentkit.memory.graph.build import GraphSettings, KnowledgeIndex
from agentkit.memory.graph.triplets import Triple, TripletExtractor
from agentkit.memory.store.disk_cache import DiskCache, cache_path
from agentkit.memory.store.embedders import Embedder
from agentkit.memory.store.embedding_cache import CachedEmbedder
from agentkit.paths import home
from agentkit.text import Paragraph

BATCH = 128


def graphs_dir() -> Path:
    return home() / "cache" / "graphs"


def build_indexes(
    corpora: Sequence[Sequence[Paragraph]],
    embedder: Embedder,
    triples: Mapping[str, Sequence[Triple]] | None = None,
    *,
    settings: GraphSettings | None = None,
) -> tuple[list[KnowledgeIndex], int]:
    """One index per corpus, loaded when a build of the same content was saved before;
    also how many were loaded rather than built."""
    settings, triples = settings or GraphSettings(), triples or {}
    cache = DiskCache(cache_path("embeddings"))
    keys = [persist.cache_key(c, triples, embedder, settings) for c in corpora]
    folders = [graphs_dir() / key[:32] for key in keys]
    todo = [i for i, f in enumerate(folders) if not (f / "index.json").is_file()]
    texts = list(dict.fromkeys(s.render() for i in todo for p in corpora[i] for s in p.split()))
    indexes: list[KnowledgeIndex] = []
    with progress_bar(width=20) as bar:
        embedding = bar.add_task("embedding sentences", total=len(texts))
        bulk = CachedEmbedder(embedder, cache, batch_size=BATCH)
        for start in range(0, len(texts), BATCH):
            bulk.embed(texts[start : start + BATCH])
            bar.advance(embedding, len(texts[start : start + BATCH]))
        building = bar.add_task("graph indexes", total=len(corpora))
        for corpus, folder in zip(corpora, folders, strict=True):
            indexes.append(_load_or_build(corpus, folder, embedder, triples, settings, cache))
            bar.advance(building)
    return indexes, len(corpora) - len(todo)


def _load_or_build(
    corpus: Sequence[Paragraph],
    folder: Path,
    embedder: Embedder,
    triples: Mapping[str, Sequence[Triple]],
    settings: GraphSettings,
    cache: DiskCache,
) -> KnowledgeIndex:
    if (folder / "index.json").is_file():
        try:
            return persist.load(folder, embedder, cache=cache)
        except ConfigError:
            pass  # unreadable or from another version: build it again
    index = KnowledgeIndex(embedder, settings=settings, cache=cache)
    index.add_documents(corpus, triples)
    persist.save(index, folder)
    return index


async def extract_triples(llm: Model, paragraphs: Sequence[Paragraph]) -> dict[str, list[Triple]]:
    """LLM triplets for `paragraphs` by paragraph key (cached ones cost nothing)."""
    # the settings the context-compression benchmark measured, so its cached results count
    cache = DiskCache(cache_path("triplets"))
    extractor = TripletExtractor(llm, cache, max_triplets=3, max_tokens=64, concurrency=32)
    report = await extractor.extract(list(paragraphs))
    return {key: list(r.triples) for key, r in report.results.items()}
