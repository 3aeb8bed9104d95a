"""The GAIA scorer against the official question_scorer's rules (shared/notes: gaia.md)."""

import pytest

from agentkit.evals.gaia import final_answer, score, score_all


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [
        ("17", "17", True),
        ("17.0", "17", True),
        ("$1,000", "1000", True),  # $ % and , are removed from a numeric answer
        ("12%", "12", True),
        ("17 km", "17", False),  # units make it unparsable: wrong
        ("1 000", "1000", False),
        ("seventeen", "17", False),
        ("0.5", ".5", True),
        ("1,000", "1,000", True),  # a gold with a thousands comma is a list ["1", "000"]
        ("1000", "1,000", False),  # ... so the plain number has the wrong length
        ("1, 000", "1,000", True),
        ("a, b, c", "a,b,c", True),
        ("c, b, a", "a,b,c", False),  # lists compare in order
        ("a; b", "a, b", True),  # either separator
        ("1.0, x", "1, x", True),  # numeric elements as numbers
        ("A. , b", "a., b", True),  # list strings keep punctuation, drop whitespace and case
        ("a , b", "a., b", False),
        ("a, b, c", "a, b", False),
        ("Sea Gull", "seagull", True),  # strings: whitespace, case and punctuation go
        ("St. Louis!", "st louis", True),
        ("the seagull", "seagull", False),  # articles are not removed
        ("Café", "cafe", False),  # only ASCII punctuation goes; accents stay
        (None, "None", True),  # a missing answer is the string "None"
        (None, "3", False),
        ("2024-02-29", "2024-02-29", True),
        ("20240229", "2024-02-29", True),  # hyphens are punctuation in a string answer
    ],
)
def test_official_semantics(answer, gold, expected):
    assert score(answer, gold) is expected


def test_score_all_by_level():
    golds = {"a": (1, "3"), "b": (1, "x"), "c": (2, "y, z")}
    s = score_all(golds, {"a": "3", "b": "nope", "c": "Y,Z"})
    assert (s["all"].n, s["all"].correct) == (3, 2)
    assert s["1"].accuracy == 0.5 and s["2"].accuracy == 1.0


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("thinking...\nFINAL ANSWER: 42", "42"),
        ("FINAL ANSWER: a\nmore FINAL ANSWER:  Paris \nbye", "Paris"),
        ("final answer: x, y", "x, y"),
        ("just text ", "just text"),
    ],
)
def test_final_answer(text, answer):
    assert final_answer(text) == answer
