"""Triplet extraction with a scripted model: cache reuse, repairs, failures, the deadline."""

import json

import httpx

from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.triplets import TripletExtractor, link_to_sentences, parse_triplets
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.text import Paragraph
from tests.scripted_llm import ScriptedLLM

PARAGRAPHS = [
    Paragraph(title="Jaws (film)", sentences=("Jaws is a 1975 film.", "Spielberg directed it.")),
    Paragraph(title="Steven Spielberg", sentences=("Spielberg was born in Cincinnati.",)),
    Paragraph(title="Ada Lovelace", sentences=("Ada Lovelace wrote about the engine.",)),
]
REPLIES = {
    "Jaws (film)": '[["Jaws","directed by","Spielberg"],["Jaws","released","1975"]]',
    "Steven Spielberg": '[["Spielberg","born in","Cincinnati"],["Spielberg","born in","Cinc',
    "Ada Lovelace": "I cannot do that.",
}


def _reply(call):
    return next(text for title, text in REPLIES.items() if f"\n\n{title}:" in call.prompt)


class FailingFor(ScriptedLLM):
    """Answers 500 for prompts about one title (a server error after retries)."""

    def __init__(self, title, script):
        super().__init__(script)
        self.title = title

    async def _serve(self, request):
        if (
            request.url.path.endswith("/chat/completions")
            and self.title in request.content.decode()
        ):
            return httpx.Response(500, json={"error": {"message": "engine died"}})
        return await super()._serve(request)


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
    llm = ScriptedLLM(_reply)
    first = await TripletExtractor(llm, cache).extract(PARAGRAPHS, progress=False)
    assert (first.called, first.cached, first.failed) == (3, 0, 0)
    assert first.completion_tokens > 0 and len(llm.ledger.records()) == 3
    assert {r.labels.role for r in llm.ledger.records()} == {"indexer"}
    body = llm.calls[0].body
    assert body["structured_outputs"]["disable_any_whitespace"] is True
    assert json.loads(json.dumps(body["structured_outputs"]["json"]))["maxItems"] == 3

    again = ScriptedLLM(_reply)
    index = KnowledgeIndex(HashingEmbedder(dim=32))
    report = await index.extract_and_add(PARAGRAPHS, TripletExtractor(again, cache), progress=False)
    assert again.calls == [] and report.cached == 3 and report.called == 0
    assert report.results == first.results
    assert len(index.triplets) == 3  # two from Jaws, the one complete triple of Spielberg


async def test_malformed_and_failed_outputs_leave_a_working_graph(tmp_path):
    cache = DiskCache(tmp_path / "triplets.sqlite")
    llm = FailingFor("Steven Spielberg", _reply)
    report = await TripletExtractor(llm, cache).extract(PARAGRAPHS, progress=False)
    by_title = {p.title: report.results[p.key] for p in PARAGRAPHS}
    assert by_title["Jaws (film)"].status == "ok" and len(by_title["Jaws (film)"].triples) == 2
    assert by_title["Ada Lovelace"].status == "repaired" and by_title["Ada Lovelace"].triples == []
    failed = by_title["Steven Spielberg"]
    assert failed.status == "failed" and "engine died" in failed.error
    assert (report.failed, report.repaired) == (1, 1)
    # failures are not cached, so the next build retries them
    retry = await TripletExtractor(ScriptedLLM(_reply), cache).extract(PARAGRAPHS, progress=False)
    assert (retry.cached, retry.called) == (2, 1)
    index = KnowledgeIndex(HashingEmbedder(dim=32))
    index.add_documents(PARAGRAPHS, {k: r.triples for k, r in report.results.items()})
    assert index.stats().paragraphs == 3 and index.stats().paragraphs_with_triplets == 1


async def test_paragraphs_past_the_deadline_are_skipped_not_lost():
    llm = ScriptedLLM(_reply, delay_s=0.3)
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
