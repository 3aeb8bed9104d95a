"""Can a CodeAgents program reach the host? A written attack list plus a hypothesis fuzz of
random programs (random syntax trees of the plan language, and of full Python).

    python benchmarks/codeagents_security.py [--examples 9000] [--seed 0]

Every case goes through what a model's reply goes through (parse_program, then the
Interpreter with two stand-in tools) and must end one of three ways: refused before running
(PlanError naming what and where), stopped with the program's own error naming the line
(ProgramError, limits included), or run to the end. An escape is anything else: another
exception reaching the host, a value that is not plain data reaching the program's
variables (a function, a type, a module, a frame), a case running longer than its bound,
or the host changed (a new module imported, an environment variable, a file in the working
folder or the sentinel path, a builtin replaced, a thread started).

Writes benchmarks/results/codeagents_security.json (`cases`: distinct programs checked,
`escapes`, the attack list with each outcome, the fuzz counts). About ten minutes on one
busy core; hypothesis repeats some small programs, so `programs_run` is larger than `cases`.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import builtins
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from agentkit.errors import PlanError, ProgramError
from agentkit.planners.code import BUILTINS, METHODS, Interpreter, ProgramLimits, parse_program

RESULTS = Path(__file__).parent / "results"
SENTINEL = Path(tempfile.gettempdir()) / "agentkit_codeagents_pwned"
TOOLS = ("search", "llm")
SAFE_TYPES = (str, int, float, bool, type(None), list, tuple, dict, range)
CHUNK = 500
CASE_SECONDS = 10.0  # the interpreter's own bound is 5 s of work; tools here return at once
# a tighter bound for the fuzz: ten thousand cases must run in minutes
FUZZ_LIMITS = ProgramLimits(max_seconds=0.5, max_steps=5_000)

# -- the written attack list ------------------------------------------------------------
# (name, program, what must happen: "refused" before running, "error" naming the line
# (a limit or a failure), or "error|refused" where either is a clean end)
DEEP = 1_500
ATTACKS: list[tuple[str, str, str]] = [
    # class-hierarchy walks (smolagents CVE-2025-9959 reached subprocess.Popen this way)
    ("mro walk from a tuple", "answer(().__class__.__bases__[0].__subclasses__())", "refused"),
    ("mro walk from a str", 'answer("".__class__.__mro__[1].__subclasses__())', "refused"),
    (
        "Popen by name from subclasses",
        "answer([c for c in ().__class__.__base__.__subclasses__() "
        'if c.__name__ == "Popen"][0](["id"]))',
        "refused",
    ),
    ("type() of a value", "answer(type(1))", "refused"),
    ("object", "answer(object)", "error"),
    ("str.mro through the builtin name", "answer(str.mro())", "refused"),
    ("a builtin as a value", "f = str\nanswer(f)", "refused"),
    ("a method as a value", 'm = "a".upper\nanswer(m)', "refused"),
    ("bound method's __self__", "answer([].pop.__self__)", "refused"),
    # format-string attribute access
    ("str.format attribute walk", 'answer("{0.__class__.__mro__}".format(1))', "refused"),
    ("format_map", 'answer("{a.__globals__}".format_map({"a": 1}))', "refused"),
    ("f-string attribute", 'answer(f"{question.__class__}")', "refused"),
    ("f-string nested spec", 'answer(f"{1:{question}}")', "refused"),
    ("f-string huge width", 'answer(f"{1:999999999}")', "refused"),
    ("format() builtin", 'answer(format(1, "x"))', "refused"),
    ("percent formatting", 'answer("%(a)s" % {"a": 1})', "error"),
    ("percent width from data", 'answer("%*d" % (10 ** 9, 1))', "error"),
    # getattr on tools, tool internals
    ("getattr on a tool", 'answer(getattr(search, "__globals__"))', "refused"),
    ("tool __globals__", 'answer(search.__globals__["os"])', "refused"),
    ("tool as a value", "f = search\nanswer(f)", "refused"),
    ("tool's wrapped function", "answer(search.fn)", "refused"),
    ("rebinding a tool", "search = 1\nanswer(search)", "refused"),
    ("vars/dir/globals/locals", "answer(vars(search))", "refused"),
    ("globals()", "answer(globals())", "refused"),
    ("a tool result's class", 'answer(search("x").__class__)', "refused"),
    ("a tool's __call__", 'answer(llm.__call__("q"))', "refused"),
    ("keyword named like a dunder", "d = {}\nd.update(__class__=1)\nanswer(d)", "refused"),
    ("**kwargs smuggling", 'answer(search(**{"query": "x"}))', "refused"),
    # builtins, imports, code execution
    ("__builtins__", "answer(__builtins__)", "refused"),
    ("__import__", 'answer(__import__("os").system("id"))', "refused"),
    ("import os", f'import os\nos.system("touch {SENTINEL}")\nanswer(1)', "refused"),
    ("from subprocess import", 'from subprocess import Popen\nanswer(Popen(["id"]))', "refused"),
    ("import ctypes (smolagents #2094)", "import ctypes\nanswer(ctypes.CDLL(None))", "refused"),
    ("eval", 'answer(eval("1 + 1"))', "refused"),
    ("exec", 'exec("x = 1")\nanswer(1)', "refused"),
    ("compile", 'answer(compile("1", "f", "eval"))', "refused"),
    ("open a file", f'answer(open("{SENTINEL}", "w"))', "refused"),
    ("breakpoint", "breakpoint()\nanswer(1)", "refused"),
    ("input", "answer(input())", "refused"),
    ("print's module", "answer(print.__self__)", "refused"),
    ("setattr", 'setattr(search, "fn", 1)\nanswer(1)', "refused"),
    ("delete a name", "del search\nanswer(1)", "refused"),
    ("global", "global search\nanswer(1)", "refused"),
    # frames and tracebacks through exceptions
    (
        "traceback frame globals",
        "try:\n    x = 1 / 0\nexcept Exception as e:\n"
        "    answer(e.__traceback__.tb_frame.f_globals)",
        "refused",
    ),
    ("an error reaches no program", "x = 1 / 0\nanswer(x)", "error"),
    ("generator frame walk", "answer((x for x in [1]).gi_frame.f_back.f_globals)", "refused"),
    ("raise", "raise SystemExit\nanswer(1)", "refused"),
    ("assert with a host object", "assert False, ().__class__", "refused"),
    ("with statement", f'with open("{SENTINEL}") as f:\n    answer(f)', "refused"),
    ("match statement", "match question:\n    case _:\n        answer(1)", "refused"),
    # huge exponents, repetition, integer size
    ("tower of exponents", "answer(9 ** 9 ** 9)", "error"),
    ("2 ** 10 ** 10", "answer(2 ** 10 ** 10)", "error"),
    ("10 ** 10000", "answer(10 ** 10000)", "error"),
    ("negative base power", "answer((-3) ** 99999)", "error"),
    ("float overflow", "answer(2.0 ** 10000)", "error"),
    ("string repetition", 'answer("a" * 10 ** 10)', "error"),
    ("list repetition", "answer([0] * 10 ** 9)", "error"),
    ("repetition of a repetition", 'answer(("a" * 10000) * 10000)', "error"),
    ("doubling a string", 's = "x"\nfor i in range(100):\n    s = s + s\nanswer(s)', "error"),
    ("doubling a list", "x = [1]\nfor i in range(100):\n    x = x + x\nanswer(x)", "error"),
    ("nested repetition", "x = [[0] * 1000] * 1000\nanswer(x)", "error"),
    ("int() of a long string", 'answer(int("9" * 5000))', "error"),
    ("big int literal", "answer(" + "9" * 4000 + ")", "error|refused"),
    ("round to -10**9 digits", "answer(round(1, -10 ** 9))", "error"),
    ("str of a huge int", "answer(str(10 ** 4000))", "error"),
    ("replace that explodes", 'answer(("a" * 20000).replace("", "bbbbbbbbbb"))', "error"),
    ("join that explodes", 'answer(("x" * 15000).join(["a", "b", "c"]))', "error"),
    ("sorted of a repeated list", "x = list(range(2000))\nanswer(sorted(x * 1000))", "error"),
    ("sum over a huge range", "answer(sum(range(10 ** 9)))", "error"),
    ("f-string repeated", 'answer(f"{1:>999}" * 1000)', "error"),
    ("error message made of data", 'd = {}\nanswer(d["k" * 19000])', "error"),
    (
        "many large strings kept alive",
        's = "x" * 20000\nxs = []\nfor i in range(2000):\n    xs.append(s.upper())\nanswer(1)',
        "error",
    ),
    # deep recursion
    ("deep parentheses", "answer(" + "(" * DEEP + "1" + ")" * DEEP + ")", "refused"),
    ("deep unary minus", "answer(" + "-" * DEEP + "1)", "refused"),
    ("deep not", "answer(" + "not " * DEEP + "1)", "refused"),
    ("long addition chain", "answer(" + "+".join(["1"] * DEEP) + ")", "refused"),
    ("deep list literal", "answer(" + "[" * 200 + "]" * 200 + ")", "refused"),
    ("deeply nested value", "x = []\nfor i in range(1500):\n    x = [x]\nanswer(str(x))", "error"),
    ("a list holding itself", "x = [1]\nx.append(x)\nanswer(str(x))", "error"),
    ("a dict holding itself", 'x = {}\nx["a"] = x\nanswer(x == {"a": x})', "error"),
    (
        "self-compare of a cycle",
        "x = [1]\nx.append(x)\ny = [1]\ny.append(y)\nanswer(x == y)",
        "error",
    ),
    # infinite loops
    ("while True", "while True:\n    pass\nanswer(1)", "error"),
    ("while True with continue", "while True:\n    x = 1\n    continue\nanswer(1)", "error"),
    (
        "nested for loops",
        "for i in range(2000):\n    for j in range(2000):\n        x = i * j\nanswer(1)",
        "error",
    ),
    ("counting to 10**12", "i = 0\nwhile i < 10 ** 12:\n    i += 1\nanswer(i)", "error"),
    ("tool calls in a loop", "for i in range(1000):\n    x = search(str(i))\nanswer(1)", "error"),
    # generator and closure tricks
    ("generator function", "def g():\n    yield 1\nanswer(g())", "refused"),
    ("lambda", "f = lambda: 1\nanswer(f())", "refused"),
    (
        "closure",
        "def outer():\n    x = 1\n    def inner():\n        return x\n    return inner\nanswer(1)",
        "refused",
    ),
    ("walrus", "answer([y := 1])", "refused"),
    ("generator stored", "g = (x for x in [1])\nanswer(1)", "refused"),
    ("iter/next", "answer(next(iter([1])))", "refused"),
    ("async function", "async def f():\n    pass\nanswer(1)", "refused"),
    ("await", "answer(await search('x'))", "refused"),
    ("yield at top level", "yield 1\nanswer(1)", "refused"),
    # class definitions with dunder methods (smolagents #2395: object lifecycle hijacking)
    (
        "class with __del__",
        "class A:\n    def __del__(self):\n        pass\nanswer(A())",
        "refused",
    ),
    (
        "class with __eq__",
        "class A:\n    def __eq__(self, o):\n        return True\nanswer(1)",
        "refused",
    ),
    ("sets and set methods", "answer({1}.union([2]))", "refused"),
    ("starred", "answer(*[1])", "refused"),
    ("bytes", "answer(b'x')", "refused"),
    ("complex", "answer(1j)", "refused"),
    ("complex from a power", "answer((-8) ** 0.5)", "error"),
    ("a private name", "_x = 1\nanswer(_x)", "refused"),
    ("a dunder variable", "__name__ = 1\nanswer(1)", "refused"),
    ("a bound method of dict", 'answer({}.__class__.__dict__["fromkeys"])', "refused"),
    ("dict as a name", "answer(dict.update({}, x=1))", "error"),
]


# -- the host, as the program must leave it ---------------------------------------------
class Host:
    """What a program could change: imports, environment, files, builtins, threads."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def snapshot(self) -> tuple[Any, ...]:
        return (
            frozenset(sys.modules),
            tuple(sorted(os.environ.items())),
            tuple(sorted(os.listdir(self.workdir))),
            SENTINEL.exists(),
            tuple(sorted((k, id(v)) for k, v in vars(builtins).items())),
            tuple(sys.path),
            threading.active_count(),
            os.getcwd(),
        )


