"""RCR routing: the shared memory, scoring and packing under budgets, rounds, the full and
static baselines, and the wiring into CodeAgents and ReWOO (function models)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit import Agent
from agentkit.errors import ConfigError
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.planners import (
    CodeAgents,
    FullRouter,
    RCRRouter,
    ReWOO,
    Routed,
    RunContext,
    StaticRouter,
)
from agentkit.planners.routing import RoutingSession, SharedMemory, Weights, make_router
from agentkit.testing import FunctionModel, WordCounter
from agentkit.tools import ToolRegistry, llm_tool, search_tool
from agentkit.trace import TraceWriter

COUNT = WordCounter().count_text
QUESTION = "Which university did the director of Jaws attend?"
DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
    ("Ada Lovelace", "Ada Lovelace was born in 1815."),
]
RESULT = (
    "Jaws (film): Jaws is a 1975 film directed by Steven Spielberg. It starred Roy Scheider.\n"
    "Ada Lovelace: Ada Lovelace was born in 1815. She wrote the first program."
)


def _memory() -> SharedMemory:
    memory = SharedMemory(count=COUNT, embedder=HashingEmbedder(dim=256))
    memory.add("task", QUESTION, role="user", stage="plan")
    memory.add("result", RESULT, role="executor", stage="execute", title="search")
    memory.add("subanswer", "Steven Spielberg", role="worker", stage="execute", title="director")
    memory.add("feedback", "line 3: search() found nothing", role="executor", stage="execute")
    memory.add("memory", "Search each entity by name.", role="memory", stage="plan")
    return memory


# -- shared memory ----------------------------------------------------------------------


def test_items_are_typed_split_into_whole_sentences_and_written_once():
    memory = _memory()
    assert [i.kind for i in memory.items] == ["task", "result", "subanswer", "feedback", "memory"]
    result = memory.items[1]
    assert (result.role, result.stage, result.round) == ("executor", "execute", 0)
    assert result.tokens == COUNT(RESULT)
    units = [u for u in memory.units() if u.item.id == 1]
    assert [(u.passage.title, u.passage.text) for u in units] == [
        ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
        ("Jaws (film)", "It starred Roy Scheider."),
        ("Ada Lovelace", "Ada Lovelace was born in 1815."),
        ("Ada Lovelace", "She wrote the first program."),
    ]
    assert memory.add("result", RESULT, role="executor", stage="execute") is None  # known
    assert memory.add("feedback", "  ", role="executor", stage="execute") is None  # empty
    assert memory.vectors().shape == (len(memory.units()), 256)


def test_rounds_close_with_whether_anything_new_was_written():
    memory = _memory()
    assert memory.next_round() is True and memory.round == 1
    memory.add("result", RESULT, role="executor", stage="execute")  # the same again
    assert memory.next_round() is False
    memory.add("feedback", "line 2: no answer", role="executor", stage="execute")
    assert memory.items[-1].round == 2 and memory.next_round() is True


def test_notes_become_memory_items_under_their_header():
    memory = SharedMemory(count=COUNT)
    memory.add_notes("Behaviours from past runs:\n- search_by_name: search each entity\n- x: y")
    assert [i.text for i in memory.items] == ["search_by_name: search each entity", "x: y"]
    routed = FullRouter().route(memory, "planner", "plan", QUESTION)
    assert routed.text.startswith("Behaviours from past runs:\n- search_by_name")


# -- scoring and packing ------------------------------------------------------------------


def test_rcr_scores_by_role_relevance_meaning_stage_recency_and_importance():
    memory = _memory()
    routed = RCRRouter().route(memory, "solver", "solve", QUESTION)
    record = routed.record
    assert record.router == "rcr" and record.budget == 200 and record.tokens == COUNT(routed.text)
    assert 0 not in record.items and 0 not in record.dropped  # the task is never routed
    top = max(record.scores, key=lambda s: s.score)
    assert top.kind == "subanswer"  # role 1.0, stage 1.0, importance .5
    for s in record.scores:
        w = Weights()
        expected = (
            w.role * s.role
            + w.semantic * s.semantic
            + w.stage * s.stage
            + w.recency * s.recency
            + w.importance * s.importance
        )
        assert s.score == pytest.approx(expected, abs=1e-3)
    jaws = next(s for s in record.scores if s.title == "Jaws (film)")
    ada = [s for s in record.scores if s.title == "Ada Lovelace"]
    assert all(jaws.semantic > a.semantic for a in ada)  # closer to the question


def test_a_small_budget_keeps_the_best_whole_sentences():
    memory = _memory()
    router = RCRRouter(budgets={"solver": 20})
    routed = router.route(memory, "solver", "solve", QUESTION)
    assert 0 < routed.record.tokens <= 20
    assert "director = Steven Spielberg" in routed.text
    assert "Ada Lovelace" not in routed.text  # off the question: dropped first
    for unit in routed.record.scores:  # every sentence shown whole
        assert unit.item in routed.record.items


def test_role_relevance_zero_is_never_routed_and_recency_decays():
    memory = _memory()
    router = RCRRouter(role_table={"solver": {"result": 1.0}})
    routed = router.route(memory, "solver", "solve", QUESTION)
    assert {s.kind for s in routed.record.scores} == {"result"}
    memory.next_round()
    memory.next_round()
    later = RCRRouter().route(memory, "solver", "solve", QUESTION)
    assert {s.recency for s in later.record.scores} == {0.25}


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError, match="max_rounds"):
        RCRRouter(max_rounds=0)
    with pytest.raises(ConfigError, match="negative"):
        StaticRouter(budgets={"solver": -1})
    with pytest.raises(ConfigError, match="unknown router"):
        make_router("oracle")


SENTENCE = st.lists(
    st.sampled_from(["Jaws", "Spielberg", "film", "born", "university", "the", "was", "1975"]),
    min_size=1,
    max_size=12,
).map(lambda words: " ".join(words).capitalize() + ".")
KIND = st.sampled_from(["result", "subanswer", "feedback", "memory", "plan"])
ITEMS = st.lists(
    st.tuples(KIND, st.lists(SENTENCE, min_size=1, max_size=4), st.integers(0, 3)),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    items=ITEMS,
    budget=st.integers(0, 80),
    role=st.sampled_from(["planner", "replanner", "solver", "critic"]),
    name=st.sampled_from(["rcr", "static"]),
)
def test_routing_is_never_over_budget_and_deterministic(items, budget, role, name):
    def build() -> SharedMemory:
        memory = SharedMemory(count=COUNT, embedder=HashingEmbedder(dim=64))
        for kind, sentences, rounds in items:
            for _ in range(rounds):
                memory.next_round()
            memory.add(kind, " ".join(sentences), role="x", stage="execute", title="t")
        return memory

    router = make_router(name)
    router.budgets[role] = budget
    first = router.route(build(), role, "solve", QUESTION)
    again = make_router(name)
    again.budgets[role] = budget
    second = again.route(build(), role, "solve", QUESTION)
    assert first.record.tokens <= budget and COUNT(first.text) <= budget
    assert (first.text, first.record) == (second.text, second.record)
    memory = build()
    texts = {u.passage.text for u in memory.units()}
    for line in first.text.splitlines():  # only whole sentences of the items
        body = line.split(": ", 1)[-1].split(" = ", 1)[-1].removeprefix("- ")
        assert any(t in body for t in texts)


# -- baselines ----------------------------------------------------------------------------


def test_full_routing_gives_every_item_whole_without_a_budget():
    memory = _memory()
    routed = FullRouter().route(memory, "solver", "solve", QUESTION)
    assert routed.record.budget is None and routed.record.items == [1, 2, 3, 4]
    assert "She wrote the first program." in routed.text and QUESTION not in routed.text
    assert routed.text.splitlines()[:3] == [
        "Jaws (film): Jaws is a 1975 film directed by Steven Spielberg. It starred Roy Scheider.",
        "Ada Lovelace: Ada Lovelace was born in 1815. She wrote the first program.",
        "director = Steven Spielberg",
    ]


def test_static_routing_is_a_fixed_slice_in_written_order():
    memory = _memory()
    router = StaticRouter(budgets={"solver": 16})
    routed = router.route(memory, "solver", "solve", QUESTION)
    assert {s.kind for s in routed.record.scores} <= {"subanswer", "result"}
    assert routed.text == "Jaws (film): Jaws is a 1975 film directed by Steven Spielberg."
    planner = router.route(memory, "planner", "plan", QUESTION)
    assert {s.kind for s in planner.record.scores} == {"memory", "feedback"}
    other = router.route(memory, "planner", "plan", "something else entirely")
    assert other.text == planner.text  # the query plays no part


# -- wiring -------------------------------------------------------------------------------

PROGRAM = (
    'film: str = search("Jaws director")\n'
    'director: str = llm("Who directed Jaws?", film)\n'
    'answer(llm(question, search(f"{director} university")))\n'
)


def _tools():
    return [search_tool(DOCS), llm_tool(description="answer a question from the context text")]


def _code_model(worker_answers, patch="# lines 3-3\nanswer(director)\n", solver="CSU Long Beach"):
    answers = list(worker_answers)

    def respond(messages, info):
        role = info.labels.role
        if role == "planner":
            return PROGRAM
        if role == "replanner":
            return patch
        if role == "solver":
            return solver
        return answers.pop(0) if answers else "unknown"

    return FunctionModel(respond)


async def test_codeagents_routes_planner_replanner_and_solver_from_the_rounds():
    model = _code_model(["Steven Spielberg", "unknown"], patch="# lines 3-3\nanswer(director)\n")
    planner = CodeAgents(opening="", router=RCRRouter(), max_replans=1)
    agent = Agent(model, planner, tools=_tools())
    seen = []
    result = await agent.run(QUESTION, on_event=lambda e: isinstance(e, Routed) and seen.append(e))
    assert result.error is None and result.answer == "Steven Spielberg"
    roles = [(e.record.role, e.record.stage, e.record.round) for e in seen]
    assert roles == [("planner", "plan", 0), ("replanner", "replan", 1)]
    replan = next(c for c in model.calls if c.info.labels.role == "replanner")
    prompt = replan.messages[-1].content
    assert '# error: line 3: llm() found nothing to go on: "unknown"' in prompt
    assert "director = Steven Spielberg" in prompt  # the sub-answer, routed
    assert prompt.count("found nothing") == 1  # the error is not routed twice
    assert prompt.count("search(") == 2  # nor the program


async def test_codeagents_solver_reads_the_routed_memory_and_records_it():
    model = _code_model(["Steven Spielberg", "unknown"], patch="# lines 3-3\nanswer(unknown_var)\n")
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry(_tools()))
    planner = CodeAgents(opening="", router=StaticRouter(), max_replans=1)
    out = await planner.run(QUESTION, ctx)
    assert out.answer == "CSU Long Beach"
    assert [r.role for r in ctx.routing] == ["planner", "replanner", "solver"]
    solver = next(c for c in model.calls if c.info.labels.role == "solver")
    assert "director = Steven Spielberg" in solver.messages[-1].content
    assert ctx.routing[-1].tokens <= 200


async def test_codeagents_stops_when_a_round_changes_nothing():
    # the patch rewrites the line as it was: the same calls (cached), the same error
    model = _code_model(
        ["Steven Spielberg", "unknown"], patch=f"# lines 3-3\n{PROGRAM.splitlines()[2]}\n"
    )
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry(_tools()))
    planner = CodeAgents(opening="", router=RCRRouter(max_rounds=4))
    await planner.run(QUESTION, ctx)
    replans = [c for c in model.calls if c.info.labels.role == "replanner"]
    assert len(replans) == 1  # round 2 wrote nothing new: no third round
    assert [r.role for r in ctx.routing] == ["planner", "replanner", "solver"]


async def test_without_a_router_prompts_are_unchanged():
    def prompts(router):
        model = _code_model(["Steven Spielberg", "unknown"])
        Agent(model, CodeAgents(opening="", router=router), tools=_tools()).run_sync(QUESTION)
        return [c.messages[-1].content for c in model.calls if c.info.labels.role == "planner"]

    plain = prompts(None)
    assert prompts(RCRRouter()) == plain  # nothing to route to a planner yet: the same


def _rewoo_model(solver_answers):
    answers = list(solver_answers)
    plans = iter(
        [
            "Plan: Find the director.\n#E1 = search[Jaws director]",
            "Plan: Find the school.\n#E1 = search[Spielberg university]\n"
            "Plan: Name it.\n#E2 = llm[Which university? #E1]\n"
            "Plan: Check it.\n#E3 = search[#E2]",
        ]
    )

    def respond(messages, info):
        role = info.labels.role
        if role == "planner":
            return next(plans)
        if role == "solver":
            return answers.pop(0)
        return "California State University, Long Beach"

    return FunctionModel(respond)


async def test_rewoo_routes_planner_and_solver_and_plans_again_on_no_answer(tmp_path):
    model = _rewoo_model(["unknown", "CSU Long Beach"])
    trace = TraceWriter(tmp_path / "trace.jsonl")
    planner = ReWOO(router=RCRRouter(max_rounds=3))
    result = await Agent(model, planner, tools=_tools(), trace=trace).run(QUESTION)
    assert result.answer == "CSU Long Beach"
    assert [s.id for s in result.steps] == [1, 2, 3, 4]  # round 2 numbered after round 1
    assert result.steps[2].input.startswith("Which university? Steven Spielberg:")  # #E2
    assert result.steps[3].input == "California State University, Long Beach"  # #E3
    plan_calls = [c for c in model.calls if c.info.labels.role == "planner"]
    second = plan_calls[1].messages[-1].content
    assert "Feedback: round 1 found no answer" in second  # written back, routed to the planner
    solver = [c for c in model.calls if c.info.labels.role == "solver"][1]
    assert "#E3 = California State University" in solver.messages[-1].content
    lines = [json.loads(ln) for ln in (tmp_path / "trace.jsonl").read_text().splitlines()]
    routed = [(r["role"], r["round"]) for r in lines if r["kind"] == "routing"]
    assert routed == [("planner", 0), ("solver", 0), ("planner", 1), ("solver", 1)]


async def test_rewoo_with_one_round_and_full_routing():
    model = _rewoo_model(["unknown"])
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry(_tools()))
    out = await ReWOO(router=FullRouter()).run(QUESTION, ctx)
    assert out.answer == "unknown"  # one round: the planner's own limit
    assert [r.role for r in ctx.routing] == ["planner", "solver"]
    solver = next(c for c in model.calls if c.info.labels.role == "solver")
    assert (
        "Plan: Find the director.\nJaws (film): Jaws is a 1975 film" in solver.messages[-1].content
    )


async def test_rewoo_solver_routes_for_the_question_and_what_the_plan_set_out_to_find():
    queries: list[tuple[str, str]] = []

    class Spy(RCRRouter):
        def route(self, memory, role, stage, query, *, skip=()):  # type: ignore[no-untyped-def]
            queries.append((role, query))
            return super().route(memory, role, stage, query, skip=skip)

    ctx = RunContext(llm=_rewoo_model(["Spielberg"]), run_id="r", tools=ToolRegistry(_tools()))
    await ReWOO(router=Spy(max_rounds=1)).run(QUESTION, ctx)
    assert queries == [("planner", QUESTION), ("solver", f"{QUESTION}\nFind the director.")]


def test_make_router_passes_budgets_to_the_routers_that_have_them():
    assert make_router("rcr", budgets={"solver": 90}).budget("solver") == 90
    assert make_router("static", budgets={"solver": 90}).budget("solver") == 90
    assert make_router("full", budgets={"solver": 90}).budget("solver") is None


def test_session_routes_learned_notes_to_the_planner():
    ctx = RunContext(run_id="r", notes="Notes:\n- search each entity by name", count_tokens=COUNT)
    session = RoutingSession(RCRRouter(), QUESTION, ctx)
    prompt = session.with_context("PROMPT", "planner", "plan")
    assert prompt == "Notes:\n- search each entity by name\n\nPROMPT"
    assert ctx.routing[0].items == [1]


@pytest.mark.parametrize("name", ["full", "rcr"])
async def test_learned_notes_reach_every_role_in_full_context_and_only_the_planner_in_rcr(name):
    """What benchmarks/routing.py --memory measures: notes recalled for the run are items of
    its shared memory; full context hands them to the solver too, RCR spends the solver's
    budget on evidence."""
    note = "Search each entity by name, then the fact the question asks about."
    model = _rewoo_model(["CSU Long Beach"])
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry(_tools()), notes=f"Notes:\n- {note}")
    router = make_router(name, budgets={"solver": 30}, embedder=HashingEmbedder(dim=256))
    await ReWOO(router=router).run(QUESTION, ctx)
    prompts = {c.info.labels.role: c.messages[-1].content for c in model.calls}
    assert note in prompts["planner"]
    assert (note in prompts["solver"]) == (name == "full")
    assert "Spielberg" in prompts["solver"]  # evidence reaches the solver either way
