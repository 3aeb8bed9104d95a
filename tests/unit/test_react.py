"""ReAct with a function model: the loop, its limits, and reading actions robustly."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkit.planners import PlannerError, ReAct, RunContext, parse_action, short_answer
from agentkit.testing import FunctionModel, WordCounter, in_order
from agentkit.tools import ToolRegistry, finish_tool, search_tool

DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
]


def _ctx(llm, tools=None):
    return RunContext(
        llm=llm,
        run_id="r",
        tools=ToolRegistry([search_tool(DOCS)] if tools is None else tools),
        count_tokens=WordCounter().count_text,
    )


@pytest.mark.parametrize(
    ("reply", "tool", "tool_input", "thought"),
    [
        ("Thought: find it.\nAction: search[Jaws director]", "search", "Jaws director", "find it."),
        ("Thought: x\nAction 2: Search[a [b] c]\nmore", "Search", "a [b] c", "x"),
        ("**Thought:** x\n**Action:** search[Jaws]", "search", "Jaws", "x"),
        ("Action: search(Jaws film)", "search", "Jaws film", ""),
        ("Action: search[Jaws film", "search", "Jaws film", ""),
        ('Action: search\nAction Input: "Jaws"', "search", "Jaws", ""),
        ("Action: search Jaws", "search", "Jaws", ""),
        ("Thought: done.\nFinal Answer: Rush", "finish", "Rush", "done."),
        ("Action: finish[Rush]\nFinal Answer: other", "finish", "Rush", ""),
        ("Thought: so\nfinish[Rush]", "finish", "Rush", "so"),
    ],
)
def test_actions_are_read_from_drifting_formats(reply, tool, tool_input, thought):
    action = parse_action(reply, ["search", "finish"])
    assert (action.tool, action.input, action.thought) == (tool, tool_input, thought)


def test_no_action_and_the_kept_turn():
    assert parse_action("Thought: I am not sure what to do.") is None
    assert parse_action("Action: search") is None
    assert parse_action("I should take an action: search[x]") is None  # not at a line start
    action = parse_action("Thought: a\nAction: search[x]\nThought: b\nAction: search[y]")
    assert action.turn == "Thought: a\nAction: search[x]"  # the history keeps the first action


@given(st.text())
def test_any_reply_gives_an_action_or_none(reply):
    action = parse_action(reply)
    assert action is None or action.tool


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("Rush", "Rush"),
        ("Answer: Rush.", "Rush"),
        ('The answer is "Counterparts".\nBecause...', "Counterparts"),
        ("Yes, both were American.", "Yes"),
        ("No Doubt", "No Doubt"),
        ("**Final answer:** 1974", "1974"),
        ("", ""),
    ],
)
def test_short_answers(reply, answer):
    assert short_answer(reply) == answer


async def test_the_loop_searches_then_finishes_resending_the_history():
    script = [
        "Thought: I need the director.\nAction: search[Jaws director]\nObservation: made up",
        "Thought: Spielberg. Where did he study?\nAction: search[Steven Spielberg university]",
        "Thought: I know it.\nAction: finish[California State University, Long Beach.]",
    ]
    llm = FunctionModel(in_order(script))
    ctx = _ctx(llm)
    out = await ReAct().run("Which university did the director of Jaws attend?", ctx)
    assert out.answer == "California State University, Long Beach" and out.plan is None
    assert [(s.id, s.tool) for s in ctx.steps] == [(1, "search"), (2, "search"), (3, "finish")]
    assert ctx.steps[0].note == "I need the director."
    third = llm.calls[2]
    assert len(third.messages) == 5  # prompt, (thought+action, observation) x 2
    assert third.messages[1].content.endswith("Action: search[Jaws director]")  # no fake obs
    assert third.messages[2].content.startswith("Observation: Jaws (film): Jaws is a 1975")
    assert third.info.stop[0] == "Observation:"
    assert all(r.labels.role == "react" for r in llm.ledger.records("r"))
    assert [r.labels.step for r in llm.ledger.records("r")] == [1, 2, 3]
    prompt = llm.calls[0].prompt
    assert "search[query]: " in prompt and "finish[answer]: " in prompt


async def test_a_malformed_reply_gets_feedback_and_costs_a_step():
    llm = FunctionModel(
        in_order(["I think it is Spielberg.", "Thought: ok\nAction: finish[Steven Spielberg]"])
    )
    ctx = _ctx(llm)
    out = await ReAct().run("Who directed Jaws?", ctx)
    assert out.answer == "Steven Spielberg"
    feedback = llm.calls[1].messages[-1].content
    assert feedback.startswith("Observation: no Action found") and "search[...]" in feedback
    assert (ctx.steps[0].tool, ctx.steps[0].ok) == ("", False)


async def test_max_steps_then_one_last_call_for_the_answer():
    llm = FunctionModel(in_order(["Action: search[Jaws]"] * 2 + ["Action: finish[Spielberg]"]))
    ctx = _ctx(llm)
    out = await ReAct(max_steps=2).run("Who directed Jaws?", ctx)
    assert out.answer == "Spielberg"
    assert "no steps left" in llm.calls[2].messages[-1].content
    assert [r.labels.purpose for r in llm.ledger.records("r")] == ["step", "step", "last step"]


async def test_no_answer_at_all_is_a_planner_error():
    # the last call is constrained to finish[...]; only running out of tokens can spoil it
    llm = FunctionModel(
        in_order(["Action: search[Jaws]", "Thought: it is a b c d e f g\nAction: finish[x]"])
    )
    with pytest.raises(PlannerError, match="max_steps=1"):
        await ReAct(max_steps=1, step_tokens=8).run("Who directed Jaws?", _ctx(llm))
    assert llm.calls[1].info.structured is not None


async def test_a_repeated_action_gets_a_short_reminder_instead_of_a_rerun():
    llm = FunctionModel(
        in_order(["Action: search[Jaws]", "Action: search[jaws]", "finish[Spielberg]"])
    )
    ctx = _ctx(llm)
    out = await ReAct().run("Who directed Jaws?", ctx)
    assert out.answer == "Spielberg"  # a bare finish[...] line is read as the action
    reminder = llm.calls[2].messages[-1].content
    assert reminder.startswith("Observation: you already did search[jaws] at step 1")
    assert [(s.tool, s.ok) for s in ctx.steps] == [
        ("search", True),
        ("search", False),
        ("finish", True),
    ]


async def test_a_registered_terminal_tool_is_used_for_finishing():
    llm = FunctionModel(in_order(["Action: done[Spielberg]"]))
    ctx = _ctx(llm, [search_tool(DOCS), finish_tool(name="done")])
    out = await ReAct().run("Who directed Jaws?", ctx)
    assert out.answer == "Spielberg" and ctx.steps[-1].tool == "done"
    assert "done[answer]: " in llm.calls[0].prompt


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("Paris\x07\x1b[31m red\x1b[0m.", "Paris red"),
        ("\x00\x00\nYes, because it is", "Yes"),
        ("\x1b[2J\x1b[HFinal Answer: 1975\x7f", "1975"),
    ],
)
def test_final_answers_carry_no_control_characters(reply, answer):
    assert short_answer(reply) == answer


@pytest.mark.parametrize(
    "text",
    ["Action" + " " * 65536, "Thought" + " " * 65536 + "\nAction: search[x]", "\t" * 65536],
)
def test_long_runs_of_blanks_parse_to_the_right_action(text):
    action = parse_action(text, ["search"])
    assert action is None if "search" not in text else action.input == "x"