async def _search(args: list[Any], kwargs: dict[str, Any], line: int) -> str:
    return f"Passage about {str(args[0] if args else kwargs)[:40]}."


async def _llm(args: list[Any], kwargs: dict[str, Any], line: int) -> str:
    return "Answer."


def _variables() -> dict[str, Any]:
    return {
        "question": "Who directed Jaws?",
        "a": 3,
        "b": 2.5,
        "s": "Ed Wood directed Glen or Glenda.",
        "xs": [1, 2, 3],
        "d": {"k": "v"},
        "n": None,
    }


def _foreign(values: list[Any]) -> list[str]:
    """Types of any value that is not plain program data (walked without recursion)."""
    found, stack, seen = [], list(values), 0
    while stack and seen < 200_000:
        v = stack.pop()
        seen += 1
        if not isinstance(v, SAFE_TYPES) or type(v) not in SAFE_TYPES:
            found.append(type(v).__name__)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return found


class Checker:
    """Runs one case and says how it ended."""

    def __init__(self, host: Host, limits: ProgramLimits) -> None:
        self.host = host
        self.limits = limits
        self.interpreter = Interpreter({"search": _search, "llm": _llm}, limits)
        self.loop = asyncio.new_event_loop()

    def run(self, source: str) -> tuple[str, str]:
        """(how it ended, the message): refused, error, answered, ran, or an escape kind."""
        before = self.host.snapshot()
        t0 = time.perf_counter()
        kind, message = self._run(source)
        elapsed = time.perf_counter() - t0
        if self.host.snapshot() != before:
            kind, message = "escape: the host changed", message
        elif elapsed > CASE_SECONDS:
            kind, message = "escape: ran too long", f"{elapsed:.1f}s"
        return kind, message

    def _run(self, source: str) -> tuple[str, str]:
        try:
            program = parse_program(source, TOOLS, self.limits)
        except PlanError as exc:
            return ("refused", str(exc)) if _clear(exc) else ("escape: unclear refusal", str(exc))
        except BaseException as exc:  # anything else reaching the host is an escape
            return "escape: crashed in the parser", f"{type(exc).__name__}: {exc}"[:300]
        try:
            outcome = self.loop.run_until_complete(self.interpreter.run(program, _variables()))
        except BaseException as exc:
            return "escape: crashed in the interpreter", f"{type(exc).__name__}: {exc}"[:300]
        leaked = _foreign([outcome.answer, *outcome.variables.values(), *outcome.printed])
        if leaked:
            return "escape: a host object reached the program", ", ".join(sorted(set(leaked)))
        if outcome.error is not None:
            if not _clear(outcome.error):
                return "escape: unclear error", str(outcome.error)
            return "error", str(outcome.error)
        return ("answered" if outcome.answered else "ran"), ""


