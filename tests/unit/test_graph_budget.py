"""Budgeted selection: never over the budget, whatever the units and the tokenizer."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit.errors import ConfigError
from agentkit.packing import render_by_title, select_under_budget
from agentkit.text import Passage


def words(text):
    return len(re.findall(r"\w+|[^\w\s]", text))


def chars(text):
    return len(text)


def lumpy(text):
    """Not additive at all: joins may cost or save tokens."""
    return len(text) // 3 + text.count("\n") * 2 + (len(text) % 7 == 1)


unit = st.builds(
    Passage,
    title=st.sampled_from(["Alpha", "Beta (film)", "Gamma"]),
    position=st.integers(0, 6),
    text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60),
    kind=st.sampled_from(["sentence", "triplet"]),
)


@settings(max_examples=300, deadline=None)
@given(
    groups=st.lists(st.lists(unit, min_size=1, max_size=4), max_size=12),
    budget=st.integers(0, 120),
    count=st.sampled_from([words, chars, lumpy]),
)
def test_selection_never_exceeds_the_budget(groups, budget, count):
    selection = select_under_budget(groups, budget, count)
    assert count(selection.text) == selection.tokens <= budget
    assert selection.text == render_by_title(selection.units)
    assert len(set(selection.units)) == len(selection.units)


def test_a_passage_keeps_its_leading_sentences_and_later_groups_still_fill():
    long = [
        Passage(title="A", position=i, text=f"sentence {i} " + "x " * 5, kind="sentence")
        for i in range(4)
    ]
    short = [Passage(title="B", position=0, text="tiny", kind="sentence")]
    selection = select_under_budget([long, short], 20, words)
    assert selection.sentences() == {("A", 0), ("A", 1), ("B", 0)}
    assert selection.text.splitlines()[0].startswith("A: sentence 0")


def test_render_groups_by_title_in_rank_order_sentences_then_triplets():
    units = [
        Passage(title="B", position=2, text="b2", kind="sentence"),
        Passage(title="A", position=0, text="(A; is; x)", kind="triplet"),
        Passage(title="B", position=0, text="b0", kind="sentence"),
        Passage(title="A", position=3, text="a3", kind="sentence"),
    ]
    assert render_by_title(units) == "B: b0 b2\nA: a3 (A; is; x)"


def test_negative_budget_is_refused():
    with pytest.raises(ConfigError):
        select_under_budget([], -1, words)
