"""The client, budgets and Agent.run against every fault mode of a loopback server: each
ends in a typed error or a correct result, within its deadline, with ledger and budget exact."""

from __future__ import annotations

import time

import pytest

from agentkit import Agent, Budget, Limits, ReWOO, search_tool
from agentkit.errors import AgentkitError, BudgetExceededError
from agentkit.llm import LLM
from agentkit.testing import WordCounter
from agentkit.testing.faults import FAULT_MODES, FaultServer

pytestmark = pytest.mark.model_requests  # requests go to a server on 127.0.0.1

# a correct result, whatever the call (a dropped stream is retried and shown once)
WORKS = {"ok", "status_5xx", "no_usage", "dropped_stream"}
TIMEOUT_S = 3.0  # room for two retries with backoff; hang and drip must end within it


def _llm(url: str) -> LLM:
    return LLM(url, "m", tokenizer=WordCounter(), timeout_s=TIMEOUT_S, max_retries=2)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("mode", sorted(FAULT_MODES))
async def test_every_fault_ends_typed_or_correct_within_the_deadline(mode, stream):
    server = FaultServer(mode)
    shown: list[str] = []
    budget = Budget(run=Limits(total_tokens=10_000)).tracker()
    with server.running() as url:
        llm = _llm(url)
        t0 = time.monotonic()
        try:
            done = await llm.generate(
                "What is the capital of France?",
                budget=budget,
                on_token=shown.append if stream else None,
            )
        except AgentkitError as exc:
            done, error = None, exc
        elapsed = time.monotonic() - t0
        await llm.aclose()
    assert elapsed < 3 * TIMEOUT_S + 1, f"{mode} took {elapsed:.1f}s"
    works = mode in WORKS
    records = llm.ledger.records()
    if works:
        assert done is not None and done.text == "Paris is the capital"
        if stream:
            assert "".join(shown) == done.text  # each token shown once, across a retry
        assert len(records) == 1 and budget.spent == records[0].usage
        if mode == "no_usage":
            assert records[0].usage_counted and records[0].usage.completion_tokens == 4
        else:
            sent = server.usage_sent
            assert [records[0].usage.prompt_tokens, records[0].usage.completion_tokens] == sent
    else:
        assert done is None, f"{mode} should have failed"
        assert records == [] and budget.spent.total_tokens == 0  # nothing charged
        assert (budget._reserved_in, budget._reserved_out) == (0, 0)  # nothing left reserved
        assert str(error)


@pytest.mark.parametrize("mode", sorted(FAULT_MODES))
async def test_agent_runs_return_a_result_or_raise_a_typed_error(mode):
    docs = [("Paris", "Paris is the capital of France.")]
    with FaultServer(mode, reply="Plan: find it\n#E1 = search[Paris]").running() as url:
        llm = _llm(url)
        agent = Agent(llm, planner=ReWOO(constraint="none"), tools=[search_tool(docs)])
        try:
            result = await agent.run("What is the capital of France?")
        except AgentkitError as exc:  # no server at all: every run would fail alike
            assert mode == "dead", f"{mode} raised {exc!r} out of Agent.run"
            return
        finally:
            await llm.aclose()
    assert result.ok == (mode in WORKS), (mode, result.status, result.error)
    if not result.ok:
        assert result.error_type and result.error
    assert result.total.usage == llm.ledger.total(run=result.run_id).usage


async def test_a_server_reporting_negative_usage_cannot_refill_a_budget():
    budget = Budget(run=Limits(total_tokens=60)).tracker()
    with FaultServer("negative_usage").running() as url:
        llm = _llm(url)
        for _ in range(5):
            with pytest.raises(AgentkitError):
                await llm.generate("hello there", budget=budget, max_tokens=10)
        await llm.aclose()
    assert budget.spent.total_tokens == 0 and budget.requests == 5
    with FaultServer("ok").running() as url:
        llm = _llm(url)
        await llm.generate("hello there", budget=budget, max_tokens=10)
        with pytest.raises(BudgetExceededError):
            for _ in range(10):
                await llm.generate("hello there", budget=budget, max_tokens=10)
        await llm.aclose()
