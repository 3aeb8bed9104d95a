"""Quoted tool inputs, `tool["..."]`: any text reaches a tool through a ReWOO plan or a ReAct
action, and the plan regex admits them without changing the plain form (every text the regex
allows parses: test_planners_plan fuzzes it)."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkit.planners import (
    Plan,
    PlanError,
    PlanStep,
    ReAct,
    ReWOO,
    RunContext,
    execute,
    parse_action,
    parse_plan,
    plan_regex,
    write_call,
)
from agentkit.testing import FunctionModel
from agentkit.tools import ToolRegistry, tool

TOOLS = ["search", "llm"]
REFERENCE = re.compile(r"#E\d", re.I)
no_refs = st.text().filter(lambda t: not REFERENCE.search(t))
SEEN: list[str] = []


@tool
def echo(text: str) -> str:
    """Repeat the text."""
    SEEN.append(text)
    return f"<{text}>"


@given(no_refs, st.booleans())
def test_any_text_round_trips_through_a_quoted_call_in_a_plan(text, ascii_only):
    quoted = json.dumps(text, ensure_ascii=ascii_only)
    plan = parse_plan(f"Plan: look it up\n#E1 = search[{quoted}]\nPlan: then\n#E2 = llm[x #E1]")
    assert [s.input for s in plan.steps] == [text, "x #E1"]
    assert plan.steps[0].plan == "look it up" and plan.steps[1].plan == "then"


@given(st.lists(no_refs, min_size=1, max_size=4))
def test_plans_with_any_inputs_render_and_parse_back(inputs):
    steps = [PlanStep(id=i, plan="p", tool="search", input=t) for i, t in enumerate(inputs, 1)]
    plan = Plan(steps=steps)
    assert parse_plan(plan.render()) == plan


@given(st.text(), st.booleans())
def test_any_text_round_trips_through_a_quoted_react_action(text, ascii_only):
    quoted = json.dumps(text, ensure_ascii=ascii_only)
    reply = f"**Thought:** I look it up.\n**Action:** search[{quoted}]\nObservation: made up"
    action = parse_action(reply, ["search"])
    assert action is not None and (action.tool, action.input) == ("search", text)
    assert action.thought == "I look it up." and action.turn.endswith(f"search[{quoted}]")
    written = parse_action(f"Action: {write_call('search', text)}", ["search"])
    assert written is not None and written.input == text


def test_ordinary_inputs_keep_the_plain_form():
    assert write_call("search", "Jaws director") == "search[Jaws director]"
    assert write_call("llm", "Who directed Jaws? #E1") == "llm[Who directed Jaws? #E1]"
    assert write_call("search", "a ] b") == 'search["a ] b"]'
    assert write_call("search", '"Jaws"') == r'search["\"Jaws\""]'
    # a model's plain input that is one JSON string is read as that string
    assert parse_plan('#E1 = search["Jaws" film]').steps[0].input == '"Jaws" film'
    assert parse_plan('#E1 = search["Jaws"]').steps[0].input == "Jaws"


async def test_references_in_quoted_inputs_are_substituted():
    SEEN.clear()
    plan = parse_plan('#E1 = echo[a]\n#E2 = echo["x ] #E1\\n# y"]')
    assert plan.steps[1].refs == [1]
    ctx = RunContext(run_id="r", tools=ToolRegistry([echo]))
    results = await execute(plan, ctx)
    assert results[2].input == "x ] <a>\n# y" and SEEN == ["a", "x ] <a>\n# y"]


def test_the_regex_takes_plain_and_quoted_inputs():
    pattern = re.compile(plan_regex(TOOLS, 3))
    good = [
        'Plan: a\n#E1 = search["C# ] \\"quoted\\" \\n line #5"]',
        'Plan: a\n#E1 = search[x]\nPlan: b\n#E2 = llm["about #E1\\n]"]',
        'Plan: a\n#E1 = search[x]\nPlan: b\n#E2 = llm["#E1"]',
        "Plan: a\n#E1 = search[C# and #5]",
    ]
    bad = [
        'Plan: a\n#E1 = search["a\nb"]',  # a raw newline
        'Plan: a\n#E1 = search["unfinished]',  # a quote that is not closed
    ]
    assert all(pattern.fullmatch(text) for text in good)
    assert not any(pattern.fullmatch(text) for text in bad)
    assert parse_plan(good[0]).steps[0].input == 'C# ] "quoted" \n line #5'
    wrong = 'Plan: a\n#E1 = search["#E2"]'  # no step 2: references are the parser's to check
    assert pattern.fullmatch(wrong)
    with pytest.raises(PlanError):
        parse_plan(wrong)


async def test_react_passes_a_quoted_input_to_the_tool_exactly():
    SEEN.clear()
    replies = iter(['Action: echo["two\\nlines ] and #1"]', "Action: finish[done]"])
    model = FunctionModel(lambda messages, info: next(replies))
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry([echo]))
    out = await ReAct().run("q", ctx)
    assert out.answer == "done" and SEEN == ["two\nlines ] and #1"]


async def test_a_constrained_rewoo_plan_may_quote_its_inputs():
    SEEN.clear()
    plan = 'Plan: echo it\n#E1 = echo["a ] b\\nc"]'

    def reply(messages, info):
        return plan if info.labels.role == "planner" else "done"

    ctx = RunContext(llm=FunctionModel(reply), run_id="r", tools=ToolRegistry([echo]))
    out = await ReWOO().run("q", ctx)  # the model's reply is checked against the plan regex
    assert out.answer == "done" and SEEN == ["a ] b\nc"]
