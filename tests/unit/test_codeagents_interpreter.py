"""The CodeAgents interpreter: Python semantics for the subset, limits that refuse before
the work, errors that name the line, and tool calls that overlap where data allows."""

import asyncio
import time

import pytest

from agentkit.errors import (
    BudgetExceededError,
    ProgramAssertionError,
    ProgramError,
    ProgramLimitError,
)
from agentkit.planners.code import Interpreter, ProgramLimits, parse_program


async def _echo(args, kwargs, line):
    return f"<{', '.join(map(str, [*args, *kwargs.values()]))}>"


def _run(source, tools=None, limits=None, **variables):
    tools = tools or {"search": _echo}
    program = parse_program(source, tools, limits)
    return asyncio.run(Interpreter(tools, limits).run(program, variables))


SEMANTICS = [
    ("x: int = 3\nanswer([i * x for i in range(5) if i % 2 == 0])", [0, 6, 12]),
    ('answer({k: v for k, v in [("a", 1), ("b", 2)]})', {"a": 1, "b": 2}),
    ('d = {"a": 1}\nd["b"] = 2\nd["a"] += 5\nanswer(sorted(d.items()))', [("a", 6), ("b", 2)]),
    ("xs = [3, 1, 2]\nxs.append(0)\nxs.sort()\nanswer(xs[-1] + xs[0])", 3),
    ('answer(", ".join([w.upper() for w in "a b c".split()]))', "A, B, C"),
    ("answer(any([x > 2 for x in [1, 2, 3]]) and all(x > 0 for x in [1, 2]))", True),
    ('n: int = "born in 1,975."\nanswer(n + 1)', 1976),  # a number read out of text
    ('y: str = 1975\nanswer(y + "!")', "1975!"),
    ('answer(f"{3.14159:.2f} {question!r} {[1]}")', "3.14 'q' [1]"),
    (
        "total = 0\nfor i in range(10):\n    if i == 3:\n        continue\n    if i > 5:\n"
        "        break\n    total += i\nanswer(total)",
        12,
    ),
    ("i = 0\nwhile i < 5:\n    i += 2\nanswer(i)", 6),
    ('a, b = "x y".split()\nanswer(b + a)', "yx"),
    ("answer(1 < 2 < 3 and not 3 < 2 and 2 in [1, 2] and 5 not in [1])", True),
    ('answer(None or "" or 0 or "last")', "last"),
    ('answer("abcdef"[1:4] + "abcdef"[::-2])', "bcdfdb"),
    (
        "answer([min(3, 1), max([4, 9]), sum([1, 2.5]), abs(-2), round(2.567, 1)])",
        [1, 9, 3.5, 2, 2.6],
    ),
    ('answer(list(zip([1, 2], "ab")) + list(enumerate("x", 1)))', [(1, "a"), (2, "b"), (1, "x")]),
    ('answer(int("42") + float("0.5") + len({"a": 1}) + bool(""))', 43.5),
    ('answer(search("Ada") + search(query="Babbage"))', "<Ada><Babbage>"),
    ("x = [1]\nanswer(x * 3)", [1, 1, 1]),
    ("answer(2 ** 10 // 3 % 7 - -1)", 6),
]


@pytest.mark.parametrize(("source", "expected"), SEMANTICS)
def test_programs_mean_what_python_means(source, expected):
    out = _run(source, question="q")
    assert out.error is None, out.error
    assert out.answered and out.answer == expected


def test_a_program_that_does_not_answer_leaves_its_variables_and_prints():
    out = _run('bio = search("Ed Wood")\nprint("found", len(bio))')
    assert not out.answered and out.error is None
    assert out.variables["bio"] == "<Ed Wood>" and out.printed == ["found 9"]


