"""CodeAgents end to end with function models: roles and their ledger, the grammar on the
plan and patch calls, replanning by patch on each kind of failure, the solver, budgets."""

import asyncio
import json
import re

import lark
import pytest

from agentkit import Agent, Budget, Limits, RunStatus
from agentkit.errors import ConfigError
from agentkit.evals import systems
from agentkit.evals.compare import EvalOptions, check
from agentkit.planners import CodeAgents, ProgramLimits, RunContext
from agentkit.planners.code import program_grammar, unusable
from agentkit.prompts import load_prompt
from agentkit.testing import FunctionModel, TestModel, WordCounter
from agentkit.tools import ToolRegistry, llm_tool, search_tool, tool

DOCS = [
    ("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg."),
    ("Steven Spielberg", "Spielberg attended California State University, Long Beach."),
    ("Ada Lovelace", "Ada Lovelace was born in 1815."),
]
QUESTION = "Which university did the director of Jaws attend?"
PROGRAM = (
    'film: str = search("Jaws director")\n'
    'director: str = llm("Who directed Jaws?", film)\n'
    'answer(llm(question, search(f"{director} university")))\n'
)


def _tools():
    return [search_tool(DOCS), llm_tool(description="answer a question from the context text")]


def _model(plan, patches=(), worker=None, solver="Paris"):
    """Answers by role: the plan, then each patch in turn, the llm tool, the solver."""
    patches = list(patches)

    def respond(messages, info):
        role = info.labels.role
        if role == "planner":
            return plan if isinstance(plan, str) else plan.pop(0)
        if role == "replanner":
            return patches.pop(0)
        if role == "solver":
            return solver
        prompt = messages[-1].content
        if worker is not None:
            return worker(prompt)
        return "Steven Spielberg" if "Who directed" in prompt else "CSU Long Beach"

    return FunctionModel(respond)


def _planner(**kw):
    """CodeAgents writing the whole program (most tests script the planner's reply in full;
    the opening has tests of its own)."""
    return CodeAgents(**{"opening": "", **kw})


def _agent(model, planner=None, **kw):
    return Agent(model, planner or _planner(), tools=_tools(), **kw)


def test_plan_run_answer_with_roles_grammar_and_steps():
    model = _model(PROGRAM)
    result = _agent(model).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "CSU Long Beach"
    assert result.plan == PROGRAM.rstrip("\n")
    records = model.ledger.records(result.run_id)
    assert [(r.labels.role, r.labels.step) for r in records] == [
        ("planner", None),
        ("worker", 2),
        ("worker", 4),
    ]
    plan_call = model.calls[0]
    grammar = plan_call.info.structured.grammar
    assert 'FUNC: "search" | ' in grammar or '"search"' in grammar
    assert "search(query: str) -> str  # the 2 passages" in plan_call.prompt
    assert f"question = {json.dumps(QUESTION)}" in plan_call.prompt
    assert [(s.id, s.tool) for s in result.steps] == [
        (1, "search"),
        (2, "llm"),
        (3, "search"),
        (4, "llm"),
    ]
    assert result.steps[0].note == 'line 1: film: str = search("Jaws director")'
    assert result.steps[2].input == "Steven Spielberg university"
    assert json.loads(result.steps[3].input)["question"] == QUESTION  # the task, as code
    assert set(result.usage) == {"planner", "worker"}


def test_the_prompts_example_program_is_in_the_grammar():
    """What the planner is shown must be what it may write."""
    prompt = load_prompt("agentkit.planners", "codeagents_plan").replace("{{", "{")
    example = prompt.split("\n\n")[1].replace("}}", "}")
    program = example.split("\n", 1)[1] + "\n"  # without its `question = ...` line
    lark.Lark(program_grammar(["search", "llm"]), start="start").parse(program)


def test_independent_searches_in_a_program_run_at_once():
    arrived, all_here = [], asyncio.Event()

    @tool
    async def search(query: str) -> str:
        """Wait for the other search."""
        arrived.append(query)
        if len(arrived) == 2:
            all_here.set()
        await asyncio.wait_for(all_here.wait(), timeout=5)  # one at a time: never set
        return f"{query} was born in 1815."

    program = 'a: str = search("Ada")\nb: str = search("Charles")\nanswer(a + b)\n'
    agent = Agent(_model(program), _planner(), tools=[search])
    result = agent.run_sync("Who was born first?")
    assert result.status is RunStatus.OK, result.error
    assert sorted(arrived) == ["Ada", "Charles"]


