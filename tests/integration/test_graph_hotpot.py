"""The knowledge graph on real HotpotQA paragraphs: real extraction (vLLM), real MiniLM."""

import pytest

from agentkit.evals import hotpotqa
from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.query import GraphRetriever
from agentkit.memory.graph.triplets import TripletExtractor
from agentkit.memory.store import SentenceTransformerEmbedder
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.text import as_paragraphs
from agentkit.tools import ToolContext
from agentkit.tools.graph_search import graph_search_tool

pytestmark = pytest.mark.integration


async def test_build_query_and_rebuild_from_cache(smol_llm, hotpot_path, tmp_path):
    questions = hotpotqa.load(hotpot_path, n=2)
    paragraphs = as_paragraphs(hotpotqa.open_corpus(questions))
    embedder = SentenceTransformerEmbedder()
    triplets = DiskCache(tmp_path / "triplets.sqlite")
    vectors = DiskCache(tmp_path / "embeddings.sqlite")

    index = KnowledgeIndex(embedder, cache=vectors)
    extractor = TripletExtractor(smol_llm, triplets, max_tokens=48)
    report = await index.extract_and_add(paragraphs, extractor, progress=False)
    assert report.called == len(paragraphs) == 20 and report.skipped == 0
    indexer = smol_llm.ledger.by("role")["indexer"]
    assert indexer.calls == report.called - report.failed
    assert indexer.usage.completion_tokens == report.completion_tokens > 0
    stats = index.stats()
    assert stats.paragraphs == 20 and stats.nodes["chunk"] == len(index.chunks) > 40
    assert stats.edges["similarity"] > 0 and stats.edges["mention"] >= len(index.chunks)

    count = smol_llm.tokenizer.count_text
    retriever = GraphRetriever(index)
    found = 0
    for q in questions:
        selection = retriever.select(q.question, 400, count)
        assert 0 < selection.tokens == count(selection.text) <= 400
        found += len(selection.sentences() & {(t, i) for t, i in q.supporting_facts})
    assert found >= 2  # of the 4 supporting sentences (3 measured; 1 before lead_bonus/page_decay)

    tool = graph_search_tool(retriever, max_tokens=120)
    obs = await tool(questions[0].question, ToolContext(llm=smol_llm))
    assert obs.ok and count(obs.text) <= 120

    calls = len(smol_llm.ledger.records())
    again = KnowledgeIndex(embedder, cache=vectors)
    rebuilt = await again.extract_and_add(
        paragraphs, TripletExtractor(smol_llm, triplets, max_tokens=48), progress=False
    )
    assert len(smol_llm.ledger.records()) == calls  # the rebuild made no model call
    assert rebuilt.cached == report.called - report.failed
    assert set(again.graph.nodes) == set(index.graph.nodes)
