"""The Agent: typed results with usage from the ledger, errors as data, concurrent runs."""

import asyncio

import pytest

from agentkit import (
    Agent,
    AgentResult,
    Budget,
    ConfigError,
    Corpus,
    Limits,
    ReAct,
    ReWOO,
    llm_tool,
    search_tool,
)
from agentkit.testing import FunctionModel, in_order
from agentkit.trace import TraceWriter, read_trace

CONTEXT = [
    ["Jaws (film)", ["Jaws is a 1975 film", " directed by Steven Spielberg."]],
    ["Steven Spielberg", ["Spielberg attended California State University, Long Beach."]],
]
PLAN = (
    "Plan: Find the director.\n#E1 = search[Jaws director]\n"
    "Plan: Name him.\n#E2 = llm[Who directed Jaws? #E1]\n"
    "Plan: Find his university.\n#E3 = search[#E2 university]"
)


def respond(messages, info):
    if info.labels.role == "planner":
        return PLAN
    if info.labels.role == "solver":
        return "California State University, Long Beach"
    return "Steven Spielberg"  # the llm tool


async def slow_respond(messages, info):
    await asyncio.sleep(0.05)
    return respond(messages, info)


def _agent(llm, **kw):
    return Agent(
        llm, planner=ReWOO(), tools=[search_tool(Corpus.from_hotpot(CONTEXT)), llm_tool()], **kw
    )


async def test_a_run_returns_answer_plan_steps_and_usage_by_role():
    llm = FunctionModel(respond)
    result = await _agent(llm).run("Which university did the director of Jaws attend?", run_id="q1")
    assert isinstance(result, AgentResult) and result.error is None
    assert result.answer == "California State University, Long Beach"
    assert result.plan == PLAN and result.planner == "rewoo"
    assert [(s.id, s.tool, s.ok) for s in result.steps] == [
        (1, "search", True),
        (2, "llm", True),
        (3, "search", True),
    ]
    assert set(result.usage) == {"planner", "worker", "solver"}
    assert all(t.calls == 1 for t in result.usage.values())
    assert result.llm_calls == 3 and result.tool_calls == 3 and result.wall_s > 0
    records = llm.ledger.records("q1")
    total_prompt = sum(r.usage.prompt_tokens for r in records)
    total_completion = sum(r.usage.completion_tokens for r in records)
    assert (result.total.usage.prompt_tokens, result.total.usage.completion_tokens) == (
        total_prompt,
        total_completion,
    )
    assert (
        sum(t.usage.total_tokens for t in result.usage.values()) == result.total.usage.total_tokens
    )
    assert AgentResult.model_validate_json(result.model_dump_json()) == result


async def test_budget_exceeded_ends_the_run_with_an_error_not_an_exception():
    llm = FunctionModel(in_order(["Action: search[Jaws]"] * 10))
    agent = Agent(
        llm,
        planner=ReAct(max_steps=8),
        tools=[search_tool(Corpus.from_hotpot(CONTEXT))],
        budget=Budget(run=Limits(total_tokens=1200)),
    )
    result = await agent.run("Who directed Jaws?")
    assert result.error and result.error.startswith("BudgetExceededError: run total_tokens limit")
    assert result.answer == "" and result.steps  # what was done is kept
    assert result.total.usage.total_tokens <= 1200
    assert 1 <= result.llm_calls < 8


async def test_an_unusable_plan_ends_the_run_with_an_error():
    llm = FunctionModel(in_order(["Rush.", "Rush, really."]))
    agent = Agent(
        llm, planner=ReWOO(constraint="none"), tools=[search_tool(Corpus.from_hotpot(CONTEXT))]
    )
    result = await agent.run("Which band?")
    assert result.error.startswith("PlanError: the planner wrote no usable plan")
    assert result.llm_calls == 2 and result.usage["planner"].calls == 2


async def test_many_runs_share_one_llm_concurrently_with_their_own_usage():
    llm = FunctionModel(slow_respond)
    agent = _agent(llm)
    results = await asyncio.gather(*(agent.run(f"Question {i}?") for i in range(8)))
    assert len({r.run_id for r in results}) == 8
    for r in results:
        assert r.error is None and r.llm_calls == 3
        assert r.total.usage == llm.ledger.total(r.run_id).usage
    assert llm.ledger.total().calls == 24
    with pytest.raises(ConfigError, match="used before"):
        await agent.run("again", run_id=results[0].run_id)


async def test_tools_can_be_replaced_for_one_run():
    llm = FunctionModel(respond)
    agent = _agent(llm)
    other = [search_tool([("Jaws (film)", "Jaws was directed by Someone Else.")]), llm_tool()]
    result = await agent.run("Who?", tools=other)
    assert "Someone Else" in result.steps[0].observation.text
    assert "Spielberg" in (await agent.run("Who?")).steps[0].observation.text


async def test_trace_gets_this_agents_calls_steps_and_results(tmp_path):
    llm = FunctionModel(respond)
    trace = TraceWriter(tmp_path / "trace.jsonl")
    traced, untraced = _agent(llm, trace=trace), _agent(llm)
    await traced.run("Who?", run_id="traced")
    await untraced.run("Who?", run_id="untraced")
    events = list(read_trace(tmp_path / "trace.jsonl"))
    kinds = [e["kind"] for e in events]
    assert kinds.count("llm_call") == 3 and kinds.count("tool_step") == 3
    assert kinds[-1] == "agent_result" and events[-1]["answer"]
    assert all(e.get("run", e.get("labels", {}).get("run")) in ("traced", None) for e in events)


def test_run_sync_from_plain_code():
    llm = FunctionModel(respond)
    result = _agent(llm).run_sync("Which university?")
    assert result.answer == "California State University, Long Beach"
    llm.close()


async def test_finished_runs_leave_nothing_behind_in_the_agent_or_the_ledger_listeners(tmp_path):
    llm = FunctionModel(respond)
    agent = _agent(llm, trace=TraceWriter(tmp_path / "t.jsonl"))
    for i in range(20):
        await agent.run("Who?", run_id=f"r{i}")
    assert agent._active == set() and llm.ledger._listeners == []
    with pytest.raises(ConfigError, match="was used before"):
        await agent.run("Who?", run_id="r3")
