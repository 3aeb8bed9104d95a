"""CodeAgents' plan language: what the grammar lets a model write, what the checker lets
run, and that the two agree."""

import ast
import re

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkit.errors import ConfigError, PlanError, ProgramRefusedError
from agentkit.planners.code import (
    ProgramLimits,
    parse_program,
    patch_grammar,
    program_grammar,
    signature,
)
from agentkit.planners.code.language import function_names
from agentkit.testing import sample_grammar
from agentkit.tools import llm_tool, search_tool, tool

TOOLS = ["search", "llm"]
GRAMMAR = lark.Lark(program_grammar(TOOLS), start="start")
PATCH = lark.Lark(patch_grammar(TOOLS), start="start")

# The documented subset, one program per feature, each also valid for the checker.
ACCEPTED = [
    'answer("Paris")\n',
    'bio: str = search("Ed Wood director")\nanswer(llm("Who directed it?", bio))\n',
    'names: list[str] = ["a", "b"]\nanswer(names[0])\n',
    "n = 0\nn += 1\nn -= 2\nanswer(str(n))\n",
    'd = {"a": 1, "b": 2}\nd["c"] = 3\nanswer(d.get("a"))\n',
    'x = search("a")\nif len(x) > 3 and x != "b":\n    y = 1\nelif not x:\n    y = 2\nelse:\n'
    "    y = 3\nanswer(y)\n",
    "total = 0\nfor i, v in enumerate([1, 2]):\n    if v > 1:\n        total += v\n"
    "    else:\n        continue\nanswer(total)\n",
    "i = 0\nwhile i < 3:\n    i += 1\n    if i == 2:\n        break\nanswer(i)\n",
    'words = [w.strip().lower() for w in search("x").split(",") if w]\nanswer(words)\n',
    'a = search("Ada Lovelace born")\nassert a, "nothing found"\nanswer(f"{a} and {question}")\n',
    "answer(max([1, 2]) ** 2 // 3 % 2 - -1 < 5 and 1 in [1] or not None)\n",
    'answer(sorted(["b", "a"])[0:1])\n',
    "x = 1.5\nanswer(round(x * 2) == 3 or x is None)\n",
    'answer(llm(question=question, context="text"))\n',
    'answer(llm("q", context=search("x")))\n',
    "pass\nanswer(True)\n",
]

# Outside the grammar (a model under the constraint cannot write these).
REJECTED = [
    "import os\nanswer(1)\n",
    "def f():\n    pass\nanswer(1)\n",
    "answer(().__class__)\n",
    "x = lambda: 1\nanswer(x)\n",
    "answer(getattr(search, 'x'))\n",
    "answer(eval('1'))\n",
    'answer(f"{x.__class__}")\n',
    'answer(f"{x[0]}")\n',  # subscripts in f-strings cost 50 ms/token of mask: left out
    "try:\n    x = 1\nexcept Exception:\n    pass\nanswer(1)\n",
    "with open('f') as f:\n    pass\nanswer(1)\n",
    "# a comment\nanswer(1)\n",
    "x = 1\n\nanswer(x)\n",  # blank lines cost tokens
    "x = 1\n",  # a program ends with answer()
    "answer(_secret)\n",
    "answer(1)\nx = 2\n",
    "answer(x.y)\n",
    "answer({1, 2})\n",
    "answer(*[1])\n",
    "answer(x := 1)\n",
    "if x:\n    if y:\n        if z:\n            w = 1\nanswer(1)\n",  # three levels of blocks
    'answer(wikipedia("x"))\n',
]


@pytest.mark.parametrize("program", ACCEPTED)
def test_the_grammar_accepts_the_documented_subset_and_the_checker_runs_it(program):
    GRAMMAR.parse(program)
    parse_program(program, TOOLS)


@pytest.mark.parametrize("program", REJECTED)
def test_the_grammar_rejects_the_rest(program):
    with pytest.raises(lark.exceptions.LarkError):
        GRAMMAR.parse(program)


