"""SMR against a real vLLM server: the JSON-schema action parses and every call is counted."""

import pytest

from agentkit.agent import Agent
from agentkit.evals import hotpotqa
from agentkit.memory.lexical import Corpus
from agentkit.planners import SMR
from agentkit.tools import ToolContext

pytestmark = pytest.mark.integration


def _corpus(hotpot_path, n=20):
    return Corpus(hotpotqa.open_corpus(hotpotqa.load(hotpot_path, n=n)))


async def test_state_machine_runs_on_real_actions(smol_llm, hotpot_path):
    q = hotpotqa.load(hotpot_path, n=1)[0]
    smr = SMR(_corpus(hotpot_path), max_steps=3)
    result = await smr.retrieve(q.question, ToolContext(llm=smol_llm, run_id="smr-smol"))
    assert result.stop_reason in {"stop", "no_change", "max_steps", "parse_failures"}
    assert 1 <= len(result.steps) <= 3 and result.documents
    totals = smol_llm.ledger.by("role", run="smr-smol")["smr"]
    assert totals.calls == len(result.steps)
    assert result.generated_tokens == totals.usage.completion_tokens
    assert result.read_tokens == totals.usage.prompt_tokens


@pytest.mark.qwen
async def test_smr_planner_answers_a_hotpot_question(qwen_llm, hotpot_path):
    q = hotpotqa.load(hotpot_path, n=2)[1]  # "... Tottenham Hotspur ... commonly referred to as?"
    agent = Agent(qwen_llm, planner=SMR(_corpus(hotpot_path), max_steps=4))
    result = await agent.run(q.question)
    assert result.error is None and result.answer
    assert set(result.usage) == {"smr", "solver"}
    assert result.plan and result.plan.splitlines()[-1].startswith("[")