ERRORS = [
    (
        "x = 1\ny = x + undefined\nanswer(y)",
        ProgramError,
        "line 2: name 'undefined' is not defined (set: x)",
    ),
    ("x = [1, 2]\nanswer(x[5])", ProgramError, "line 2: IndexError: list index out of range"),
    ("answer(1 / 0)", ProgramError, "line 1: ZeroDivisionError: division by zero"),
    ("answer(len(5))", ProgramError, "line 1: TypeError: an int has no len()"),
    ('answer("a" + 1)', ProgramError, "line 1: TypeError: can only concatenate str"),
    ('d = {}\nanswer(d["k"])', ProgramError, "line 2: KeyError: 'k'"),
    ('answer(int("x1"))', ProgramError, "line 1: ValueError: invalid literal for int()"),
    ('answer("a".append(5))', ProgramError, "line 1: a str has no method .append() here"),
    ("answer([1].lower())", ProgramError, "line 1: a list has no method .lower() here"),
    ('answer("%s" % 1)', ProgramError, "line 1: % formatting is not allowed; write an f-string"),
    ("answer((-8) ** 0.5)", ProgramError, "line 1: complex numbers are not allowed"),
    (
        'y: int = "no number here"\nanswer(y)',
        ProgramError,
        'line 1: y: int got "no number here" (str)',
    ),
    ("a, b = [1, 2, 3]\nanswer(a)", ProgramError, "line 1: 2 names to unpack 3 values"),
    (
        'assert len("") > 0, "nothing found"\nanswer(1)',
        ProgramAssertionError,
        "line 1: assert len('') > 0 failed: nothing found",
    ),
    ("x = 0\nassert x\nanswer(1)", ProgramAssertionError, "line 2: assert x failed: it is false"),
    ("for c in 5:\n    pass\nanswer(1)", ProgramError, "line 1: an int cannot be iterated"),
    ("answer(sorted([1, 'a']))", ProgramError, "line 1: TypeError: '<' not supported"),
    ("answer(round(1, 10 ** 8))", ProgramError, "line 1: ValueError: round() takes at most 20"),
    ("x = {[1]: 2}\nanswer(x)", ProgramError, "line 1: a list cannot be a dict key"),
]


@pytest.mark.parametrize(("source", "kind", "message"), ERRORS)
def test_every_failure_is_the_programs_error_naming_its_line(source, kind, message):
    out = _run(source)
    assert type(out.error) is kind
    assert str(out.error).startswith(message)
    assert out.error.line == int(message.split()[1].rstrip(":"))


LIMITS = [
    ('s = "a" * 100000\nanswer(s)', "line 1: a string of 100000 characters would pass the limit"),
    ("x = 9 ** 9 ** 9\nanswer(x)", "line 1: a 4-bit integer ** 387420489 would pass"),
    ("x = 2 ** 5000\nanswer(x)", "would pass the integer limit of 4096 bits"),
    (
        "x = 10 ** 1000\ny = x * x * x * x * x\nanswer(y)",
        "line 2: an integer of more than 4096 bits",
    ),
    ("while True:\n    pass\nanswer(1)", "line 1: the while loop ran 1000 times"),
    ("for i in range(10 ** 9):\n    pass\nanswer(1)", "line 1: a value of 1000000000 items"),
    (
        "xs = []\nfor i in range(2000):\n    xs.append(i)\nxs.append(1)\nanswer(1)",
        "line 4: a value of 2001 items would pass the limit of 2000",
    ),
    ('s = "ab"\nfor i in range(30):\n    s = s + s\nanswer(s)', "line 3: a string of"),
    ('answer("x".join(["a" * 15000, "b" * 15000]))', "line 1: a string of 30001 characters"),
    ('answer(("a" * 5000).replace("a", "aaaaa"))', "line 1: a string of 25000 characters"),
    ("x = [[1] * 2000] * 2000\nanswer(x)", "line 1: that would build a value of more than"),
    (
        "x = []\nfor i in range(200):\n    x = [x, x]\nanswer(str(x))",
        "a value of more than 100000 units",
    ),
    ("x = [0] * 1000\ny = [x] * 50\nz = [y, y, y]\nanswer(z == [y, y, y])", "units"),
    ('answer(f"{1:>999}" * 100)', "line 1: a string of 99900 characters"),
    ("x = [1]\nx.append(x)\nanswer(x == [1, x])", "more than 100000 units"),  # a cycle
    (
        's = "x" * 20000\nxs = []\nfor i in range(2000):\n    xs.append(s.upper())\nanswer(1)',
        "line 4: the program built more than 5000000 units of data",
    ),
]


@pytest.mark.parametrize(("source", "message"), LIMITS)
def test_limits_refuse_before_the_work_with_a_clear_error(source, message):
    t0 = time.perf_counter()
    out = _run(source)
    assert isinstance(out.error, ProgramLimitError), out.error
    assert message in str(out.error)
    assert time.perf_counter() - t0 < 2.0  # refused, not computed