def _clear(exc: Exception) -> bool:
    """An error a person (and the replanner) can act on: it names the line, or says what
    about the whole program is wrong."""
    text = str(exc)
    if isinstance(exc, ProgramError):
        return text.startswith(f"line {exc.line}: ") and exc.line is not None
    whole = ("longer than", "syntax nodes", "cannot be read", "no program", "nests deeper")
    return text.startswith("line ") or any(w in text for w in whole)


def run_attacks(checker: Checker) -> list[dict[str, Any]]:
    rows = []
    for name, program, expected in ATTACKS:
        kind, message = checker.run(program)
        ok = kind in expected.split("|")
        rows.append({"name": name, "program": program[:200], "expected": expected,
                     "result": kind, "ok": ok, "message": message[:200]})  # fmt: skip
    return rows


# -- the fuzz: random syntax trees --------------------------------------------------------
NAMES = ["a", "b", "s", "xs", "d", "n", "question", "v"]
DANGER_NAMES = [
    "__import__", "__builtins__", "eval", "exec", "open", "getattr", "globals", "vars",
    "type", "object", "compile", "breakpoint", "input", "_", "os", "sys", "print", "search",
]  # fmt: skip
DANGER_ATTRS = [
    "__class__", "__mro__", "__subclasses__", "__globals__", "__builtins__", "__dict__",
    "__base__", "__bases__", "__init__", "__getattribute__", "gi_frame", "f_back",
    "f_globals", "tb_frame", "__traceback__", "__self__", "__func__", "__code__",
    "__closure__", "format", "format_map", "mro", "fn", "__reduce__", "cr_frame", "real",
]  # fmt: skip
DANGER_FUNCS = [
    "getattr", "setattr", "eval", "exec", "open", "__import__", "type", "vars", "globals",
    "dir", "iter", "next", "compile", "format", "super", "object", "id", "hash", "chr",
]  # fmt: skip
METHOD_LIST = sorted({m for names in METHODS.values() for m in names})
BINOPS = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow]
ALL_BINOPS = [*BINOPS, ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.BitXor, ast.MatMult]
CMPOPS = [ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is]

