"""Part 3 of the context-compression benchmark: triplet extraction and the graph's cost.

Extraction runs in question order for at most `minutes` (results are cached by content
hash, so a later run pays only for what is still missing). Each run's token cost comes
from the LLM's ledger (role "indexer") and is appended to the JSON's list of runs; the
cumulative cost over all runs is summed from the cached results, which hold each call's
engine-reported usage.
"""

from __future__ import annotations

import time
from typing import Any

from agentkit.evals import hotpotqa
from agentkit.llm import LLM, connect
from agentkit.memory.graph.build import GraphSettings, KnowledgeIndex
from agentkit.memory.graph.triplets import ExtractionReport, Triple, TripletExtractor
from agentkit.memory.store.disk_cache import DiskCache, cache_path
from agentkit.memory.store.embedders import Embedder
from agentkit.text import Paragraph

MODEL = "qwen2.5-coder-1.5b"
EXTRACTION = {"model": MODEL, "max_triplets": 3, "max_tokens": 64, "concurrency": 32}


async def extract(
    paragraphs: list[Paragraph], minutes: float
) -> tuple[ExtractionReport, dict[str, Any] | None]:
    """Triplets for as many paragraphs as `minutes` allow, and this run's ledger record
    (None with 0 minutes: only the cache is read, the model is never called; the LLM
    object then only names the cache key)."""
    cache = DiskCache(cache_path("triplets"))
    llm = connect(MODEL) if minutes > 0 else LLM("http://127.0.0.1:9", MODEL)
    extractor = TripletExtractor(
        llm,
        cache,
        max_triplets=EXTRACTION["max_triplets"],
        max_tokens=EXTRACTION["max_tokens"],
        concurrency=EXTRACTION["concurrency"],
    )
    rep = await extractor.extract(paragraphs, deadline_s=minutes * 60)
    if minutes <= 0:
        return rep, None
    indexer = llm.ledger.by("role").get("indexer")
    run = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "minutes_cap": minutes,
        "wall_s": round(rep.wall_s, 1),
        **rep.model_dump(include={"cached", "called", "failed", "repaired", "skipped"}),
        "ledger_indexer": indexer.model_dump() if indexer else None,
    }
    llm.close()
    return rep, run


def triples_of(rep: ExtractionReport) -> dict[str, list[Triple]]:
    return {k: r.triples for k, r in rep.results.items()}


def coverage(
    questions: list[hotpotqa.HotpotQuestion], rep: ExtractionReport, paragraphs: list[Paragraph]
) -> tuple[dict[str, Any], list[hotpotqa.HotpotQuestion]]:
    """What the cache holds for this corpus, and the questions whose paragraphs all have an
    extraction."""
    key = {p.title: p.key for p in paragraphs}
    done = {k for k, r in rep.results.items() if r.status != "failed"}
    covered = [q for q in questions if all(key[t] in done for t, _ in q.context)]
    kept = [r for r in rep.results.values() if r.status != "failed"]
    return {
        "paragraphs": len(paragraphs),
        "paragraphs_with_extraction": len(done),
        "paragraphs_with_triplets": sum(bool(r.triples) for r in kept),
        "triplets": sum(len(r.triples) for r in kept),
        "questions_fully_covered": len(covered),
        "status": {
            s: sum(r.status == s for r in rep.results.values())
            for s in ("ok", "repaired", "failed")
        },
        "cumulative_prompt_tokens": sum(r.prompt_tokens for r in kept),
        "cumulative_completion_tokens": sum(r.completion_tokens for r in kept),
        "cumulative_call_latency_s": round(sum(r.latency_s for r in kept), 1),
    }, covered


def build_index(
    paragraphs: list[Paragraph],
    triples: dict[str, list[Triple]],
    embedder: Embedder,
    settings: GraphSettings | None = None,
) -> tuple[KnowledgeIndex, float]:
    """The graph over the whole corpus (embeddings from the on-disk cache) and its build
    time in seconds."""
    index = KnowledgeIndex(embedder, cache=DiskCache(cache_path("embeddings")), settings=settings)
    t0 = time.perf_counter()
    index.add_documents(paragraphs, triples)
    return index, time.perf_counter() - t0


def index_part(
    paragraphs: list[Paragraph],
    triples: dict[str, list[Triple]],
    embedder: Embedder,
    index: KnowledgeIndex,
    build_s: float,
    fresh_embeddings: int,
) -> dict[str, Any]:
    """Graph size, build time (with how many texts were not in the embedding cache and had
    to be embedded), and the cost of adding the last 200 paragraphs to a graph of
    the others (incremental add, no rebuild)."""
    split = len(paragraphs) - 200
    grown, _ = build_index(paragraphs[:split], triples, embedder)
    t0 = time.perf_counter()
    grown.add_documents(paragraphs[split:], triples)
    add_s = time.perf_counter() - t0
    return {
        "sentences": len(index.chunks),
        "graph_build_s": round(build_s, 2),
        "graph_build_fresh_embeddings": fresh_embeddings,
        "incremental_add_200_paragraphs_s": round(add_s, 2),
        "incremental_same_nodes": set(grown.graph.nodes) == set(index.graph.nodes),
        "graph": {
            "node_count": index.graph.number_of_nodes(),
            "edge_count": index.graph.number_of_edges(),
            **index.stats().model_dump(),
        },
    }
