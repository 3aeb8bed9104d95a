"""Graph retrieval (TeaRAG-style): sentences, triplets and entities linked in a networkx
graph, ranked by Personalized PageRank and packed under a token budget.

Exports load lazily: the PPR and entity code does not load FAISS; building an index does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentkit.lazy import lazy_exports

if TYPE_CHECKING:
    from .build import GraphSettings, KnowledgeIndex
    from .ppr import PageRank
    from .query import GraphRetriever, QuerySettings, Ranking
    from .triplets import Extraction, ExtractionReport, Triplet, TripletExtractor

_EXPORTS = {
    "GraphSettings": ".build",
    "KnowledgeIndex": ".build",
    "PageRank": ".ppr",
    "GraphRetriever": ".query",
    "QuerySettings": ".query",
    "Ranking": ".query",
    "Extraction": ".triplets",
    "ExtractionReport": ".triplets",
    "Triplet": ".triplets",
    "TripletExtractor": ".triplets",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [
    "Extraction",
    "ExtractionReport",
    "GraphRetriever",
    "GraphSettings",
    "KnowledgeIndex",
    "PageRank",
    "QuerySettings",
    "Ranking",
    "Triplet",
    "TripletExtractor",
]
