"""The knowledge graph on a tiny corpus whose structure is known edge by edge."""

import pytest

from agentkit.errors import ConfigError
from agentkit.memory.graph.build import GraphSettings, KnowledgeIndex
from agentkit.memory.graph.entities import MentionFinder, normalize_entity, title_surface
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.text import Paragraph

DERRICKSON = Paragraph(
    title="Scott Derrickson",
    sentences=("Scott Derrickson is an American director.", "He directed Sinister in 2012."),
)
SINISTER = Paragraph(
    title="Sinister (film)",
    sentences=("Sinister is a horror film.", "It stars Ethan Hawke as a writer."),
)
HAWKE = Paragraph(title="Ethan Hawke", sentences=("Ethan Hawke is an American actor.",))
BABBAGE = Paragraph(title="Charles Babbage", sentences=("Charles Babbage designed an engine.",))
CORPUS = [DERRICKSON, SINISTER, HAWKE, BABBAGE]
TRIPLES = {DERRICKSON.key: [("Scott Derrickson", "directed", "Sinister")]}


def _index(settings=None):
    return KnowledgeIndex(HashingEmbedder(dim=64), settings=settings)


def _edges(index, kind):
    return {frozenset((a, b)) for a, b, k in index.graph.edges(data="kind") if k == kind}


def test_nodes_and_edges_of_a_known_corpus():
    index = _index(GraphSettings(similarity_k=0, synonym_k=0))
    index.add_documents(CORPUS, TRIPLES)
    stats = index.stats()
    assert stats.nodes == {"entity": 4, "chunk": 6, "triplet": 1}
    assert stats.paragraphs == 4 and stats.paragraphs_with_triplets == 1
    mentions = _edges(index, "mention")
    # every chunk is linked to its own title; sentences naming another title link to it too
    assert frozenset(("c:Scott Derrickson#1", "e:sinister film")) in mentions
    assert frozenset(("c:Sinister (film)#1", "e:ethan hawke")) in mentions
    assert frozenset(("c:Charles Babbage#0", "e:charles babbage")) in mentions
    assert len(mentions) == 6 + 2
    assert _edges(index, "cooccurrence") == {
        frozenset(("e:scott derrickson", "e:sinister film")),
        frozenset(("e:sinister film", "e:ethan hawke")),
    }
    # the triple's "Sinister" resolves to the one title it names; it sits on the sentence
    # that states it (object words count double), not the first one
    (triplet,) = index.triplets.values()
    assert triplet.position == 1
    node = f"t:{triplet.id}"
    assert set(index.graph[node]) == {
        "c:Scott Derrickson#1",
        "e:scott derrickson",
        "e:sinister film",
    }
    assert all(d["weight"] == 1.0 for _, _, d in index.graph.edges(node, data=True))


def test_similarity_edges_join_near_duplicate_sentences_only():
    twin = Paragraph(title="Copy", sentences=("Scott Derrickson is an American film director.",))
    index = _index(GraphSettings(similarity_k=3, similarity_min=0.6, synonym_k=0))
    index.add_documents([*CORPUS, twin])
    similar = _edges(index, "similarity")
    assert frozenset(("c:Scott Derrickson#0", "c:Copy#0")) in similar
    assert all(0.6 <= index.graph.edges[tuple(e)]["weight"] <= 1.0 + 1e-6 for e in similar)
    assert not any("Babbage" in node for edge in similar for node in edge)


def test_incremental_add_links_old_sentences_to_new_titles():
    batch = _index(GraphSettings(similarity_k=0, synonym_k=0))
    batch.add_documents(CORPUS, TRIPLES)
    grown = _index(GraphSettings(similarity_k=0, synonym_k=0))
    grown.add_documents([DERRICKSON, BABBAGE], TRIPLES)
    version = grown.version
    assert grown.add_documents([SINISTER, HAWKE, DERRICKSON]) == [SINISTER, HAWKE]
    assert grown.version == version + 1
    assert set(grown.graph.nodes) == set(batch.graph.nodes) - {
        n for n in batch.graph if n.startswith("t:")
    } | {n for n in grown.graph if n.startswith("t:")}
    assert _edges(grown, "mention") == _edges(batch, "mention")
    assert _edges(grown, "cooccurrence") == _edges(batch, "cooccurrence")
    assert grown.chunk_vectors.count() == 6
    assert grown.add_documents([HAWKE]) == []  # known paragraphs are skipped


def test_a_different_paragraph_under_a_known_title_is_refused():
    index = _index()
    index.add_documents([HAWKE])
    clash = Paragraph(title="Ethan Hawke", sentences=("Another text.",))
    with pytest.raises(ConfigError, match="titles must be unique"):
        index.add_documents([clash])
    assert index.chunks.keys() == {"Ethan Hawke#0"}


def test_entity_names_are_normalised_and_short_names_never_matched():
    assert normalize_entity("The Beatles!") == "beatles"
    assert normalize_entity("Émile  Zola") == "emile zola"
    assert title_surface("Sinister (film)") == "Sinister"
    finder = MentionFinder()
    assert finder.add("Sinister", "k1") and finder.add("Ethan Hawke", "k2")
    assert not finder.add("It", "k3") and not finder.add("1966", "k4")
    assert finder.find("It stars Ethan Hawke in Sinister.") == {"k1", "k2"}
    assert finder.find("a sinister plot") == set()  # case matters: not a name here
