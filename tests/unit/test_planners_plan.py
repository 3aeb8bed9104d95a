"""ReWOO plans: parsing (fuzzed), the constraining regex, and #E substitution."""

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkit.planners import Plan, PlanError, PlanStep, parse_plan, plan_regex, substitute
from agentkit.planners.plan import plan_grammar

TOOLS = ["search", "llm", "calculator"]


def test_a_plain_plan_parses_with_plan_lines_paired_by_step():
    plan = parse_plan(
        "Plan: Find the director of Jaws.\n#E1 = search[Jaws director]\n"
        "Plan: Get the name.\n#E2 = llm[Who directed Jaws? #E1]\n"
    )
    assert [(s.id, s.plan, s.tool, s.input) for s in plan.steps] == [
        (1, "Find the director of Jaws.", "search", "Jaws director"),
        (2, "Get the name.", "llm", "Who directed Jaws? #E1"),
    ]
    assert plan.steps[1].refs == [1]
    assert parse_plan(plan.render()) == plan


def test_ten_and_more_steps_multiline_inputs_and_nested_brackets():
    lines = [f"Plan: step {i}\n#E{i} = search[topic {i}]" for i in range(1, 12)]
    lines.append("Plan: combine\n#E12 = llm[Compare #E1 with #E10\nand #E11 [see both]]")
    plan = parse_plan("\n".join(lines))
    assert [s.id for s in plan.steps] == list(range(1, 13))
    last = plan.steps[-1]
    assert last.input == "Compare #E1 with #E10\nand #E11 [see both]"
    assert last.refs == [1, 10, 11]


def test_lenient_where_the_intent_is_clear():
    plan = parse_plan(
        "Here is my plan.\nPlan 1: find it\n#E1: Search[first query\n"
        "Plan 2: then this\n#e2 = llm[use #E1"
    )
    assert [(s.id, s.tool, s.input, s.plan) for s in plan.steps] == [
        (1, "Search", "first query", "find it"),  # missing ']' ends at the next Plan line
        (2, "llm", "use #E1", "then this"),  # or at the end of the text (a cut-off reply)
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("I will just answer: Rush.", "no step"),
        ("#E1 = search[a]\n#E1 = search[b]", "defined twice"),
        ("#E1 = llm[use #E3]\n#E2 = search[x]", "#E1 uses #E3, which is not a step"),
        ("#E1 = search[a #E1234567890]", "too large"),
    ],
)
def test_unusable_plans_are_plan_errors_saying_why(text, complaint):
    with pytest.raises(PlanError, match=complaint):
        parse_plan(text)


@given(st.text())
def test_any_text_gives_a_plan_or_a_plan_error(text):
    try:
        plan = parse_plan(text)
    except PlanError:
        return
    assert plan.steps and all(s.tool for s in plan.steps)


@given(
    st.text(alphabet="#E0123456789=[]:() \nPlansearchl", max_size=120),
)
def test_plan_shaped_noise_gives_a_plan_or_a_plan_error(text):
    with contextlib.suppress(PlanError):
        parse_plan(text)


@st.composite
def plans(draw):
    """Valid plans with any step numbers, references to earlier steps, multi-line inputs."""
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=14, unique=True))
    words = st.text(alphabet="abcdefgh ,.?'\n", min_size=1, max_size=30)
    steps = []
    for i, n in enumerate(ids):
        parts = [draw(words).strip() or "x"]
        for ref in draw(st.lists(st.sampled_from(ids[:i]), max_size=2)) if i else []:
            parts.append(f"#E{ref}")
        plan_line = " ".join(draw(st.text(alphabet="abc xyz.", max_size=20)).split())
        steps.append(
            PlanStep(id=n, plan=plan_line, tool=draw(st.sampled_from(TOOLS)), input=" ".join(parts))
        )
    return Plan(steps=steps)


