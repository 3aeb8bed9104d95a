"""ReWOO with a function model: concurrent worker, evidence paired by id, re-planning."""

import asyncio

import pytest

from agentkit.errors import ConfigError
from agentkit.planners import PlanError, ReWOO, RunContext, execute, parse_plan
from agentkit.testing import FunctionModel, WordCounter, in_order
from agentkit.tools import ToolRegistry, llm_tool, search_tool, tool

DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
    ("Ada Lovelace", "Ada Lovelace was born in 1815."),
]


def _ctx(llm=None, tools=()):
    return RunContext(
        llm=llm, run_id="r", tools=ToolRegistry(tools), count_tokens=WordCounter().count_text
    )


def _barrier_tool(events, together):
    """Steps a, b and c each wait until all three are running at once (a barrier): run one
    after another, they would never get past it. Every start and end is logged in order."""
    arrived, all_here = [], asyncio.Event()  # asyncio.Barrier needs Python 3.11

    @tool
    async def wait(label: str) -> str:
        """Wait for the others, then echo."""
        events.append(("start", label))
        if len(label) == 1:
            arrived.append(label)
            if len(arrived) == together:
                all_here.set()
            await asyncio.wait_for(all_here.wait(), timeout=10)
        events.append(("end", label))
        return f"<{label}>"

    return wait


async def test_independent_steps_overlap_and_dependent_steps_wait():
    events = []
    plan = parse_plan("#E1 = wait[a]\n#E2 = wait[b]\n#E3 = wait[c]\n#E4 = wait[after #E1 and #E3]")
    results = await execute(plan, _ctx(tools=[_barrier_tool(events, together=3)]))
    # a, b and c were all running before any of them ended
    assert {e for e in events[:3]} == {("start", "a"), ("start", "b"), ("start", "c")}
    # the dependent step started only after both of its references had ended
    dependent = events.index(("start", "after <a> and <c>"))
    assert events.index(("end", "a")) < dependent and events.index(("end", "c")) < dependent
    assert results[4].input == "after <a> and <c>" and results[4].observation.text.startswith("<")


async def test_failed_and_unknown_tools_are_evidence_not_crashes():
    plan = parse_plan("#E1 = wikipedia[x]\n#E2 = search[Jaws]\n#E3 = search[#E1]")
    results = await execute(plan, _ctx(tools=[search_tool(DOCS)]))
    assert not results[1].ok and "unknown tool 'wikipedia'" in results[1].observation.text
    assert results[2].ok and "Spielberg" in results[2].observation.text
    assert results[3].input.startswith("Error: unknown tool")  # later steps see the failure


def _script(plan_text, solver_reply="Answer: California State University, Long Beach."):
    seen = {}

    def respond(messages, info):
        prompt = messages[-1].content
        if info.labels.role == "planner":
            seen.setdefault("plan", prompt)
            return plan_text
        if info.labels.role == "solver":
            seen["solve"] = prompt
            return solver_reply
        return "Steven Spielberg"  # the llm tool

    return respond, seen


PLAN = (
    "Plan: Find the director of Jaws.\n#E1 = search[Jaws film director]\n"
    "Plan: Get the name.\n#E2 = llm[Who directed Jaws? #E1]\n"
    "Plan: Find where he studied.\n#E3 = search[#E2 university]"
)


async def test_plan_work_solve_with_labels_and_a_constrained_planner():
    respond, seen = _script(PLAN)
    llm = FunctionModel(respond)
    await llm.ensure_ready()
    ctx = _ctx(llm, [search_tool(DOCS), llm_tool()])
    out = await ReWOO().run("Which university did the director of Jaws attend?", ctx)
    assert out.answer == "California State University, Long Beach"
    assert out.plan == PLAN
    roles = [(r.labels.role, r.labels.step) for r in llm.ledger.records("r")]
    assert roles == [("planner", None), ("worker", 2), ("solver", None)]
    planner_call = llm.calls[0].info
    assert planner_call.structured is not None and "search|llm" in planner_call.structured.regex
    assert "search[query]: " in seen["plan"] and "llm[question]: " in seen["plan"]
    assert ctx.steps[2].input == "Steven Spielberg university"  # #E2 substituted
    # the solver sees each plan line with its own evidence
    solve = seen["solve"]
    assert "Plan: Get the name.\nEvidence: Steven Spielberg\n\nPlan: Find where" in solve
    assert "search[" not in solve  # the words the planner guessed are not shown as evidence


async def test_evidence_is_paired_by_id_not_position():
    plan = "Plan: second first\n#E2 = search[Ada Lovelace]\nPlan: then one\n#E1 = search[Jaws]"
    respond, seen = _script(plan, "1815")
    llm = FunctionModel(respond)
    out = await ReWOO(constraint="none").run("When was Ada born?", _ctx(llm, [search_tool(DOCS)]))
    assert out.answer == "1815"
    blocks = seen["solve"].split("\n\n")
    assert blocks[1].startswith("Plan: second first\nEvidence: Ada Lovelace:")
    assert blocks[2].startswith("Plan: then one\nEvidence: Jaws (film):")


