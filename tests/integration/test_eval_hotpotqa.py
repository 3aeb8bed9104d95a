"""The HotpotQA harness end to end on real vLLM (the small model: checks plumbing, not accuracy)."""

import json

import pytest

from agentkit.evals import hotpotqa, retrieval
from agentkit.evals.compare import compare

pytestmark = pytest.mark.integration


async def test_compare_runs_every_system_and_counts_from_the_engine(
    smol_llm, hotpot_path, tmp_path
):
    questions = hotpotqa.load(hotpot_path, n=2)
    before = smol_llm.ledger.total().usage.total_tokens
    search = retrieval.build("bm25", "distractor", questions)
    summaries = await compare(smol_llm, ["direct", "rewoo"], questions, search, tmp_path, 2)
    assert [s.system for s in summaries] == ["direct", "rewoo"]
    rows = [json.loads(x) for x in (tmp_path / "rewoo.jsonl").read_text().splitlines()]
    assert len(rows) == 2
    for r in rows:
        assert r["prompt_tokens"] > 0 and r["llm_calls"] >= 1
        assert sum(v["prompt"] + v["completion"] for v in r["tokens_by_role"].values()) == (
            r["prompt_tokens"] + r["completion_tokens"]
        )
    direct = [json.loads(x) for x in (tmp_path / "direct.jsonl").read_text().splitlines()]
    assert all(r["llm_calls"] == 1 and r["tool_calls"] == 1 for r in direct)
    spent = smol_llm.ledger.total().usage.total_tokens - before
    per_q = sum(s.tokens_per_question * s.n for s in summaries)
    assert spent == pytest.approx(per_q)


async def test_open_setting_searches_one_shared_corpus(smol_llm, hotpot_path, tmp_path):
    """On the real engine; that the corpus is the shared one (and that another question's
    evidence is found) is checked in tests/unit/test_eval_cli.py."""
    corpus = hotpotqa.load(hotpot_path)
    questions = corpus[:1]
    search = retrieval.build("bm25", "open", questions, corpus)
    assert len(search.retriever(questions[0]).passages) == 1971  # not the question's own 10
    summaries = await compare(smol_llm, ["direct", "smr"], questions, search, tmp_path, 1)
    assert [(s.system, s.n, s.errors) for s in summaries] == [("direct", 1, 0), ("smr", 1, 0)]
