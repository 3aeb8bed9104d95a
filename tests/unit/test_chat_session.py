"""A chat session without a terminal: turns, the meter, cancelling, slash commands, saving."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from rich.console import Console

from agentkit import Agent, ReWOO
from agentkit.chat.commands import parse_command
from agentkit.chat.config import ChatConfig
from agentkit.chat.conversation import HEADER, NOTES
from agentkit.chat.index import open_index
from agentkit.chat.session import ChatSession
from agentkit.chat.slash import run_command
from agentkit.chat.trace_view import trace_tree
from agentkit.errors import ConfigError
from agentkit.testing import FunctionModel
from agentkit.trace import read_trace
from tests.unit.chat_models import PLAN, reply


@pytest.fixture
def docs(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path / "home"))
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "rush.md").write_text(
        "# Rush\n\nRush was a Canadian rock band. Neil Peart was the drummer of Rush.\n"
    )
    (folder / "sub" / "peart.txt").write_text("Neil Peart was born on September 12, 1952.\n")
    return folder


def session_for(docs, tmp_path, **config):
    out = io.StringIO()
    cfg = ChatConfig.validated(model="function", docs=docs, **config)
    index = open_index(docs)
    model = FunctionModel(reply)
    console = Console(file=out, width=120)
    session = ChatSession(cfg, model, console=console, docs=index, trace_path=tmp_path / "t.jsonl")
    return session, out


async def test_a_turn_shows_plan_steps_answer_and_meter(docs, tmp_path):
    session, out = session_for(docs, tmp_path)
    await session.start()
    report = await session.turn("Who drummed for Rush?")
    screen = out.getvalue()
    assert report.result is not None and report.result.answer == "Neil Peart"
    for seen in (
        "╭─ plan",
        "#E1 = search[Rush drummer]",
        "✓ #1 search[Rush drummer] →",
        "answer Neil Peart",
    ):
        assert seen in screen
    assert "of 4,000 tokens" in screen and "planner" in screen and "solver" in screen
    assert session.session == report.total and report.total.calls == 2


async def test_the_first_turn_sends_what_a_plain_agent_sends(docs, tmp_path):
    session, _ = session_for(docs, tmp_path)
    await session.turn("Who drummed for Rush?", show=False)
    plain = FunctionModel(reply)
    await Agent(plain, ReWOO(), tools=session.agent.tools).run("Who drummed for Rush?")
    assert [c.messages for c in session.llm.calls] == [c.messages for c in plain.calls]


async def test_a_follow_up_carries_the_conversation(docs, tmp_path):
    session, out = session_for(docs, tmp_path)
    await session.turn("Who drummed for Rush?", show=False)
    report = await session.turn("When was he born?")
    assert report.context.kept == 1 and report.context.tokens > 0
    sent = session.llm.calls[-2].messages[-1].content  # the planner's prompt
    assert f"When was he born?\n{HEADER}\nQ: Who drummed for Rush?\nA: Neil Peart" in sent
    assert "context: 1 earlier turns kept" in out.getvalue()


async def test_interrupting_a_turn_keeps_the_session_and_counts_the_calls(docs, tmp_path):
    session, out = session_for(docs, tmp_path)
    turn = asyncio.create_task(session.turn("Tell me slowly about Rush"))
    while session._task is None:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the planner's call is in flight, for a minute
    assert session.interrupt()
    report = await turn
    assert report.cancelled and report.total.calls == 1
    assert report.usage["planner"].usage.prompt_tokens > 0  # the cancelled call, counted
    assert "cancelled" in out.getvalue() and session.conversation.turns == []
    again = await session.turn("Who drummed for Rush?", show=False)  # the session goes on
    assert again.result is not None and again.result.ok
    assert session.session.calls == 3
    assert report.to_json()["status"] == "cancelled"
    tree = io.StringIO()
    Console(file=tree, width=200).print(trace_tree(read_trace(session.trace.path), "t"))
    lines = tree.getvalue().splitlines()
    cancelled_run = next(i for i, ln in enumerate(lines) if report.run_id in ln)
    assert "no result (cancelled" in lines[cancelled_run]
    assert (
        "call planner/plan" in lines[cancelled_run + 1] and "cancelled" in lines[cancelled_run + 1]
    )


async def test_slash_commands(docs, tmp_path):
    session, out = session_for(docs, tmp_path)
    await session.turn("Who drummed for Rush?", show=False)

    def do(line):
        out.truncate(0)
        out.seek(0)
        keep = run_command(session, parse_command(line))
        return keep, out.getvalue()

    assert "react" in do("/planner react")[1] and session.agent.planner.name == "react"
    with pytest.raises(ConfigError, match="unknown planner 'magic'"):
        do("/planner magic")
    assert session.config.planner == "react"  # a bad change changes nothing
    assert "search[query]" in do("/tools")[1]
    assert "total_tokens 900" in do("/budget 900")[1] and session.agent.budget is not None
    assert session.agent.budget.run.total_tokens == 900
    assert "budget per turn: none" in do("/budget off")[1]
    with pytest.raises(ConfigError, match="number of tokens or 'off'"):
        do("/budget lots")
    memory = do("/memory")[1]
    assert "no memory configured" in memory and "2 files" in memory
    assert "sub/peart.txt" in do("/memory search Peart born")[1]
    tree = do("/trace")[1]
    assert "call planner/plan" in tree and "✓ #1 search[Rush drummer]" in tree
    assert "model: function" in do("/model")[1]
    assert "/planner NAME" in do("/help")[1]
    saved = tmp_path / "chat.json"
    assert "saved 1 turns" in do(f"/save {saved}")[1]
    assert json.loads(saved.read_text())["conversation"][0]["answer"] == "Neil Peart"
    assert "conversation cleared" in do("/clear")[1] and session.conversation.turns == []
    assert "loaded 1 turns" in do(f"/load {saved}")[1]
    assert session.conversation.turns[0].question == "Who drummed for Rush?"
    (tmp_path / "junk.json").write_text("[1]")
    with pytest.raises(ConfigError, match="not a saved agentkit chat"):
        do(f"/load {tmp_path / 'junk.json'}")
    assert do("/quit")[0] is False


def test_smr_and_search_need_documents():
    with pytest.raises(ConfigError, match="smr searches documents"):
        ChatSession(ChatConfig.validated(planner="smr"), FunctionModel(reply), console=Console())
    with pytest.raises(ConfigError, match="the search tool needs documents"):
        cfg = ChatConfig.validated(tools=("search",))
        ChatSession(cfg, FunctionModel(reply), console=Console())


def test_the_scripted_plan_is_a_valid_rewoo_plan():
    from agentkit.planners import parse_plan

    assert parse_plan(PLAN).steps[0].tool == "search"


class Notes:
    """A ChatMemory as learned memories will plug in."""

    def __init__(self):
        self.kept: list[str] = ["Neil Peart was born in 1952."]

    def describe(self):
        return f"{len(self.kept)} notes"

    def recall(self, question):
        return list(self.kept)

    def learn(self, question, answer):
        self.kept.append(f"{question} {answer}")
        return [self.kept[-1]]

    def search(self, text, k=5):
        return [n for n in self.kept if text.lower() in n.lower()][:k]


async def test_a_memory_recalls_before_and_learns_after_a_turn(docs, tmp_path):
    session, out = session_for(docs, tmp_path)
    session.memory = Notes()
    report = await session.turn("Who drummed for Rush?")
    assert report.recalled == ["Neil Peart was born in 1952."]
    assert report.learned == ["Who drummed for Rush? Neil Peart"]
    screen = out.getvalue()
    assert "recalled: Neil Peart was born in 1952." in screen and "learned: Who drummed" in screen
    sent = session.llm.calls[0].messages[-1].content
    assert f"{NOTES}\n- Neil Peart was born in 1952." in sent
    out.truncate(0)
    run_command(session, parse_command("/memory search born"))
    assert "memory: Neil Peart was born in 1952." in out.getvalue()