def test_steps_time_and_tool_calls_are_bounded():
    limits = ProgramLimits(max_steps=500, max_tool_calls=3, max_seconds=0.2)
    out = _run("i = 0\nfor x in range(1000):\n    i += 1\nanswer(i)", limits=limits)
    assert "ran 500 steps" in str(out.error)
    out = _run("xs = [search(str(i)) for i in range(10)]\nanswer(xs)", limits=limits)
    assert "line 1: more than 3 tool calls" in str(out.error)
    slow = ProgramLimits(max_steps=10**7, max_seconds=0.2, max_while=10**7)
    t0 = time.perf_counter()
    out = _run("i = 0\nwhile i >= 0:\n    i += 1\nanswer(i)", limits=slow)
    assert "the program ran 0.2s (its limit)" in str(out.error)
    assert time.perf_counter() - t0 < 2.0


def test_the_time_limit_does_not_count_waiting_for_tools():
    async def slow(args, kwargs, line):
        await asyncio.sleep(0.3)
        return "done"

    out = _run('a = search("x")\nanswer(a)', {"search": slow}, ProgramLimits(max_seconds=0.1))
    assert out.error is None and out.answer == "done"


def _timed_tools(log, delay=0.05):
    async def tool(args, kwargs, line):
        log.append(("start", args[0], time.perf_counter()))
        await asyncio.sleep(delay)
        log.append(("end", args[0], time.perf_counter()))
        return f"<{args[0]}>"

    return {"search": tool, "llm": tool}


def test_independent_calls_overlap_and_dependent_ones_wait():
    log = []
    source = (
        'a: str = search("Ada")\n'
        'b: str = search("Babbage")\n'
        'c = llm(f"{a} {b}")\n'  # reads both: waits for both
        "answer(c)"
    )
    out = _run(source, _timed_tools(log))
    assert out.answer == "<<Ada> <Babbage>>"
    starts = {name: t for kind, name, t in log if kind == "start"}
    ends = {name: t for kind, name, t in log if kind == "end"}
    assert starts["Babbage"] < ends["Ada"]  # the second search began before the first ended
    assert starts["<Ada> <Babbage>"] >= max(ends["Ada"], ends["Babbage"])


def test_a_call_on_a_running_call_chains_without_blocking_the_program():
    log = []
    source = 'x = llm("q1", search("one"))\ny = llm("q2", search("two"))\nanswer([x, y])'
    out = _run(source, _timed_tools(log))
    assert out.answer == ["<q1>", "<q2>"]
    starts = {name: t for kind, name, t in log if kind == "start"}
    ends = {name: t for kind, name, t in log if kind == "end"}
    assert starts["two"] < ends["one"]  # the second chain did not wait for the first


def test_calls_in_a_list_or_comprehension_run_together():
    log = []
    t0 = time.perf_counter()
    out = _run('answer([search(n) for n in ["a", "b", "c", "d"]])', _timed_tools(log, 0.1))
    assert out.answer == ["<a>", "<b>", "<c>", "<d>"]
    assert time.perf_counter() - t0 < 0.3  # four 0.1 s calls at once


def test_results_nobody_reads_are_cancelled_when_the_program_answers():
    cancelled = []

    async def search(args, kwargs, line):
        try:
            await asyncio.sleep(5 if args[0] == "slow" else 0.01)
        except asyncio.CancelledError:
            cancelled.append(args[0])
            raise
        return args[0]

    out = _run('unused = search("slow")\nanswer(search("fast"))', {"search": search})
    assert out.answer == "fast" and cancelled == ["slow"]


def test_a_failing_call_is_reported_at_its_own_line_when_read():
    async def broken(args, kwargs, line):
        raise ProgramError(f"line {line}: search() failed: offline", line)

    out = _run('a = search("x")\nb = 1\nanswer(a)', {"search": broken})
    assert out.error.line == 1 and "search() failed: offline" in str(out.error)


def test_a_budget_error_in_a_tool_ends_the_run_instead_of_becoming_feedback():
    async def spent(args, kwargs, line):
        raise BudgetExceededError("run budget spent")

    with pytest.raises(BudgetExceededError):
        _run('answer(search("x"))', {"search": spent})


def test_unread_results_of_a_program_without_answer_are_awaited_for_the_solver():
    out = _run('a = search("Ada")\nb = search("Babbage")', _timed_tools([]))
    assert out.variables == {"a": "<Ada>", "b": "<Babbage>"}


def test_comprehension_names_stay_inside_it():
    out = _run("x = 5\nys = [x for x in range(3)]\nanswer(x)")
    assert out.answer == 5
    out = _run("ys = [i for i in range(3)]\nanswer(i)")
    assert "name 'i' is not defined" in str(out.error)