def test_the_grammar_has_no_counted_repetitions():
    """A regex with {1,200} cost ~60 ms/token of mask on vLLM-CPU (planner_speed.md)."""
    grammar = program_grammar(TOOLS) + patch_grammar(TOOLS)
    assert re.search(r"\{\d+,?\d*\}|\{,\d+\}", grammar) is None


@given(seed=st.integers(1, 2**31))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_what_the_grammar_generates_python_parses(seed):
    """The grammar is a subset of Python: a random sentence of it (with its names made
    safe: the grammar cannot tell a keyword from a name) parses, and never holds anything
    the checker refuses other than an undefined or unknown name."""
    safe_names = program_grammar(TOOLS).replace("NAME: /[a-zA-Z]", "NAME: /v")  # no keyword
    text = sample_grammar(safe_names, seed=seed)
    ast.parse(text)
    try:
        parse_program(text, TOOLS)
    except ProgramRefusedError as exc:
        assert "is a function" in str(exc) or "outside a loop" in str(exc), exc


def test_patches_parse_in_their_grammar():
    PATCH.parse('# lines 2-3\nx: str = search("Ed Wood")\nif x:\n    answer(x)\n')
    PATCH.parse("# lines 4-4\n")  # deletes line 4
    with pytest.raises(lark.exceptions.LarkError):
        PATCH.parse("x = 1\n")  # no header
    with pytest.raises(lark.exceptions.LarkError):
        PATCH.parse("# lines 1-1\n" + "x = 1\n" * 9)  # at most 8 lines


REFUSED = [
    ('search("Ed Wood")\nanswer(1)', "the result of search() is lost: assign it"),
    ("len([1])\nanswer(1)", "the result of len() is lost"),
    ("import os\nanswer(1)", "imports not allowed"),
    ("from os import path\nanswer(1)", "imports not allowed"),
    ("def f():\n    return 1\nanswer(f())", "function definitions not allowed"),
    ("class A:\n    pass\nanswer(1)", "class definitions not allowed"),
    ("f = lambda: 1\nanswer(1)", "lambdas not allowed"),
    ("answer(().__class__)", "attribute access (.__class__)"),
    ('answer("".join.__self__)', "attribute access (.__self__)"),
    ("answer(search.__name__)", "attribute access"),
    ('answer("{0.__class__}".format(1))', "no method .format()"),
    ("answer(getattr(1, 'real'))", "no function getattr()"),
    ("answer(__import__('os'))", "no function __import__()"),
    ("x = __builtins__\nanswer(1)", "names starting with '_'"),
    ("answer(_)", "names starting with '_'"),
    ("try:\n    x = 1\nexcept Exception as e:\n    x = e\nanswer(1)", "try/except not allowed"),
    ("raise ValueError()", "raise not allowed"),
    ("with x:\n    pass\nanswer(1)", "with not allowed"),
    ("x = (i for i in [1])\nanswer(1)", "generators are not allowed"),
    ("def g():\n    yield 1\nanswer(1)", "function definitions"),
    ("global x\nanswer(1)", "global not allowed"),
    ("del x\nanswer(1)", "del not allowed"),
    ("answer((x := 1))", "walrus"),
    ("answer(*[1])", "*args"),
    ("answer(**{'a': 1})", "**kwargs"),
    ("answer({1, 2})", "sets not allowed"),
    ("answer(1 << 10)", "shifts not allowed"),
    ("answer(b'x')", "bytes constants"),
    ("answer(1j)", "complex constants"),
    ("search = 1\nanswer(1)", "search is a function: it can be called, not assigned to"),
    ("f = search\nanswer(f('x'))", "search is a function: it can be called, not used as a value"),
    ('answer(f"{1:{2}}")', "an f-string format must be a plain spec"),
    ('answer("a".zfill(9))', "no method .zfill()"),
    ('answer(f"{1:99999999}")', "an f-string format must be a plain spec"),
    ("break", "break outside a loop"),
    ("for x in []:\n    pass\nelse:\n    pass\nanswer(1)", "else after a loop"),
    ("x: os.path = 1\nanswer(x)", "a type is one of"),
    ("x: int\nanswer(1)", "needs a value"),
    ("async def f():\n    pass\nanswer(1)", "function definitions"),
    ("match x:\n    case 1:\n        pass\nanswer(1)", "Match not allowed"),
]


