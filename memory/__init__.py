"""agentkit.memory: a FAISS vector store with real embeddings and crash-safe persistence."""

from .budget_select import Selection, Unit, select_under_budget
from .chunks import Chunk, Paragraph
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
from .graph_build import GraphSettings, KnowledgeIndex
from .graph_query import GraphRetriever, QuerySettings, Ranking
from .graph_search import graph_search_tool
from .index import IndexSettings, VectorIndex
from .ppr import PageRank
from .records import Metadata, Record, SearchHit
from .store import PRECOMPUTED, VectorStore
from .triplets import Extraction, ExtractionReport, Triplet, TripletExtractor

__all__ = [
    "PRECOMPUTED",
    "CachedEmbedder",
    "Chunk",
    "Collection",
    "DiskCache",
    "Embedder",
    "Extraction",
    "ExtractionReport",
    "GraphRetriever",
    "GraphSettings",
    "HashingEmbedder",
    "IndexSettings",
    "KnowledgeIndex",
    "Metadata",
    "PageRank",
    "Paragraph",
    "QuerySettings",
    "Ranking",
    "Record",
    "SearchHit",
    "Selection",
    "SentenceTransformerEmbedder",
    "Triplet",
    "TripletExtractor",
    "Unit",
    "VLLMEmbedder",
    "VectorIndex",
    "VectorStore",
    "Where",
    "cache_path",
    "graph_search_tool",
    "normalize_rows",
    "select_under_budget",
]
