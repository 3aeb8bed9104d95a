"""agentkit.memory: what agents remember and retrieve from.

- `agentkit.memory.store`: a FAISS vector store with real embeddings and crash-safe saves.
- `agentkit.memory.graph`: graph retrieval (PPR over sentences, triplets and entities).
- `agentkit.memory.lexical`: BM25 over titled passages.

Exports load lazily, so importing one part does not load the others' dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentkit.lazy import lazy_exports

if TYPE_CHECKING:
    from .graph import GraphRetriever, KnowledgeIndex, TripletExtractor
    from .lexical import Corpus, Hit
    from .store import (
        CachedEmbedder,
        Collection,
        Embedder,
        HashingEmbedder,
        SentenceTransformerEmbedder,
        VectorStore,
        VLLMEmbedder,
        Where,
    )

_EXPORTS = {
    "Corpus": ".lexical",
    "Hit": ".lexical",
    "GraphRetriever": ".graph",
    "KnowledgeIndex": ".graph",
    "TripletExtractor": ".graph",
    **{
        name: ".store"
        for name in (
            "CachedEmbedder",
            "Collection",
            "Embedder",
            "HashingEmbedder",
            "SentenceTransformerEmbedder",
            "VLLMEmbedder",
            "VectorStore",
            "Where",
        )
    },
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [
    "CachedEmbedder",
    "Collection",
    "Corpus",
    "Embedder",
    "GraphRetriever",
    "HashingEmbedder",
    "Hit",
    "KnowledgeIndex",
    "SentenceTransformerEmbedder",
    "TripletExtractor",
    "VLLMEmbedder",
    "VectorStore",
    "Where",
]
