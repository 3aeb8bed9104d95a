"""Querying the graph: seeds, the second hop, the budget, and the search tool."""

import re

from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.query import GraphRetriever, QuerySettings
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.text import Paragraph
from agentkit.tools import ToolContext
from agentkit.tools.graph_search import graph_search_tool

CORPUS = [
    Paragraph(
        title="Scott Derrickson",
        sentences=("Scott Derrickson is an American director.", "He directed Sinister."),
    ),
    Paragraph(
        title="Sinister (film)", sentences=("Sinister is a horror film.", "It stars Ethan Hawke.")
    ),
    Paragraph(title="Ethan Hawke", sentences=("Ethan Hawke is an American actor.",)),
    Paragraph(title="Ada Lovelace", sentences=("Ada Lovelace was a mathematician.",)),
    Paragraph(title="Charles Babbage", sentences=("Charles Babbage designed an engine.",)),
]
QUESTION = "Which actor stars in the film directed by Scott Derrickson?"


def words(text):
    return len(re.findall(r"\w+|[^\w\s]", text))


def _retriever(**settings):
    index = KnowledgeIndex(HashingEmbedder(dim=256))
    index.add_documents(CORPUS, {CORPUS[0].key: [("Scott Derrickson", "directed", "Sinister")]})
    return GraphRetriever(index, QuerySettings(**settings))


def test_seeds_include_the_named_entity_and_close_chunks():
    seeds = _retriever().seeds(QUESTION)
    assert seeds["e:scott derrickson"] > 0
    assert any(node.startswith("c:Scott Derrickson") for node in seeds)
    assert all(weight > 0 for weight in seeds.values())


def test_ppr_reaches_the_second_hop_and_leaves_unrelated_pages_last():
    ranking = _retriever().rank(QUESTION)
    order = [chunk_id for chunk_id, _ in ranking.chunks]
    assert order.index("Sinister (film)#1") < order.index("Ada Lovelace#0")
    assert set(order[:4]) >= {"Scott Derrickson#1", "Sinister (film)#1"}
    assert order[-2:] and {c.split("#")[0] for c in order[-2:]} <= {
        "Ada Lovelace",
        "Charles Babbage",
    }


def test_selection_fits_the_budget_and_names_titles():
    retriever = _retriever()
    for budget in (0, 5, 12, 25, 60):
        selection = retriever.select(QUESTION, budget, words)
        assert selection.tokens == words(selection.text) <= budget
    selection = retriever.select(QUESTION, 40, words)
    assert "Sinister (film): " in selection.text and "Ethan Hawke" in selection.text


def test_triplets_appear_only_when_allowed_and_ahead_of_their_sentence():
    text = _retriever(triplet_weight=10.0).select(QUESTION, 200, words).text
    plain = _retriever(triplet_weight=10.0, triplets_in_context=False).select(QUESTION, 200, words)
    plain = plain.text
    ranking = _retriever().rank(QUESTION)
    assert dict(ranking.chunks)["Scott Derrickson#1"] > ranking.triplets[0][1]
    assert "(Scott Derrickson;" not in _retriever().select(QUESTION, 200, words).text
    assert "(Scott Derrickson; directed; Sinister)" in text
    assert "(" not in plain.replace("(film)", "")


def test_documents_added_later_are_found():
    retriever = _retriever()
    retriever.rank(QUESTION)
    retriever.index.add_documents(
        [Paragraph(title="Hawke Prize", sentences=("Ethan Hawke won the Hawke Prize.",))]
    )
    assert any(c.startswith("Hawke Prize#") for c, _ in retriever.rank("Hawke Prize").chunks[:2])


def test_passage_search_and_the_search_tool():
    retriever = _retriever()
    hits = retriever.search("Charles Babbage engine", k=2)
    assert hits[0].passage.title == "Charles Babbage" and len(hits) == 2
    assert hits[0].passage.text == "Charles Babbage designed an engine."


async def test_graph_search_tool_has_the_search_shape_and_caps_tokens():
    tool = graph_search_tool(_retriever(), max_tokens=20)
    assert tool.usage == "search[query]"
    obs = await tool(QUESTION, ToolContext(count_tokens=words))
    assert obs.ok and words(obs.text) <= 20 and not obs.truncated
    assert "Scott Derrickson" in obs.text


def test_lead_bonus_scales_only_first_sentences():
    plain = dict(_retriever(lead_bonus=1.0).rank(QUESTION).chunks)
    boosted = dict(_retriever(lead_bonus=3.0).rank(QUESTION).chunks)
    for chunk_id, score in plain.items():
        factor = 3.0 if chunk_id.endswith("#0") else 1.0
        assert abs(boosted[chunk_id] - factor * score) < 1e-12


def test_page_decay_offers_another_page_before_a_pages_next_sentence():
    chunks = [("Scott Derrickson#0", 1.0), ("Scott Derrickson#1", 0.9), ("Ethan Hawke#0", 0.8)]
    spread = [c for c, _ in _retriever(page_decay=0.7).spread(chunks)]
    assert spread == ["Scott Derrickson#0", "Ethan Hawke#0", "Scott Derrickson#1"]
    scores = dict(_retriever(page_decay=0.7).spread(chunks))
    assert abs(scores["Scott Derrickson#1"] - 0.63) < 1e-12
    assert [c for c, _ in _retriever(page_decay=1.0).spread(chunks)] == [c for c, _ in chunks]
    assert len(list(_retriever(candidates=2).spread(chunks))) == 2