def _feedback_then(patch):
    """The patch reply, after checking what the replanner was shown."""
    seen = {}

    def reply(text):
        seen["prompt"] = text
        return patch

    return seen, reply


FAILURES = [
    (  # a runtime error
        'film: str = search("Jaws director")\nanswer(llm("Who directed Jaws?", flim))\n',
        '# lines 2-2\nanswer(llm("Who directed Jaws?", film))\n',
        "# error: line 2: name 'flim' is not defined",
        "ProgramError",
    ),
    (  # a failed assert
        'film: str = search("Jaws director")\nassert "Ada" in film, "wrong film"\nanswer(film)\n',
        '# lines 2-3\nanswer(llm("Who directed Jaws?", film))\n',
        "# error: line 2: assert 'Ada' in film failed: wrong film",
        "ProgramAssertionError",
    ),
    (  # a tool result with nothing in it
        'who: str = llm("Who is the president of Mars?")\nanswer(who)\n',
        '# lines 1-2\nanswer(llm("Who directed Jaws?", search("Jaws director")))\n',
        '# error: line 1: llm() found nothing to go on: "Unknown."',
        "ToolResultError",
    ),
    (  # an answer that is none
        'answer("")\n',
        '# lines 1-1\nanswer(llm("Who directed Jaws?", search("Jaws director")))\n',
        '# error: line 1: answer() got "": no answer',
        "ProgramError",
    ),
    (  # a limit
        "i = 0\nwhile i < 1:\n    i = i * 2\nanswer(str(i))\n",
        '# lines 1-4\nanswer(llm("Who directed Jaws?", search("Jaws director")))\n',
        "# error: line 2: the while loop ran 1000 times (its limit)",
        "ProgramLimitError",
    ),
]


@pytest.mark.parametrize(("program", "patch", "feedback", "kind"), FAILURES)
def test_each_kind_of_failure_is_patched_from_codified_feedback(program, patch, feedback, kind):
    def worker(prompt):
        if "Mars" in prompt:
            return "Unknown."
        return "Steven Spielberg"

    model = _model(program, [patch], worker=worker)
    result = _agent(model).run_sync("Who directed Jaws?")
    assert result.status is RunStatus.OK, result.error
    assert result.answer == "Steven Spielberg"
    replan = next(c for c in model.calls if c.info.labels.role == "replanner")
    assert replan.info.labels.purpose == f"patch: {kind}"
    assert feedback in replan.prompt
    assert replan.prompt.startswith('question = "Who directed Jaws?"\n1 ')  # numbered program
    assert replan.info.structured.grammar.startswith('start: "# lines "')
    assert "# round 1: " in result.plan and result.usage["replanner"].calls == 1


def test_a_patched_program_reuses_the_tool_calls_it_repeats():
    program = 'film: str = search("Jaws director")\nanswer(llm("Who directed Jaws?", flim))\n'
    patch = '# lines 2-2\nanswer(llm("Who directed Jaws?", film))\n'
    result = _agent(_model(program, [patch])).run_sync("Who directed Jaws?")
    assert [s.tool for s in result.steps] == ["search", "llm"]  # the search ran once


def test_a_refused_plan_is_replanned_once_whole_with_the_reason():
    plans = ["import os\nanswer(1)\n", 'answer(search("Jaws"))\n']
    model = _model(plans)
    result = _agent(model, _planner(constraint="none")).run_sync("q")
    assert result.status is RunStatus.OK
    replan = model.calls[1]
    assert replan.info.labels.purpose == "replan"
    assert "line 1: imports not allowed in a plan" in replan.prompt
    assert replan.messages[1].content == "import os\nanswer(1)\n"  # its own reply before


def test_free_text_is_read_leniently_and_an_unreadable_plan_is_a_planner_error():
    chatty = f"Sure! Here it is:\n```python\n{PROGRAM}```\nThis searches twice."
    result = _agent(_model(chatty), _planner(constraint="none")).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "CSU Long Beach"
    assert _model(chatty).calls == []
    broken = _model(["x = = 1\nanswer(x)", "y = = 2\nanswer(y)"])
    result = _agent(broken, _planner(constraint="none")).run_sync(QUESTION)
    assert result.status is RunStatus.PLANNER_ERROR
    assert "after one re-plan: line 1: SyntaxError" in result.error
    assert "structured" not in broken.calls[0].info.model_dump(exclude_none=True)


