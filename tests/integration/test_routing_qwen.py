"""RCR routing in a real multi-agent run: CodeAgents (planner, workers, solver; a replanner
when a program fails) with Qwen2.5-Coder-1.5B on vLLM, HotpotQA questions. Structure, not
accuracy (that is benchmarks/routing.py's job): every role call the router served has a
record, within its role's budget, and the run still answers."""

import pytest

from agentkit import Agent
from agentkit.evals.hotpotqa import load
from agentkit.evals.systems import CODE_LLM
from agentkit.memory.lexical import Corpus
from agentkit.planners import CodeAgents, RCRRouter, Routed
from agentkit.tools import llm_tool, search_tool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


async def test_rcr_routing_in_a_codeagents_run_on_hotpot_questions(qwen_llm, hotpot_path):
    router = RCRRouter()
    agent = Agent(qwen_llm, planner=CodeAgents(router=router))
    seen: list[Routed] = []
    for q in load(hotpot_path, n=2):
        seen.clear()
        tools = [search_tool(Corpus.from_hotpot(q.context)), llm_tool(description=CODE_LLM)]
        r = await agent.run(
            q.question, tools=tools, on_event=lambda e: isinstance(e, Routed) and seen.append(e)
        )
        records = [e.record for e in seen]
        print(f"\n{q.question}\n{r.plan}\n-> {r.answer!r} (gold {q.answer!r})")
        for rec in records:
            print(f"  {rec.role}/{rec.stage} r{rec.round}: {rec.tokens}/{rec.budget} tokens")
        assert r.error is None, r.error
        assert r.answer.strip()
        assert records and records[0].role == "planner"
        assert {rec.role for rec in records} <= {"planner", "replanner", "solver"}
        for rec in records:
            assert rec.budget == router.budget(rec.role) and rec.tokens <= rec.budget
        calls = {role: t.calls for role, t in r.usage.items()}
        assert calls.get("replanner", 0) == sum(rec.role == "replanner" for rec in records)
        assert calls.get("solver", 0) == sum(rec.role == "solver" for rec in records)