_constants = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.sampled_from([10**9, 10**5, 99_999, 2**31, "x" * 50, -1, 0, 1, 2, 30]),
)


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _call(func: ast.expr, args: list[ast.expr]) -> ast.Call:
    return ast.Call(func=func, args=args, keywords=[])


def _compare(left: ast.expr, op: type, right: ast.expr) -> ast.Compare:
    return ast.Compare(left=left, ops=[op()], comparators=[right])


def _dict(keys: list[ast.expr], values: list[ast.expr]) -> ast.Dict:
    values = (values + keys)[: len(keys)]  # as many values as keys
    return ast.Dict(keys=list(keys), values=values)


def _fstring(value: ast.expr, spec: str | None, conversion: int) -> ast.JoinedStr:
    format_spec = ast.JoinedStr([ast.Constant(spec)]) if spec else None
    part = ast.FormattedValue(value=value, conversion=conversion, format_spec=format_spec)
    return ast.JoinedStr([ast.Constant("x"), part])


def _comprehension(kind: type, elt: ast.expr, it: ast.expr, conds: list[ast.expr]) -> ast.expr:
    loop = ast.comprehension(target=_store("v"), iter=it, ifs=conds, is_async=0)
    return kind(elt=elt, generators=[loop])


def _no_args() -> ast.arguments:
    return ast.arguments(
        posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
        defaults=[],
    )  # fmt: skip


