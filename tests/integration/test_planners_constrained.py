"""The plan regex, through vLLM's structured outputs, makes even SmolLM2-135M plan parseably."""

import json

import pytest

from agentkit.memory.lexical import Corpus
from agentkit.planners import ReWOO, RunContext
from agentkit.tools import ToolRegistry, calculator_tool, llm_tool, search_tool

pytestmark = pytest.mark.integration


async def test_smollm2_writes_plans_that_parse_at_the_first_try(smol_llm, hotpot_path):
    with open(hotpot_path, encoding="utf-8") as fh:
        questions = [json.loads(next(fh)) for _ in range(4)]
    rewoo = ReWOO(max_steps=4, plan_tokens=256)
    for i, q in enumerate(questions):
        tools = [search_tool(Corpus.from_hotpot(q["context"])), llm_tool(), calculator_tool()]
        ctx = RunContext(llm=smol_llm, run_id=f"smol-plan-{i}", tools=ToolRegistry(tools))
        plan = await rewoo.plan(q["question"], tools, ctx)
        assert 1 <= len(plan.steps) <= 4
        assert [s.id for s in plan.steps] == list(range(1, len(plan.steps) + 1))
        assert {s.tool for s in plan.steps} <= {"search", "llm", "calculator"}
        assert all(s.input.strip() for s in plan.steps)
        purposes = [r.labels.purpose for r in smol_llm.ledger.records(f"smol-plan-{i}")]
        assert purposes == ["plan"]  # no re-plan was needed
