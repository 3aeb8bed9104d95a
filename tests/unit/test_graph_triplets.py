"""Triplet extraction with a function model: cache reuse, repairs, failures, the deadline."""

import asyncio
import json

from agentkit.errors import TransientLLMError
from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.triplets import TripletExtractor, link_to_sentences, parse_triplets
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.testing import FunctionModel
from agentkit.text import Paragraph

PARAGRAPHS = [
    Paragraph(title="Jaws (film)", sentences=("Jaws is a 1975 film.", "Spielberg directed it.")),
    Paragraph(title="Steven Spielberg", sentences=("Spielberg was born in Cincinnati.",)),
    Paragraph(title="Ada Lovelace", sentences=("Ada Lovelace wrote about the engine.",)),
]
# Valid under the schema, as vLLM writes them; max_tokens cuts the last two, leaving Spielberg
# one complete triple and Ada none (30, 35 and 41 words and marks).
MAX_TOKENS = 32
REPLIES = {
    "Jaws (film)": '[["Jaws","directed by","Spielberg"],["Jaws","released","1975"]]',
    "Steven Spielberg": (
        '[["Spielberg","born in","Cincinnati"],["Spielberg","co-founded","DreamWorks (1994)"]]'
    ),
    "Ada Lovelace": (
        '[["Ada King, Countess of Lovelace","wrote (in 1843)",'
        '"\\"Note G\\": a program, for Babbage\'s A.E."]]'
    ),
}


def _reply(messages, info):
    return next(text for title, text in REPLIES.items() if f"\n\n{title}:" in messages[-1].content)


def failing_for(title):
    """Fails for prompts about one title (a server error after retries)."""

    def reply(messages, info):
        if title in messages[-1].content:
            raise TransientLLMError("server error 500: engine died")
        return _reply(messages, info)

    return reply


async def slow_reply(messages, info):
    await asyncio.sleep(0.3)
    return _reply(messages, info)


def test_parse_triplets_repairs_or_skips_malformed_output():
    assert parse_triplets('[["a","b","c"],["a","b","c"]]') == ([("a", "b", "c")], False)
    assert parse_triplets('[["a","b","c"],["x","y"],7]') == ([("a", "b", "c")], True)
    assert parse_triplets('[["a", "b", "c"], ["d", "e", "f') == ([("a", "b", "c")], True)
    assert parse_triplets('[["a \\"q\\"","b","c"]') == ([('a "q"', "b", "c")], True)
    assert parse_triplets('{"s": "a"}') == ([], True)
    assert parse_triplets("no json at all") == ([], True)
    assert parse_triplets('[["", "b", "c"], [" a  b ", "r", "o"]]') == ([("a b", "r", "o")], False)


async def test_second_build_makes_no_llm_calls(tmp_path):
    cache = DiskCache(tmp_path / "triplets.sqlite")
    llm = FunctionModel(_reply)
    first = await TripletExtractor(llm, cache, max_tokens=MAX_TOKENS).extract(
        PARAGRAPHS, progress=False
    )
    assert (first.called, first.cached, first.failed) == (3, 0, 0)
    assert first.completion_tokens > 0 and len(llm.ledger.records()) == 3
    assert {r.labels.role for r in llm.ledger.records()} == {"indexer"}
    body = llm.calls[0].info.params()  # the request as vLLM would get it
    assert body["structured_outputs"]["disable_any_whitespace"] is True
    assert json.loads(json.dumps(body["structured_outputs"]["json"]))["maxItems"] == 3

    again = FunctionModel(_reply)
    index = KnowledgeIndex(HashingEmbedder(dim=32))
    report = await index.extract_and_add(
        PARAGRAPHS, TripletExtractor(again, cache, max_tokens=MAX_TOKENS), progress=False
    )
    assert again.calls == [] and report.cached == 3 and report.called == 0
    assert report.results == first.results
    assert len(index.triplets) == 3  # two from Jaws, the one complete triple of Spielberg


async def test_malformed_and_failed_outputs_leave_a_working_graph(tmp_path):
    cache = DiskCache(tmp_path / "triplets.sqlite")
    llm = FunctionModel(failing_for("Steven Spielberg"))
    extractor = TripletExtractor(llm, cache, max_tokens=MAX_TOKENS)
    report = await extractor.extract(PARAGRAPHS, progress=False)
    by_title = {p.title: report.results[p.key] for p in PARAGRAPHS}
    assert by_title["Jaws (film)"].status == "ok" and len(by_title["Jaws (film)"].triples) == 2
    assert by_title["Ada Lovelace"].status == "repaired" and by_title["Ada Lovelace"].triples == []
    failed = by_title["Steven Spielberg"]
    assert failed.status == "failed" and "engine died" in failed.error
    assert (report.failed, report.repaired) == (1, 1)
    # failures are not cached, so the next build retries them
    retry_extractor = TripletExtractor(FunctionModel(_reply), cache, max_tokens=MAX_TOKENS)
    retry = await retry_extractor.extract(PARAGRAPHS, progress=False)
    assert (retry.cached, retry.called) == (2, 1)
    index = KnowledgeIndex(HashingEmbedder(dim=32))
    index.add_documents(PARAGRAPHS, {k: r.triples for k, r in report.results.items()})
    assert index.stats().paragraphs == 3 and index.stats().paragraphs_with_triplets == 1


async def test_paragraphs_past_the_deadline_are_skipped_not_lost():
    llm = FunctionModel(slow_reply)
    extractor = TripletExtractor(llm, None, concurrency=1)
    report = await extractor.extract(PARAGRAPHS, deadline_s=0.0, progress=False)
    assert (report.called, report.skipped) == (0, 3) and llm.calls == []
    report = await extractor.extract(PARAGRAPHS, deadline_s=0.1, progress=False)
    assert report.called == 1 and report.skipped == 2


def test_each_triple_sits_on_the_sentence_that_states_it():
    jaws = PARAGRAPHS[0]
    linked = link_to_sentences(jaws, [("Jaws", "directed by", "Spielberg"), ("Jaws", "is", "film")])
    assert [t.position for t in linked] == [1, 0]
    assert linked[0].render() == "(Jaws; directed by; Spielberg)"
