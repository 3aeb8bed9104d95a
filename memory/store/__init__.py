"""The vector store: named collections of embedded records on FAISS, saved crash-safely."""

from .collection import Collection
from .disk_cache import DiskCache, cache_path
from .embedders import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    VLLMEmbedder,
    normalize_rows,
)
from .embedding_cache import CachedEmbedder
from .filters import Where
from .index import IndexSettings, VectorIndex
from .records import Metadata, Record, SearchHit
from .store import PRECOMPUTED, VectorStore

__all__ = [
    "PRECOMPUTED",
    "CachedEmbedder",
    "Collection",
    "DiskCache",
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
    "cache_path",
    "normalize_rows",
]