def test_rounds_are_bounded_then_the_solver_answers_from_the_variables():
    program = 'bio: str = search("Jaws")\nanswer(llm("Who?", nope))\n'
    patches = ['# lines 2-2\nanswer(llm("Who?", nope2))\n', "# lines 2-2\nanswer(nope3)\n"]
    model = _model(program, patches, solver="Answer: Steven Spielberg.")
    result = _agent(model, _planner(max_replans=2)).run_sync("Who directed Jaws?")
    assert result.status is RunStatus.OK and result.answer == "Steven Spielberg"
    assert result.usage["replanner"].calls == 2 and result.plan.count("# round") == 3
    solve = next(c for c in model.calls if c.info.labels.role == "solver")
    assert "bio = Jaws (film): Jaws is a 1975 film directed by Steven Spielberg." in solve.prompt
    assert "question =" not in solve.prompt.split("Question:")[0]


def test_without_a_solver_an_unfixed_program_is_a_planner_error():
    model = _model("answer(nope)\n", ["# lines 1-1\nanswer(nope)\n"])
    result = _agent(model, _planner(max_replans=1, solver=False)).run_sync("q")
    assert result.status is RunStatus.PLANNER_ERROR
    assert result.error_type == "ProgramError" and "name 'nope' is not defined" in result.error


def test_a_program_that_does_not_answer_goes_to_the_solver():
    model = _model('bio: str = search("Ada Lovelace")\n', solver="1815")
    result = _agent(model, _planner(constraint="none")).run_sync("When was Ada born?")
    assert result.answer == "1815" and set(result.usage) == {"planner", "solver"}


def test_long_contexts_are_focused_on_the_question_before_the_llm_reads_them():
    filler = " ".join(f"Filler sentence number {i} says nothing." for i in range(60))
    docs = [("Jaws (film)", f"{filler} Jaws was directed by Steven Spielberg. {filler}")]
    program = 'answer(llm("Who directed Jaws?", search("Jaws")))\n'
    model = _model(program)
    search = search_tool(docs, k=1, max_tokens=10_000)
    agent = Agent(model, _planner(context_tokens=30), tools=[search, llm_tool()])
    agent.run_sync("q")
    worker = next(c for c in model.calls if c.info.labels.role == "worker")
    assert "directed by Steven Spielberg" in worker.prompt
    assert WordCounter().count_text(worker.prompt) < 90


def test_the_budget_holds_across_roles():
    program = 'answer(llm("Who?", nope))\n'
    model = _model(program, ["# lines 1-1\nanswer(nope)\n"] * 5)
    budget = Budget(run=Limits(requests=2))
    result = _agent(model, _planner(max_replans=5), budget=budget).run_sync("q")
    assert result.status is RunStatus.BUDGET_EXCEEDED
    assert result.total.calls == 2  # the planner and one replanner call, then refused


def test_settings_are_checked_when_the_planner_is_built():
    with pytest.raises(ConfigError, match=r"CodeAgents max_replans: .*greater than or equal to 0"):
        _planner(max_replans=-1)
    with pytest.raises(ConfigError, match="CodeAgents constraint: "):
        _planner(constraint="regex")
    with pytest.raises(ConfigError, match="ProgramLimits max_steps: "):
        ProgramLimits(max_steps=0)
    with pytest.raises(ConfigError, match="lacks placeholder \\{tools\\}"):
        _planner(prompt_templates={"codeagents_plan": "{question}"})
    custom = _planner(prompt_templates={"codeagents_solve": "{variables} / {question}"})
    assert custom.prompts["codeagents_solve"] == "{variables} / {question}"


def test_a_run_with_no_tool_is_a_config_error():
    ctx = RunContext(llm=TestModel(), run_id="r", tools=ToolRegistry())
    with pytest.raises(ConfigError, match="at least one tool"):
        asyncio.run(_planner().run("q", ctx))


def test_test_model_runs_it_unaided():
    result = Agent(TestModel(), _planner(), tools=_tools()).run_sync("q")
    assert result.status is RunStatus.OK  # sampled from the grammars; the solver answers


def test_it_is_a_system_of_the_hotpotqa_comparison():
    assert "codeagents" in systems.SYSTEMS
    check(EvalOptions(systems=["direct", "react", "rewoo", "codeagents"]))
    assert re.search(r"context text", systems.CODE_LLM)