def _operator(ops: list[type]) -> st.SearchStrategy[Any]:
    return st.sampled_from(ops).map(lambda op: op())


def _expressions(full: bool) -> st.SearchStrategy[ast.expr]:
    names = NAMES + DANGER_NAMES if full else NAMES
    leaves = st.one_of(
        st.sampled_from(names).map(_load), _constants.map(lambda c: ast.Constant(value=c))
    )
    funcs = [*BUILTINS, *TOOLS, *(DANGER_FUNCS if full else [])]
    methods = METHOD_LIST + (DANGER_ATTRS if full else [])

    def extend(child: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
        args = st.lists(child, max_size=3)
        binops = _operator(ALL_BINOPS if full else BINOPS)
        options = [
            st.builds(ast.BinOp, child, binops, child),
            st.builds(ast.UnaryOp, _operator([ast.Not, ast.USub, ast.UAdd]), child),
            st.builds(ast.BoolOp, _operator([ast.And, ast.Or]), st.lists(child, min_size=2)),
            st.builds(_compare, child, st.sampled_from(CMPOPS), child),
            st.builds(ast.IfExp, child, child, child),
            st.builds(lambda e: ast.List(e, ast.Load()), args),
            st.builds(lambda e: ast.Tuple(e, ast.Load()), args),
            st.builds(_dict, args, args),
            st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), child, child),
            st.builds(
                lambda v, lo, hi: ast.Subscript(v, ast.Slice(lo, hi), ast.Load()),
                child,
                child,
                child,
            ),
            st.builds(_call, st.sampled_from(funcs).map(_load), args),
            st.builds(
                lambda v, m, a: _call(ast.Attribute(v, m, ast.Load()), a),
                child,
                st.sampled_from(methods),
                args,
            ),
            st.builds(
                _fstring, child, st.sampled_from([None, ".2f", ">9"]), st.sampled_from([-1, 114])
            ),
            st.builds(_comprehension, st.just(ast.ListComp), child, child, st.lists(child)),
        ]
        if full:
            options += [
                st.builds(
                    lambda v, a: ast.Attribute(v, a, ast.Load()),
                    child,
                    st.sampled_from(DANGER_ATTRS),
                ),
                st.builds(lambda body: ast.Lambda(_no_args(), body), child),
                st.builds(_comprehension, st.just(ast.GeneratorExp), child, child, st.just([])),
                st.builds(lambda v: ast.NamedExpr(_store("w"), v), child),
                st.builds(ast.Set, st.lists(child, min_size=1, max_size=2)),
                st.builds(
                    lambda f, a: _call(_load(f), [ast.Starred(a, ast.Load())]),
                    st.sampled_from(funcs),
                    child,
                ),
                st.builds(ast.Await, child),
            ]
        return st.one_of(*options)

    return st.recursive(leaves, extend, max_leaves=10)


