"""ReWOO and ReAct end to end on real HotpotQA questions with Qwen2.5-Coder-1.5B on vLLM.

Structure, not accuracy: accuracy is the benchmark's job.
"""

import asyncio
import json

import pytest

from agentkit import Agent, ReAct, ReWOO
from agentkit.memory.lexical import Corpus
from agentkit.planners import parse_plan
from agentkit.tools import llm_tool, search_tool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


def _questions(path, n):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(next(fh)) for _ in range(n)]


async def test_rewoo_and_react_answer_three_hotpot_questions(qwen_llm, hotpot_path):
    questions = _questions(hotpot_path, 3)
    agents = {
        "rewoo": Agent(qwen_llm, planner=ReWOO(plan_tokens=200)),
        "react": Agent(qwen_llm, planner=ReAct(max_steps=4, step_tokens=100)),
    }

    def tools(kind, q):
        search = search_tool(Corpus.from_hotpot(q["context"]))
        return [search, llm_tool()] if kind == "rewoo" else [search]

    runs = [
        (kind, agents[kind].run(q["question"], tools=tools(kind, q)))
        for q in questions
        for kind in agents
    ]
    results = await asyncio.gather(*(run for _, run in runs))
    for (kind, _), r in zip(runs, results, strict=True):
        assert r.error is None, r.error
        assert r.answer.strip() and len(r.answer.split()) <= 12, r.answer  # short
        assert r.steps and r.steps[0].tool == "search"
        records = qwen_llm.ledger.records(r.run_id)
        assert r.llm_calls == len(records) and r.total.usage.prompt_tokens > 0
        assert r.total.usage.prompt_tokens == sum(c.usage.prompt_tokens for c in records)
        assert r.total.usage.completion_tokens == sum(c.usage.completion_tokens for c in records)
        by_role = sum(t.usage.total_tokens for t in r.usage.values())
        assert by_role == r.total.usage.total_tokens
        if kind == "rewoo":
            plan = parse_plan(r.plan)
            assert 1 <= len(plan.steps) <= 4 and len(r.steps) <= len(plan.steps)
            ran = {s.id for s in r.steps}
            assert all(s.tool == "llm" for s in plan.steps if s.id not in ran)  # only unread llm
            # the solver reads focused evidence (200 tokens) + instructions, plan lines, question
            assert r.usage["solver"].usage.prompt_tokens <= 450
            assert {"planner", "solver"} <= set(r.usage) <= {"planner", "worker", "solver"}
            assert r.usage["planner"].calls == 1  # the constrained plan parsed at once
        else:
            assert r.plan is None and set(r.usage) == {"react"}
            assert r.steps[-1].tool == "finish"