async def test_a_bad_plan_is_replanned_once_with_the_reason():
    def respond(messages, info):
        if info.labels.purpose == "plan":
            return "#E1 = llm[#E3]\n#E2 = search[x]"
        return PLAN if info.labels.purpose == "replan" else "Steven Spielberg"

    llm = FunctionModel(respond)
    ctx = _ctx(llm, [search_tool(DOCS), llm_tool()])
    out = await ReWOO(constraint="none").run("Which university?", ctx)
    assert out.plan == PLAN
    replan = llm.calls[1].messages
    assert [m.role for m in replan] == ["user", "assistant", "user"]
    assert "#E1 uses #E3" in replan[2].content
    assert [r.labels.purpose for r in llm.ledger.records("r")][:2] == ["plan", "replan"]


async def test_a_plan_that_stays_bad_is_a_clear_error():
    llm = FunctionModel(in_order(["I know it: Rush.", "Still just Rush."]))
    try:
        await ReWOO(constraint="none").run("q?", _ctx(llm, [search_tool(DOCS)]))
    except PlanError as exc:
        assert "no usable plan after one re-plan" in str(exc) and "no step" in str(exc)
    else:
        raise AssertionError("expected PlanError")
    assert len(llm.calls) == 2


async def test_eleven_steps_run_unconstrained_when_max_steps_allows():
    plan = "\n".join(f"#E{i} = search[Jaws]" for i in range(1, 11)) + "\n#E11 = llm[#E10 #E1]"
    respond, _ = _script(plan, "Spielberg")
    llm = FunctionModel(respond)
    ctx = _ctx(llm, [search_tool(DOCS), llm_tool()])
    planner = ReWOO(constraint="none", skip_unread=(), max_steps=11)
    out = await planner.run("Who directed Jaws?", ctx)
    assert out.answer == "Spielberg" and len(ctx.steps) == 11
    llm_call = next(c for c in llm.calls if c.info.labels.purpose == "llm tool")
    assert llm_call.prompt.count("Jaws (film):") == 2  # both #E10 and #E1 were filled in


async def test_the_solver_does_not_repeat_a_passage_found_twice():
    plan = "#E1 = search[Jaws director]\n#E2 = search[Jaws film]"
    respond, seen = _script(plan, "Spielberg")
    llm = FunctionModel(respond)
    await ReWOO(constraint="none").run("Who directed Jaws?", _ctx(llm, [search_tool(DOCS)]))
    assert seen["solve"].count("Jaws (film): Jaws is a 1975 film") == 1
    assert seen["solve"].count("Evidence:") == 1


async def test_a_repeated_call_runs_once_and_both_steps_get_its_observation():
    events = []
    plan = parse_plan("#E1 = wait[a]\n#E2 = wait[a]\n#E3 = wait[x #E2]\n#E4 = wait[x <a>]")
    results = await execute(plan, _ctx(tools=[_barrier_tool(events, together=1)]))
    assert sorted(label for kind, label in events if kind == "start") == ["a", "x <a>"]
    assert results[2].observation == results[1].observation
    assert results[4].observation.text == results[3].observation.text == "<x <a>>"


async def test_llm_steps_nobody_reads_are_not_run_but_stay_in_the_plan():
    plan = (
        "Plan: Find Jaws.\n#E1 = search[Jaws]\nPlan: Name.\n#E2 = llm[Who? #E1]\n"
        "Plan: Studies.\n#E3 = llm[Where? #E1]\nPlan: Check.\n#E4 = search[#E2 university]"
    )
    respond, seen = _script(plan)
    llm = FunctionModel(respond)
    ctx = _ctx(llm, [search_tool(DOCS), llm_tool()])
    out = await ReWOO().run("Which university did the director of Jaws attend?", ctx)
    assert sorted(s.id for s in ctx.steps) == [1, 2, 4]  # #E3 feeds nothing: not run
    assert out.plan == parse_plan(plan).render()
    assert "Plan: Studies." not in seen["solve"] and "Plan: Check." in seen["solve"]


def test_evidence_budgets_must_be_positive_or_none():
    for bad in ({"evidence_tokens": 0}, {"ref_tokens": 0}, {"ref_tokens": -3}):
        with pytest.raises(ConfigError, match="greater than or equal to 1"):
            ReWOO(**bad)
    ReWOO(evidence_tokens=None, ref_tokens=None)


async def test_an_unconstrained_plan_runs_at_most_max_steps():
    long_plan = "\n".join(f"Plan: step {i}\n#E{i} = search[Jaws {i}]" for i in range(1, 31))
    llm = FunctionModel(lambda m, info: long_plan if info.labels.role == "planner" else "1975")
    ctx = _ctx(llm, tools=[search_tool(DOCS)])
    out = await ReWOO(constraint="none", max_steps=4).run("When?", ctx)
    assert out.answer == "1975" and len(ctx.steps) == 4
    assert sorted(s.id for s in ctx.steps) == [1, 2, 3, 4]


@pytest.mark.parametrize(("constraint", "field"), [("regex", "regex"), ("grammar", "grammar")])
async def test_the_plan_constraint_is_a_setting(constraint, field):
    seen = []

    def respond(messages, info):
        if info.labels.role == "planner":
            seen.append(info.structured)
            return "Plan: find\n#E1 = search[Jaws]"
        return "1975"

    llm = FunctionModel(respond)
    await ReWOO(constraint=constraint).run("When?", _ctx(llm, [search_tool(DOCS)]))
    assert getattr(seen[0], field) is not None
    with pytest.raises(ConfigError, match="constraint"):
        ReWOO(constraint="json")
