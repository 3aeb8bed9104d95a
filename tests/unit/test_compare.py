"""Choice questions: the options a question names, the facts the model writes, the comparison
made in code, and the reader's three paths (computed, chosen, read as before)."""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkit.memory.evidence import LinkedEvidence
from agentkit.planners import Reader, RunContext
from agentkit.planners.compare import choose, decide, fact_lines, options, value
from agentkit.testing import FunctionModel
from agentkit.tools import ToolRegistry


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("Which opera has more acts, Parsifal or Manon?", ("Parsifal", "Manon")),
        ("Is Muskegon Airport or John Wayne Airport further west?",
         ("Muskegon Airport", "John Wayne Airport")),
        ("Who was born first Iain Pears or Ian Rankin ?", ("Iain Pears", "Ian Rankin")),
        ("Which dog is a giant breed, the  Leonberger or the Boxer?", ("Leonberger", "Boxer")),
        ("Which band, Rush or Yes, has more members?", ("Rush", "Yes")),
        ("Which magazine was published first, Woman's Day or The Lady?", ("Woman's Day", "Lady")),
        ("Who directed the 2001 film that featured Yu Rongguang?", None),
        ("Did he sing or dance?", None),
    ],
)  # fmt: skip
def test_the_two_options_of_a_choice_question(question, pair):
    assert options(question) == pair


def test_fact_lines_are_found_by_name_or_by_order_else_none():
    two = "Gasherbrum II: 8035 m\nLangtang Ri: 7205 m"
    assert fact_lines(two, "Gasherbrum II", "Langtang Ri") == ("8035 m", "7205 m")
    said = "- Appenzeller is based in Switzerland.\n- Drentse is based in the Netherlands."
    assert fact_lines(said, "Appenzeller", "Drentse") == (
        "is based in Switzerland.", "is based in the Netherlands.")  # fmt: skip
    assert fact_lines("first: 3 acts\nsecond: 5 acts", "Parsifal", "Manon") == ("3 acts", "5 acts")
    assert fact_lines("Parsifal: 3 acts", "Parsifal", "Manon") is None
    assert fact_lines("", "Parsifal", "Manon") is None
    assert fact_lines("Parsifal:\nManon: 5", "Parsifal", "Manon") is None


def test_values_read_dates_numbers_and_scales():
    assert dict(value("born 1 January 1955"))["date"] == (1955, 1, 1)
    assert dict(value("October 9, 1979"))["date"] == (1979, 10, 9)
    assert dict(value("8,035 m"))["number"] == (8035,) and "date" not in dict(value("8,035 m"))
    assert "date" not in dict(value("1800 m tall"))  # a height, not a year
    assert dict(value("1.2 million people"))["number"] == (1_200_000,)
    assert dict(value("three acts"))["number"] == (3,)
    assert value("23rd-highest peak") == []  # a rank is not a quantity
    assert value("Public") == []


@pytest.mark.parametrize(
    ("question", "facts", "winner"),
    [
        ("Which mountain is higher, A or B?", ("8035 m", "7205 m"), "A"),
        ("Which genus has fewer species, A or B?", ("165", "25"), "B"),
        ("Which director is younger, A or B?", ("born 1889", "born 1894"), "B"),
        ("Who was born first, A or B?", ("1 January 1955", "28 December 1929"), "B"),
        ("Which is older, A or B?", ("aged 40", "aged 52"), "B"),  # ages, not dates
        ("Which board game was published most recently, A or B?", ("2003", "1995"), "A"),
        ("Which was founded first, A or B?", ("May 1901", "March 1901"), "B"),
        ("Which was founded first, A or B?", ("1901", "1901"), None),  # a tie
        ("Which is a comedy, A or B?", ("comedy film", "novel"), None),  # not comparable
        ("Which has more species, A or B?", ("many", "118"), None),
    ],
)
def test_decide_compares_in_the_direction_the_question_asks(question, facts, winner):
    assert decide(question, "A", "B", *facts) == winner


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_decide_is_symmetric_in_the_order_of_the_options(x, y):
    q = "Which has more members, A or B?"
    one, two = (
        decide(q, "A", "B", f"{x} members", f"{y} members"),
        decide(q, "B", "A", f"{y} members", f"{x} members"),
    )
    assert one == two and (one is None) == (x == y)


def test_choose_maps_a_free_answer_to_the_question_wording_of_an_option():
    assert choose("The Million Dollar Duck.", "Million Dollar Duck", "Don Quixote") == (
        "Million Dollar Duck")  # fmt: skip
    assert choose("rutgers", "Rutgers University", "Brown University") == "Rutgers University"
    assert choose("neither", "A1", "B1") == "neither"


PAGES = [
    ("Gasherbrum II", ["Gasherbrum II is a mountain, 8035 m high."]),
    ("Langtang Ri", ["Langtang Ri is a mountain, 7205 m high."]),
]


def _model(facts: str, choice: str = "Langtang Ri", read: str = "Gasherbrum II"):
    def respond(messages, info):
        prompt = messages[-1].content
        if "copy from the passages the fact" in prompt:
            return facts
        if "Answer with one of the two" in prompt:
            return choice
        return read

    return FunctionModel(respond)


def _read(model, question):
    ctx = RunContext(llm=model, run_id="c", tools=ToolRegistry())
    return asyncio.run(Reader(LinkedEvidence(PAGES), logprobs=False).read(question, ctx))


def test_the_reader_computes_a_choice_from_the_options_facts_in_one_call():
    model = _model("Gasherbrum II: 8035 m\nLangtang Ri: 7205 m")
    reading = _read(model, "Which mountain is lower, Gasherbrum II or Langtang Ri?")
    assert (reading.answer, reading.how) == ("Langtang Ri", "computed")
    assert reading.facts == ("8035 m", "7205 m") and len(model.calls) == 1
    assert reading.tokens == model.ledger.total().usage.total_tokens


def test_facts_that_do_not_compare_go_to_a_short_choice_between_them():
    model = _model("Gasherbrum II: in Pakistan\nLangtang Ri: in Nepal", choice="langtang ri.")
    reading = _read(model, "Which mountain is in Nepal, Gasherbrum II or Langtang Ri?")
    assert (reading.answer, reading.how) == ("Langtang Ri", "chosen")
    second = model.calls[1].prompt
    assert "Passages" not in second and "Gasherbrum II: in Pakistan" in second  # facts only
    assert reading.tokens == model.ledger.total().usage.total_tokens


def test_facts_that_do_not_parse_fall_back_to_reading_and_their_tokens_still_count():
    model = _model("I cannot tell.", read="Gasherbrum II")
    reading = _read(model, "Which mountain is higher, Gasherbrum II or Langtang Ri?")
    assert (reading.answer, reading.how, reading.facts) == ("Gasherbrum II", "read", None)
    assert len(model.calls) == 2
    assert reading.tokens == model.ledger.total().usage.total_tokens


def test_compare_off_or_no_options_reads_once():
    model = _model("unused")
    ctx = RunContext(llm=model, run_id="c", tools=ToolRegistry())
    reader = Reader(LinkedEvidence(PAGES), logprobs=False, compare=False)
    asyncio.run(reader.read("Which mountain is higher, Gasherbrum II or Langtang Ri?", ctx))
    _read(model, "How high is Gasherbrum II?")
    assert len(model.calls) == 2 and all("Answer:" in c.prompt for c in model.calls)
