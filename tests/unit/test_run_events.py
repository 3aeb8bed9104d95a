"""The one live hook (Agent.run(on_event=...)) and what a cancelled call still costs."""

from __future__ import annotations

import asyncio

import pytest

from agentkit import Agent, Budget, Limits, ReAct, ReWOO, search_tool
from agentkit.planners import AnswerToken, CallFinished, StepFinished, StepStarted
from agentkit.testing import FunctionModel, TestModel
from agentkit.trace import TraceWriter, read_trace
from agentkit.types import CallLabels, as_messages

DOCS = [("Rush", "Neil Peart was the drummer and lyricist of Rush.")]
PLAN = "Plan: Find the drummer.\n#E1 = search[Rush drummer]"


def reply(messages, info):
    return PLAN if info.labels.role == "planner" else "Neil Peart"


async def test_events_tell_the_plan_the_steps_and_the_streamed_answer(tmp_path):
    events = []
    trace = TraceWriter(tmp_path / "t.jsonl")
    agent = Agent(FunctionModel(reply), ReWOO(), tools=[search_tool(DOCS)], trace=trace)
    result = await agent.run("Who drummed for Rush?", on_event=events.append)
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["CallFinished", "StepStarted", "StepFinished", "AnswerToken", "CallFinished"]
    plan, started, finished, token, answer = events
    assert isinstance(plan, CallFinished) and plan.labels.role == "planner" and plan.text == PLAN
    assert isinstance(started, StepStarted) and (started.tool, started.input) == (
        "search",
        "Rush drummer",
    )
    assert isinstance(finished, StepFinished) and finished.step == result.steps[0]
    assert isinstance(token, AnswerToken) and token.text == "Neil Peart"
    assert isinstance(answer, CallFinished) and answer.usage == result.usage["solver"].usage
    # the trace still gets its tool step through the same hook
    assert [e["kind"] for e in read_trace(trace.path)] == [
        "llm_call", "tool_step", "llm_call", "agent_result"
    ]  # fmt: skip


async def test_listening_changes_no_prompt():
    quiet, heard = FunctionModel(reply), FunctionModel(reply)
    await Agent(quiet, ReWOO(), tools=[search_tool(DOCS)]).run("Who?")
    await Agent(heard, ReWOO(), tools=[search_tool(DOCS)]).run("Who?", on_event=lambda e: None)
    assert [c.messages for c in quiet.calls] == [c.messages for c in heard.calls]
    assert [c.info.params() for c in quiet.calls] == [c.info.params() for c in heard.calls]


async def test_react_steps_without_a_run_have_no_start():
    events = []
    await Agent(TestModel(), ReAct(), tools=[search_tool(DOCS)]).run("q", on_event=events.append)
    started = [e.step for e in events if isinstance(e, StepStarted)]
    finished = [e.step.id for e in events if isinstance(e, StepFinished)]
    assert started == [1] and finished == [1, 2]  # step 2: finish, recorded, not run


async def test_a_cancelled_call_is_recorded_with_what_it_cost():
    async def slow(messages, info):
        await asyncio.sleep(30)
        return "late"

    model = FunctionModel(slow)
    tracker = Budget(run=Limits(total_tokens=1000)).tracker()
    seen = []
    model.ledger.subscribe(lambda record, detail: seen.append(detail))
    labels = CallLabels(run="r1", role="planner")
    call = asyncio.create_task(model.generate("one two three", labels=labels, budget=tracker))
    await asyncio.sleep(0.05)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    [record] = model.ledger.records("r1")
    prompt = model.tokenizer.count_messages(as_messages("one two three"))
    assert record.usage.prompt_tokens == prompt > 0 and record.usage_counted
    assert seen[0]["cancelled"] is True and seen[0]["output"] == [""]
    assert tracker.spent.prompt_tokens == prompt  # the run's budget was charged too


async def test_a_cancelled_stream_counts_what_it_had_sent():
    started = asyncio.Event()

    async def streaming(messages, info):
        started.set()
        await asyncio.sleep(30)
        return "never"

    model = FunctionModel(streaming)
    pieces: list[str] = []

    async def call():
        # what a streaming backend does: tokens reach on_token before the call ends
        return await model.generate("q", on_token=pieces.append, labels=CallLabels(run="r2"))

    original = model._complete

    async def complete(messages, info, *, tracker, on_token):
        on_token("Neil Peart was")
        return await original(messages, info, tracker=tracker, on_token=on_token)

    model._complete = complete  # type: ignore[method-assign]
    task = asyncio.create_task(call())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [record] = model.ledger.records("r2")
    assert pieces == ["Neil Peart was"] and record.usage.completion_tokens == 3