def _answer(value: ast.expr) -> ast.stmt:
    return ast.Expr(_call(_load("answer"), [value]))


def _print(value: ast.expr) -> ast.stmt:
    return ast.Expr(_call(_load("print"), [value]))


def _typed(target: ast.Name, value: ast.expr, type_name: str) -> ast.stmt:
    return ast.AnnAssign(target=target, annotation=_load(type_name), value=value, simple=1)


def _item(container: ast.expr, key: ast.expr, value: ast.expr) -> ast.stmt:
    return ast.Assign(targets=[ast.Subscript(container, key, ast.Store())], value=value)


def _for(target: ast.Name, it: ast.expr, body: list[ast.stmt]) -> ast.stmt:
    return ast.For(target=target, iter=it, body=body + [ast.Break()] * (len(body) % 2), orelse=[])


def _try(body: list[ast.stmt]) -> ast.stmt:
    handler = ast.ExceptHandler(type=None, name="e", body=[ast.Pass()])
    return ast.Try(body=body, handlers=[handler], orelse=[], finalbody=[])


def _statements(full: bool) -> st.SearchStrategy[list[ast.stmt]]:
    expr = _expressions(full)
    target = st.sampled_from(NAMES[:-1]).map(_store)
    types = st.sampled_from(["str", "int", "float", "list", "dict"])
    simple = [
        st.builds(lambda t, v: ast.Assign([t], v), target, expr),
        st.builds(_typed, target, expr, types),
        st.builds(lambda t, v: ast.AugAssign(t, ast.Add(), v), target, expr),
        st.builds(_answer, expr),
        st.builds(_print, expr),
        st.builds(ast.Assert, expr, st.one_of(st.none(), expr)),
        st.builds(_item, st.sampled_from(["xs", "d"]).map(_load), expr, expr),
        st.just(ast.Pass()),
    ]
    if full:
        simple += [
            st.just(ast.Import([ast.alias("os")])),
            st.just(ast.ImportFrom("subprocess", [ast.alias("Popen")], 0)),
            st.builds(lambda v: ast.Raise(v, None), expr),
            st.builds(ast.Return, expr),
            st.just(ast.Global(["search"])),
            st.builds(lambda t: ast.Delete([ast.Name(t.id, ast.Del())]), target),
            st.builds(lambda v: ast.Expr(ast.Yield(v)), expr),
        ]
    leaf = st.one_of(*simple)

    def blocks(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        body = st.lists(inner, min_size=1, max_size=3).map(_flatten)
        options = [
            st.builds(ast.If, expr, body, st.one_of(st.just([]), body)),
            st.builds(_for, target, expr, body),
            st.builds(lambda c, b: ast.While(c, [*b, ast.Continue()], []), expr, body),
        ]
        if full:
            options += [
                st.builds(lambda b: ast.FunctionDef("f", _no_args(), b, [], None), body),
                st.builds(lambda b: ast.ClassDef("A", [], [], b, []), body),
                st.builds(_try, body),
                st.builds(lambda v, b: ast.With([ast.withitem(v, None)], b), expr, body),
            ]
        return st.one_of(*options)

    statement = st.recursive(leaf, blocks, max_leaves=6)
    return st.lists(statement, min_size=1, max_size=5).map(_flatten)


def _flatten(items: list[Any]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for item in items:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _source(body: list[ast.stmt]) -> str | None:
    try:
        return ast.unparse(ast.fix_missing_locations(ast.Module(body, [])))
    except Exception:  # a tree with no source form: not a program anyone could write
        return None


def run_fuzz(checker: Checker, full: bool, examples: int, rng_seed: int) -> dict[str, Any]:
    """`examples` random programs, in runs of at most CHUNK (hypothesis keeps every
    example's choices until its run ends: ~0.4 MB each)."""
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    sources: set[int] = set()
    strategy = _statements(full)

    def fuzz(body: list[ast.stmt]) -> None:
        source = _source(body)
        if source is None:
            counts["no source form"] += 1
            return
        sources.add(hash(source))
        kind, message = checker.run(source)
        counts[kind.split(":")[0]] += 1
        if kind.startswith("escape") and len(failures) < 20:
            failures.append({"program": source[:400], "result": kind, "message": message})

    for chunk, start in enumerate(range(0, examples, CHUNK)):
        run = settings(
            max_examples=min(CHUNK, examples - start),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(given(body=strategy)(fuzz))
        seed(rng_seed * 1_000 + chunk)(run)()
    ran = sum(n for k, n in counts.items() if k != "no source form")
    return {"programs": ran, "distinct": len(sources), "outcomes": dict(counts),
            "escapes": counts["escape"], "failures": failures}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--examples", type=int, default=9_000, help="examples per fuzz mode")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS / "codeagents_security.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            result = _run_all(Host(Path(tmp)), args.examples, args.seed)
        finally:
            os.chdir(cwd)
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("cases", "programs_run", "escapes", "attacks_ok")}))
    for row in result["attack_list"]:
        if not row["ok"]:
            print("NOT AS EXPECTED:", row["name"], row["result"], row["message"])


