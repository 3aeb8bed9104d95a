"""Focusing tool results: the matching sentences, in order, under their title, within budget."""

from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit.planners import ReWOO, RunContext, execute, parse_plan
from agentkit.testing import FunctionModel, WordCounter
from agentkit.tools import ToolRegistry, llm_tool, search_tool
from agentkit.tools.focus import focus, sentences

COUNT = WordCounter().count_text
PASSAGES = (
    "Jaws (film): Jaws is a 1975 American thriller film. It was directed by Steven Spielberg. "
    "The film stars Roy Scheider. It was shot on Martha's Vineyard.\n"
    "Steven Spielberg: Spielberg was born in Cincinnati. He attended California State "
    "University, Long Beach. He co-founded DreamWorks."
)


def test_text_that_fits_is_returned_unchanged():
    assert focus(PASSAGES, "anything", 500, COUNT) == PASSAGES


def test_keeps_matching_sentences_in_document_order_under_their_titles():
    out = focus(PASSAGES, "Which university did Spielberg attend?", 20, COUNT)
    assert COUNT(out) <= 20
    assert "Steven Spielberg: " in out and "California State University" in out
    assert "Martha's Vineyard" not in out
    lines = out.splitlines()
    assert all(": " in line for line in lines)  # every kept sentence is under its title


def test_sentences_split_on_ends_and_keep_titles():
    units = sentences('T: One. Two? "Three" too.\nuntitled line here')
    assert [(u.title, u.text) for u in units] == [
        ("T", "One."),
        ("T", "Two?"),
        ("T", '"Three" too.'),
        ("", "untitled line here"),
    ]


def test_nothing_matching_gives_the_start_capped_with_a_marker():
    out = focus(PASSAGES, "zebra xylophone", 16, COUNT)
    assert out.startswith("Jaws (film): Jaws") and "cut to 16 tokens" in out


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="ab .\n:XY", max_size=300),
    query=st.text(alphabet="ab XY", max_size=20),
    budget=st.integers(min_value=1, max_value=40),
)
def test_never_over_budget_and_never_raises(text, query, budget):
    assert COUNT(focus(text, query, budget, COUNT)) <= budget


async def _ctx(respond, *tools):
    llm = FunctionModel(respond)
    await llm.ensure_ready()
    return RunContext(llm=llm, run_id="r", tools=ToolRegistry(tools), count_tokens=COUNT)


DOCS = [tuple(line.split(": ", 1)) for line in PASSAGES.splitlines()]


async def test_worker_focuses_a_result_on_the_input_that_uses_it():
    ctx = await _ctx(lambda m, i: "Steven Spielberg", search_tool(DOCS, max_tokens=200), llm_tool())
    plan = parse_plan("#E1 = search[Jaws director]\n#E2 = llm[Who directed the film? #E1]")
    results = await execute(plan, ctx, ref_tokens=12)
    assert "directed by Steven Spielberg" in results[2].input
    assert "Martha's Vineyard" not in results[2].input
    assert COUNT(results[2].input) <= 12 + COUNT("Who directed the film?")


async def test_solver_evidence_stays_within_its_budget():
    solver_prompts = []

    def respond(messages, info):
        if info.labels.role == "planner":
            return "Plan: Find Jaws.\n#E1 = search[Jaws]\nPlan: Find him.\n#E2 = search[Spielberg]"
        solver_prompts.append(messages[-1].content)
        return "Cincinnati"

    ctx = await _ctx(respond, search_tool(DOCS, k=1))
    whole = await ReWOO(evidence_tokens=None).run("Where was Spielberg born?", ctx)
    focused = await ReWOO(evidence_tokens=30).run("Where was Spielberg born?", ctx)
    assert whole.answer == focused.answer == "Cincinnati"
    assert "Spielberg was born in Cincinnati." in solver_prompts[1]
    evidence = [p.split("no explanation.", 1)[1].split("Question:")[0] for p in solver_prompts]
    plan_lines = COUNT("Plan: Find Jaws.\nEvidence: \n\nPlan: Find him.\nEvidence: ")
    assert COUNT(evidence[1]) - plan_lines <= 30 < COUNT(evidence[0]) - plan_lines


def test_a_repeated_sentence_keeps_its_own_place():
    text = "T: Yes. Cats purr loudly. Yes. Dogs bark at night and day."
    assert focus(text, "yes cats", 12, COUNT) == "T: Yes. Cats purr loudly. Yes."