@given(plans())
def test_rendered_plans_parse_back_to_themselves(plan):
    assert parse_plan(plan.render()) == plan


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.data())
def test_every_text_the_regex_allows_parses_into_a_bounded_plan(data):
    max_steps = data.draw(st.integers(1, 12))
    text = data.draw(st.from_regex(plan_regex(TOOLS, max_steps), fullmatch=True))
    plan = parse_plan(text)
    assert 1 <= len(plan.steps) <= max_steps
    assert [s.id for s in plan.steps] == list(range(1, len(plan.steps) + 1))
    assert {s.tool for s in plan.steps} <= set(TOOLS)


def test_the_regex_keeps_the_structure_and_the_parser_checks_references():
    pattern = re.compile(plan_regex(TOOLS, 3))
    good = "Plan: a\n#E1 = search[x]\nPlan: b\n#E2 = llm[about #E1 now]"
    assert pattern.fullmatch(good) and parse_plan(good).steps[1].refs == [1]
    for bad in [
        "Plan: a\n#E1 = wikipedia[x]",  # unknown tool
        "Plan: a\n#E2 = search[x]",  # numbering starts at 1
        "\n".join(f"Plan: p\n#E{i} = search[x]" for i in range(1, 5)),  # more than 3
        "Plan: a\n#E1 = search[]",  # empty input
        "Plan: a\n#E1 = search[x\ny]",  # a line break in a plain input
    ]:
        assert not pattern.fullmatch(bad), bad
    # references are the parser's to check (a flat regex is what keeps decoding fast)
    wrong = "Plan: a\n#E1 = search[x]\nPlan: b\n#E2 = llm[#E12 x]"  # no step 12
    assert pattern.fullmatch(wrong)
    with pytest.raises(PlanError, match="not a step of the plan"):
        parse_plan(wrong)
    with pytest.raises(ValueError):
        plan_regex([], 3)


def test_the_grammar_accepts_the_same_plans_as_the_regex():
    xgr = pytest.importorskip("xgrammar")  # the engine vLLM compiles it with
    from xgrammar.testing import _is_grammar_accept_string as accepts

    grammar = xgr.Grammar.from_ebnf(plan_grammar(TOOLS, 3))
    pattern = re.compile(plan_regex(TOOLS, 3))
    for text in [
        "Plan: a\n#E1 = search[x]",
        'Plan: a b\n#E1 = search[x]\nPlan: b\n#E2 = llm["q \\" #E1"]',
        "Plan: a\n#E1 = search[x]\nPlan: b\n#E2 = llm[y]\nPlan: c\n#E3 = search[z #E2]",
        "Plan: a\n#E1 = wikipedia[x]",
        "Plan: a\n#E1 = search[]",
        "Plan: a\n#E2 = search[x]",
        "\n".join(f"Plan: p\n#E{i} = search[x]" for i in range(1, 5)),
        'Plan: a\n#E1 = search["a\nb"]',
    ]:
        assert accepts(grammar, text) == bool(pattern.fullmatch(text)), text


def test_substitution_replaces_whole_references_only():
    evidence = {1: "one", 10: "ten\nlines", 11: "eleven"}
    assert substitute("#E1 #E10 #E11 #e1", evidence) == "one ten\nlines eleven one"
    assert substitute("keep #E7 and #E", evidence) == "keep #E7 and #E"


async def test_a_step_may_read_a_later_one_and_runs_after_it():
    from agentkit.planners import RunContext, execute
    from agentkit.tools import ToolRegistry, tool

    order = []

    @tool
    def echo(text: str) -> str:
        """Echo."""
        order.append(text)
        return f"<{text}>"

    plan = parse_plan("#E1 = echo[about #E2]\n#E2 = echo[first]\n#E3 = echo[x]")
    results = await execute(plan, RunContext(tools=ToolRegistry([echo])))
    assert order.index("first") < order.index("about <first>")
    assert results[1].input == "about <first>"


@pytest.mark.parametrize(
    ("text", "inputs"),
    [
        ("#E1 = llm[about #E1]", ["about"]),  # a step reading itself
        ("#E1 = llm[#E2 x]\n#E2 = llm[#E1 y]", ["x", "#E1 y"]),  # two reading each other
    ],
)
def test_references_in_a_circle_are_dropped_so_the_plan_runs(text, inputs):
    assert [s.input for s in parse_plan(text).steps] == inputs