def _run_all(host: Host, examples: int, rng_seed: int) -> dict[str, Any]:
    checker = Checker(host, ProgramLimits())
    checker.run('answer(f"{[1]!r:>3} {search(question)}")')  # warm up lazy imports
    attacks = run_attacks(checker)
    fuzz_checker = Checker(host, FUZZ_LIMITS)
    subset = run_fuzz(fuzz_checker, False, examples, rng_seed)
    full = run_fuzz(fuzz_checker, True, examples, rng_seed + 1)
    escapes = (
        sum(r["result"].startswith("escape") for r in attacks) + subset["escapes"] + full["escapes"]
    )
    return {
        "cases": len(attacks) + subset["distinct"] + full["distinct"],  # distinct programs
        "programs_run": len(attacks) + subset["programs"] + full["programs"],
        "escapes": escapes,
        "attacks": len(attacks),
        "attacks_ok": sum(r["ok"] for r in attacks),
        "attack_list": attacks,
        "fuzz": {"plan_language": subset, "full_python": full},
        "limits": ProgramLimits().model_dump(),
        "fuzz_limits": FUZZ_LIMITS.model_dump(),
        "python": sys.version.split()[0],
        "escape_means": "another exception reaching the host, a non-data value reaching the "
        "program, a case over its time bound, or the host changed (modules, environment, "
        "files in the working folder or the sentinel path, builtins, sys.path, threads, cwd)",
    }


Runner = Callable[[str], tuple[str, str]]

if __name__ == "__main__":
    main()
