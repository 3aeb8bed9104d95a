"""Patches (replace lines I..J) and the codified feedback the replanner reads."""

import pytest

from agentkit.errors import ProgramError
from agentkit.planners.code import Patch, apply_patch, codified_feedback, parse_patch

PROGRAM = 'a = search("x")\nfor w in a.split():\n    b = w\n    c = 2\nanswer(b)'


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("lines 2-3:\nx = 1\ny = 2", Patch(start=2, end=3, lines=["x = 1", "y = 2"])),
        ("line 4:\nz = 3", Patch(start=4, end=4, lines=["z = 3"])),
        ("Replace lines 1 to 2:\n```python\nq = 1\n```", Patch(start=1, end=2, lines=["q = 1"])),
        ("# lines 3..5\n3 x = 1\n4 y = 2", Patch(start=3, end=5, lines=["x = 1", "y = 2"])),
        ("lines 2-3:\n", Patch(start=2, end=3, lines=[])),  # deletes
        ("x = 1", Patch(start=4, end=5, lines=["x = 1"])),  # no header: the default range
        ("lines 0-0:\nx = 1", Patch(start=4, end=5, lines=["x = 1"])),  # no such range
        ("lines 5-2:\nx = 1", Patch(start=4, end=5, lines=["x = 1"])),
        ("# lines 1-1\n" + "y -= 3\n" * 30, Patch(start=1, end=1, lines=["y -= 3"])),
    ],
)
def test_any_reply_reads_as_some_patch(reply, expected):
    assert parse_patch(reply, default=(4, 5)) == expected


def test_a_patch_replaces_its_lines_and_keeps_the_rest():
    new = apply_patch(PROGRAM, Patch(start=3, end=3, lines=["b = w.upper()"]))
    assert new.splitlines() == [
        'a = search("x")',
        "for w in a.split():",
        "    b = w.upper()",  # written flush, indented as the line it replaces
        "    c = 2",
        "answer(b)",
    ]
    assert apply_patch(PROGRAM, Patch(start=2, end=4, lines=[])) == 'a = search("x")\nanswer(b)'
    appended = apply_patch(PROGRAM, Patch(start=99, end=99, lines=["x = 1"]))
    assert appended.endswith("answer(b)\nx = 1")
    kept = apply_patch(PROGRAM, Patch(start=5, end=5, lines=["if b:", "    answer(b)"]))
    assert kept.endswith("if b:\n    answer(b)")  # the model's own indentation is kept


def test_feedback_is_code_the_failing_lines_names_first_values_cut():
    error = ProgramError("line 3: name 'w' is not defined", 3)
    variables = {"question": "q", "zeta": 1, "a": "x" * 500, "b": [1, 2]}
    text = codified_feedback(error, variables, "    b = a + w", chars=20, most=2)
    lines = text.splitlines()
    assert lines[0] == "# error: line 3: name 'w' is not defined"
    assert lines[1] == 'a = "' + "x" * 16 + "..."  # cut to 20 characters
    assert lines[2] == "b = [1, 2]"
    assert len(lines) == 3  # `most` variables; the question is shown by the prompt itself
