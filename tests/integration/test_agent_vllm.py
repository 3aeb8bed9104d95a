"""Many agent runs against one real vLLM server: own usage each, budgets end runs cleanly."""

import asyncio
import json

import pytest

from agentkit import Agent, Budget, Limits, ReAct, ReWOO
from agentkit.memory.lexical import Corpus
from agentkit.tools import llm_tool, search_tool

pytestmark = pytest.mark.integration


def _questions(path, n):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(next(fh)) for _ in range(n)]


def _tools(q):
    return [search_tool(Corpus.from_hotpot(q["context"])), llm_tool(max_tokens=16)]


async def test_concurrent_runs_each_get_their_own_exact_usage(smol_llm, hotpot_path):
    questions = _questions(hotpot_path, 6)
    agent = Agent(smol_llm, planner=ReWOO(max_steps=3, plan_tokens=160, answer_tokens=16))
    results = await asyncio.gather(*(agent.run(q["question"], tools=_tools(q)) for q in questions))
    assert len({r.run_id for r in results}) == 6
    for r in results:
        assert r.error is None, r.error
        records = smol_llm.ledger.records(r.run_id)
        assert r.llm_calls == len(records) >= 2
        assert r.total.usage == sum((c.usage for c in records), start=type(r.total.usage)())
        assert r.usage["planner"].usage.prompt_tokens > 0


async def test_a_run_over_budget_reports_the_error_in_its_result(smol_llm, hotpot_path):
    q = _questions(hotpot_path, 1)[0]
    agent = Agent(
        smol_llm,
        planner=ReAct(max_steps=6, step_tokens=64),
        budget=Budget(run=Limits(total_tokens=1500)),
    )
    result = await agent.run(q["question"], tools=_tools(q)[:1])
    if result.error is None:  # the model may finish within budget; then it spent less
        assert result.total.usage.total_tokens <= 1500
    else:
        assert result.error.startswith("BudgetExceededError")
        assert result.total.usage.total_tokens <= 1500
