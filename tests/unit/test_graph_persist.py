"""A saved KnowledgeIndex loads back to the same graph and the same rankings."""

import pytest

from agentkit.errors import ConfigError
from agentkit.evals import hotpotqa
from agentkit.memory.graph import persist
from agentkit.memory.graph.build import GraphSettings, KnowledgeIndex
from agentkit.memory.graph.query import GraphRetriever
from agentkit.memory.store import HashingEmbedder
from agentkit.text import as_paragraphs


@pytest.fixture(scope="module")
def corpus():
    questions = hotpotqa.load(n=3)
    return questions, as_paragraphs(hotpotqa.open_corpus(questions))


def test_round_trip_keeps_graph_vectors_and_rankings(corpus, tmp_path):
    questions, paragraphs = corpus
    embedder = HashingEmbedder(dim=64)
    title = paragraphs[0].title
    triples = {paragraphs[0].key: [(title, "is named", "a test page")]}
    index = KnowledgeIndex(embedder)
    index.add_documents(paragraphs, triples)
    loaded = persist.load(persist.save(index, tmp_path / "g"), embedder)
    assert list(loaded.graph.nodes(data=True)) == list(index.graph.nodes(data=True))
    assert list(loaded.graph.edges(data=True)) == list(index.graph.edges(data=True))
    assert loaded.stats() == index.stats() and loaded.triplets == index.triplets
    for q in questions:
        assert GraphRetriever(loaded).rank(q.question) == GraphRetriever(index).rank(q.question)
    # a loaded index keeps growing like a built one
    more = as_paragraphs([("Extra page", ["Extra page names " + title + "."])])
    assert [p.title for p in loaded.add_documents(more)] == ["Extra page"]
    assert loaded.add_documents(paragraphs) == []


def test_saving_again_replaces_and_a_wrong_embedder_is_refused(corpus, tmp_path):
    _, paragraphs = corpus
    index = KnowledgeIndex(HashingEmbedder(dim=64))
    index.add_documents(paragraphs[:3])
    persist.save(index, tmp_path / "g")
    index.add_documents(paragraphs[3:6])
    persist.save(index, tmp_path / "g")
    assert [p.name for p in tmp_path.iterdir()] == ["g"]
    assert len(persist.load(tmp_path / "g", HashingEmbedder(dim=64)).paragraphs) == 6
    with pytest.raises(ConfigError, match="embedder"):
        persist.load(tmp_path / "g", HashingEmbedder(dim=32))
    with pytest.raises(ConfigError, match="build it again"):
        persist.load(tmp_path / "missing", HashingEmbedder(dim=64))


def test_the_cache_key_follows_everything_a_build_depends_on(corpus):
    _, paragraphs = corpus
    e, s = HashingEmbedder(dim=64), GraphSettings()
    key = persist.cache_key(paragraphs, {}, e, s)
    assert key == persist.cache_key(list(paragraphs), {}, HashingEmbedder(dim=64), s)
    triples = {paragraphs[0].key: [("a", "b", "c")]}
    others = [
        persist.cache_key(paragraphs[1:], {}, e, s),
        persist.cache_key(paragraphs, triples, e, s),
        persist.cache_key(paragraphs, {}, HashingEmbedder(dim=32), s),
        persist.cache_key(paragraphs, {}, e, GraphSettings(similarity_k=2)),
    ]
    assert key not in others and len(set(others)) == 4
