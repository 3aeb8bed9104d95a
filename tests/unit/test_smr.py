"""SMR with a function model: each transition, each stop condition, and what it counts."""

import json
import re

import pytest

from agentkit.errors import ConfigError
from agentkit.memory.lexical import Corpus
from agentkit.planners import SMR, ReWOO, RunContext, smr_search_tool
from agentkit.testing import FunctionModel, WordCounter, in_order
from agentkit.tools import ToolContext, ToolRegistry

NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
DOCS = [(f"Doc {n}", f"The {n} report: {n} numbers.") for n in NAMES]
CORPUS = Corpus(DOCS)


def refine(query):
    return json.dumps({"action": "refine", "query": query})


def rerank(*order):
    return json.dumps({"action": "rerank", "order": list(order)})


STOP = json.dumps({"action": "stop"})
CUT = refine("x." * 40)  # valid, but longer than action_tokens: cut, as vLLM would


def _ctx(llm):
    return ToolContext(llm=llm, run_id="q1", count_tokens=WordCounter().count_text)


def titles(result):
    return [d.title.removeprefix("Doc ") for d in result.documents]


def shown(call):
    """The document names in the order a prompt lists them."""
    return re.findall(r"^\[\d+\] Doc (\w+):", call.prompt, flags=re.M)


async def test_refine_appends_unseen_documents_up_to_the_cap_then_stop():
    llm = FunctionModel(in_order([refine("bravo"), refine("charlie delta"), STOP]))
    smr = SMR(CORPUS, top_k=2, max_docs=4)
    result = await smr.retrieve("alpha report", _ctx(llm))
    first = shown(llm.calls[0])
    assert first[0] == "alpha" and len(first) == 2
    assert titles(result)[:3] == [*first, "bravo"] and len(result.documents) == 4
    assert titles(result)[3] in {"charlie", "delta"}  # only one of the two fit under the cap
    assert result.stop_reason == "stop" and result.query == "charlie delta"
    assert [s.added for s in result.steps[:2]] == [1, 1]
    assert "refine 'bravo': 1 new" in llm.calls[1].prompt


async def test_rerank_keeps_unlisted_documents_after_the_new_order():
    llm = FunctionModel(in_order([refine("charlie delta"), rerank(3, 1, 3), STOP]))
    result = await SMR(CORPUS, top_k=2, max_docs=6).retrieve("alpha bravo", _ctx(llm))
    a, b, c, d = shown(llm.calls[1])
    assert titles(result) == [c, a, b, d]  # duplicates ignored, nothing dropped


async def test_an_action_that_changes_nothing_stops_the_machine():
    # the refine finds only documents already listed
    llm = FunctionModel(in_order([refine("alpha bravo report")]))
    result = await SMR(CORPUS, top_k=2).retrieve("alpha bravo", _ctx(llm))
    assert result.stop_reason == "no_change" and len(llm.calls) == 1
    llm = FunctionModel(in_order([rerank(1, 2)]))
    result = await SMR(CORPUS, top_k=2).retrieve("alpha report", _ctx(llm))
    assert result.stop_reason == "no_change"


async def test_step_limit():
    llm = FunctionModel(in_order([rerank(2, 1)] * 10))  # every swap changes the list
    result = await SMR(CORPUS, top_k=2, max_steps=3).retrieve("alpha report", _ctx(llm))
    assert result.stop_reason == "max_steps" and len(result.steps) == 3 == len(llm.calls)


async def test_repeated_unusable_replies_stop_it_each_retry_warmer():
    llm = FunctionModel(in_order(["not json", rerank(9), refine("  "), STOP]))
    result = await SMR(CORPUS, top_k=2).retrieve("alpha report", _ctx(llm))
    assert result.stop_reason == "parse_failures" and len(llm.calls) == 3
    assert [c.info.temperature for c in llm.calls] == [0.0, 0.1, 0.2]
    assert all(s.action is None and s.error for s in result.steps)
    assert "not JSON valid under the requested schema" in result.steps[0].error
    assert "rerank needs numbers from 1 to 2" in result.steps[1].error
    llm = FunctionModel(in_order([CUT, STOP]))
    result = await SMR(CORPUS, top_k=2).retrieve("alpha report", _ctx(llm))
    assert result.stop_reason == "stop"  # one failure is forgiven
    assert result.steps[0].error.startswith("JSONDecodeError")


async def test_it_counts_what_it_generates_and_reads_from_the_ledger():
    llm = FunctionModel(in_order([refine("charlie"), STOP]))
    result = await SMR(CORPUS, top_k=2).retrieve("alpha report", _ctx(llm))
    totals = llm.ledger.by("role", run="q1")["smr"]
    assert totals.calls == 2
    assert result.generated_tokens == totals.usage.completion_tokens > 0
    assert result.read_tokens == totals.usage.prompt_tokens > result.generated_tokens
    schema = llm.calls[0].info.structured.json_schema
    assert {s["properties"]["action"]["const"] for s in schema["anyOf"]} == {
        "refine",
        "rerank",
        "stop",
    }


async def test_as_a_planner_it_answers_from_the_top_documents():
    llm = FunctionModel(in_order([rerank(2, 1), STOP, "Answer: 42."]))
    ctx = RunContext(llm=llm, run_id="p", count_tokens=WordCounter().count_text)
    out = await SMR(CORPUS, top_k=2, answer_docs=1).run("alpha or bravo", ctx)
    assert out.answer == "42" and out.plan == "rerank: [2, 1]\nstop\n[stop]"
    answer_prompt = llm.calls[-1].prompt
    assert answer_prompt.count("Doc ") == 1
    assert set(llm.ledger.by("role", run="p")) == {"smr", "solver"}


async def test_as_the_search_tool_of_another_planner():
    def respond(messages, info):
        if info.labels.role == "planner":
            return "Plan: find it.\n#E1 = search[delta]"
        if info.labels.role == "smr":
            return STOP
        return "4"

    llm = FunctionModel(respond)
    tool = smr_search_tool(SMR(CORPUS, top_k=2), k=1, max_tokens=30)
    ctx = RunContext(
        llm=llm, run_id="r", tools=ToolRegistry([tool]), count_tokens=WordCounter().count_text
    )
    out = await ReWOO().run("What is delta?", ctx)
    assert out.answer == "4"
    assert ctx.steps[0].observation.text.startswith("Doc delta:")
    assert set(llm.ledger.by("role", run="r")) == {"planner", "smr", "solver"}


def test_settings_are_checked():
    with pytest.raises(ConfigError):
        SMR(CORPUS, top_k=5, max_docs=3)