@pytest.mark.parametrize(("program", "why"), REFUSED)
def test_the_checker_refuses_what_the_language_leaves_out_naming_the_line(program, why):
    with pytest.raises(ProgramRefusedError, match=r"line \d+: ") as info:
        parse_program(program, TOOLS)
    assert why in str(info.value)
    assert info.value.line is not None


def test_limits_on_size_nesting_and_nodes_are_checked_before_running():
    deep = "answer(" + "[" * 30 + "]" * 30 + ")"
    with pytest.raises(ProgramRefusedError, match="nests deeper than 20"):
        parse_program(deep, TOOLS, ProgramLimits(max_depth=20))
    chain = "answer(" + " + ".join(["1"] * 3000) + ")"  # a deep left-nested tree
    with pytest.raises(PlanError, match=r"nests deeper|syntax nodes|cannot be read"):
        parse_program(chain, TOOLS, ProgramLimits(max_chars=100_000))
    with pytest.raises(ProgramRefusedError, match="longer than 100 characters"):
        parse_program("x = 1\n" * 30 + "answer(x)", TOOLS, ProgramLimits(max_chars=100))
    with pytest.raises(PlanError, match=r"cannot be read|SyntaxError"):
        parse_program("answer(" + "(" * 500 + ")" * 500 + ")", TOOLS)


def test_parsing_is_lenient_where_the_intent_is_clear():
    fenced = 'Here is the plan:\n```python\nx = search("a")\nanswer(x)\n```\nIt searches.'
    assert parse_program(fenced, TOOLS).source == 'x = search("a")\nanswer(x)'
    prose_first = 'Sure! The program:\nx = search("a")\nanswer(x)'
    assert parse_program(prose_first, TOOLS).source == 'x = search("a")\nanswer(x)'
    cut = 'x = search("a")\nanswer(llm("who is, '  # a reply cut at max_tokens
    assert parse_program(cut, TOOLS).source == 'x = search("a")'
    with pytest.raises(PlanError, match="line 2: SyntaxError"):
        rest = "".join(f"v{i} = {i}\n" for i in range(9))
        parse_program("x = 1\ny = = 2\nz = 3\nw = 4\n" + rest + "answer(x)", TOOLS)
    with pytest.raises(PlanError, match="no program"):
        parse_program("```python\n```", TOOLS)
    looping = 'x = search("a")\n' + "x = 3\n" * 40 + "answer(x)"  # stuck in a loop
    assert parse_program(looping, TOOLS).source == 'x = search("a")\nx = 3\nanswer(x)'
    twice = "x = 3\nx = 3\nanswer(x)"  # twice may be meant
    assert parse_program(twice, TOOLS).source == twice


def test_tools_are_shown_as_typed_signatures_with_one_line_docstrings():
    assert signature(search_tool([("a", "b")])) == (
        "search(query: str) -> str  # the 2 passages that best match the keywords"
    )
    assert signature(llm_tool(description="read a text")) == (
        'llm(question: str, context: str = "") -> str  # read a text'
    )

    @tool
    def convert(value: float, unit: str = "m", exact: bool = False) -> str:
        """Convert a length."""
        return ""

    assert signature(convert) == (
        'convert(value: float, unit: str = "m", exact: bool = False) -> str  # Convert a length.'
    )


def test_a_tool_a_program_cannot_call_is_a_config_error():
    @tool(name="max")
    def biggest(x: str) -> str:
        """Largest."""
        return x

    with pytest.raises(ConfigError, match="'max' cannot be called from a CodeAgents program"):
        function_names([biggest])

    @tool(name="graph-search")
    def graph(x: str) -> str:
        """Search a graph."""
        return x

    assert list(function_names([graph])) == ["graph_search"]
