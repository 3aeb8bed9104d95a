"""agentkit.memory: a FAISS vector store with real embeddings and crash-safe persistence."""

from .collection import Collection
from .embedders import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    VLLMEmbedder,
    normalize_rows,
)
from .filters import Where
from .index import IndexSettings, VectorIndex
from .records import Metadata, Record, SearchHit
from .store import PRECOMPUTED, VectorStore

__all__ = [
    "PRECOMPUTED",
    "Collection",
    "Embedder",
    "HashingEmbedder",
    "IndexSettings",
    "Metadata",
    "Record",
    "SearchHit",
    "SentenceTransformerEmbedder",
    "VLLMEmbedder",
    "VectorIndex",
    "VectorStore",
    "Where",
    "normalize_rows",
]