def test_a_passage_given_as_the_answer_is_read_by_the_solver():
    long = "Jaws is a 1975 American thriller film that was directed by Steven Spielberg and "
    long += "based on the 1974 novel by Peter Benchley about a great white shark."
    model = _model('answer(search("Jaws"))\n', solver="Steven Spielberg")
    agent = Agent(model, _planner(), tools=[search_tool([("Jaws", long)]), llm_tool()])
    result = agent.run_sync("Who directed Jaws?")
    assert result.answer == "Steven Spielberg" and result.usage["solver"].calls == 1
    solve = next(c for c in model.calls if c.info.labels.role == "solver")
    assert "answer = Jaws: Jaws is a 1975" in solve.prompt


@pytest.mark.parametrize(
    ("text", "nothing"),
    [
        ("", True),
        ("Unknown.", True),
        ("The text does not mention it.", True),
        ("No passage matches these words; try other keywords.", True),
        ("I do not know.", True),
        ("No", False),  # an answer to a yes/no question
        ("Steven Spielberg", False),
        ("The text does not say who directed it, but it was Steven Spielberg, in 1975.", False),
    ],
)
def test_what_counts_as_a_result_with_nothing_in_it(text, nothing):
    assert unusable(text) is nothing


CONTINUED = 'more: str = search("Steven Spielberg")\nanswer(llm(question, found + more))'


def test_the_planner_continues_the_opening_in_its_own_reply():
    model = _model(CONTINUED)
    result = Agent(model, CodeAgents(), tools=_tools()).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "CSU Long Beach"
    assert result.plan == "found: str = search(question)\n" + CONTINUED
    plan_call = model.calls[0]
    assert [m.role for m in plan_call.messages][-2:] == ["user", "assistant"]
    assert plan_call.messages[-1].content == "found: str = search(question)\n"
    assert plan_call.info.extra_body == {
        "continue_final_message": True,
        "add_generation_prompt": False,
    }
    assert [(s.tool, s.input) for s in result.steps][:2] == [
        ("search", QUESTION),
        ("search", "Steven Spielberg"),
    ]


def test_a_reply_that_rewrites_the_opening_searches_once():
    model = _model("found: str = search(question)\nanswer(llm(question, found))")
    result = Agent(model, CodeAgents(), tools=_tools()).run_sync(QUESTION)
    assert result.status is RunStatus.OK
    assert [s.tool for s in result.steps] == ["search", "llm"]


def test_no_opening_when_the_run_has_no_function_it_calls():
    model = _model('answer(llm(question, "Jaws is a 1975 film by Steven Spielberg."))')
    result = Agent(model, CodeAgents(), tools=[llm_tool()]).run_sync("Who directed Jaws?")
    assert result.status is RunStatus.OK
    plan_call = model.calls[0]
    assert [m.role for m in plan_call.messages] == ["user"]
    assert not plan_call.info.extra_body


def test_a_reply_that_is_no_program_is_replanned_from_the_opening_again():
    model = _model(["import os\nanswer(1)", CONTINUED])
    result = Agent(model, CodeAgents(constraint="none"), tools=_tools()).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "CSU Long Beach"
    replan = model.calls[1].messages
    assert [m.role for m in replan] == ["user", "assistant", "user", "assistant"]
    assert replan[1].content == "found: str = search(question)\nimport os\nanswer(1)"
    assert "cannot run" in replan[2].content
    assert replan[3].content == "found: str = search(question)\n"


def test_a_prose_reply_runs_the_opening_and_the_solver_reads_what_it_found():
    model = _model("Sure! This searches the question, then answers.", solver="CSU Long Beach")
    result = Agent(model, CodeAgents(constraint="none"), tools=_tools()).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "CSU Long Beach"
    assert [s.tool for s in result.steps] == ["search"]
    solver = next(c for c in model.calls if c.info.labels.role == "solver")
    assert "found = " in solver.prompt and "Spielberg" in solver.prompt


def test_memory_notes_go_before_the_plan_prompt():
    model = _model(CONTINUED)
    ctx = RunContext(
        llm=model,
        run_id="r",
        tools=ToolRegistry.of(_tools()),
        notes="Notes learned from earlier runs:\nbehavior_search_by_name: search a page by name",
    )
    out = asyncio.run(CodeAgents().run(QUESTION, ctx))
    assert out.answer == "CSU Long Beach"
    plan = model.calls[0].messages[0].content
    assert plan.startswith("Notes learned from earlier runs:\nbehavior_search_by_name")
    assert plan.endswith(f"question = {json.dumps(QUESTION)}\n")
