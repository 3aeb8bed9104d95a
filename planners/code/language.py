"""The CodeAgents plan language: a small subset of Python, read with `ast` and checked node
by node before anything runs.

Allowed: typed and plain assignments (`bio: str = search("Ed Wood")`, `a, b = x`, `d["k"] =
v`, `n += 1`), `if/elif/else`, `for` over lists, strings, dicts and ranges, `while` (bounded),
`break`, `continue`, `pass`, `assert cond, "feedback"`, boolean logic, comparisons,
arithmetic, list/tuple/dict literals, list and dict comprehensions, f-strings without
attribute access, subscripts and slices, calls of the run's tools, of the pure builtins in
BUILTINS, of `answer(value)` (ends the program) and `print`, and the methods in METHODS.
Everything else (imports, def/class/lambda, try, with, attribute access other than those
methods, names starting with `_`, `*args`, walrus, sets, bytes) is refused with the line.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, NoReturn, get_args, get_origin

from agentkit.errors import ConfigError, PlanError, ProgramRefusedError
from agentkit.planners.code.limits import ProgramLimits, deep_size
from agentkit.tools import Tool

__all__ = [
    "BUILTINS",
    "METHODS",
    "Program",
    "check_program",
    "function_names",
    "parse_program",
    "py_name",
    "render_value",
    "signature",
    "unfenced",
    "without_loops",
]

BUILTINS = (
    "len", "min", "max", "sorted", "sum", "any", "all", "int", "float", "str", "bool",
    "round", "abs", "range", "list", "enumerate", "zip",
)  # fmt: skip
SPECIAL = ("answer", "print")
METHODS: dict[type, tuple[str, ...]] = {
    str: (
        "lower", "upper", "strip", "lstrip", "rstrip", "split", "splitlines", "join",
        "replace", "startswith", "endswith", "find", "count", "title", "capitalize",
        "isdigit", "isalpha", "isnumeric",
    ),
    list: ("append", "extend", "insert", "pop", "index", "count", "sort", "reverse", "copy"),
    dict: ("get", "keys", "values", "items", "pop", "copy", "update"),
}  # fmt: skip
METHOD_NAMES = frozenset(name for names in METHODS.values() for name in names)
TYPES = ("str", "int", "float", "bool", "list", "dict", "tuple")
# f-string format specs: fill/align, sign, width and precision of at most 3 digits, a type
FORMAT_SPEC = re.compile(r"(?:.?[<>^=])?[+\- ]?#?0?\d{0,3}[,_]?(?:\.\d{1,3})?[bcdeEfFgGnosxX%]?")

_STATEMENTS = (
    ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass, ast.Assert,
)  # fmt: skip
_EXPRESSIONS = (
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.Constant,
    ast.Name, ast.List, ast.Tuple, ast.Dict, ast.Subscript, ast.Slice, ast.ListComp,
    ast.DictComp, ast.GeneratorExp, ast.JoinedStr, ast.FormattedValue, ast.Attribute,
    ast.comprehension, ast.keyword,
)  # fmt: skip
_OPERATORS = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.And, ast.Or,
    ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
    ast.NotIn, ast.Is, ast.IsNot, ast.Load, ast.Store,
)  # fmt: skip
ALLOWED = (ast.Module, *_STATEMENTS, *_EXPRESSIONS, *_OPERATORS)
_WHY = {
    ast.Import: "imports", ast.ImportFrom: "imports", ast.FunctionDef: "function definitions",
    ast.AsyncFunctionDef: "function definitions", ast.Lambda: "lambdas",
    ast.ClassDef: "class definitions", ast.Try: "try/except", ast.Raise: "raise",
    ast.With: "with", ast.Return: "return", ast.Yield: "generators",
    ast.YieldFrom: "generators", ast.Await: "await", ast.Global: "global",
    ast.Nonlocal: "nonlocal", ast.Delete: "del", ast.NamedExpr: "the walrus operator :=",
    ast.Starred: "*args", ast.Set: "sets", ast.SetComp: "sets", ast.MatMult: "@",
    ast.BitAnd: "bitwise operators", ast.BitOr: "bitwise operators",
    ast.BitXor: "bitwise operators", ast.LShift: "shifts", ast.RShift: "shifts",
    ast.Invert: "bitwise operators",
}  # fmt: skip


@dataclass(frozen=True)
class Program:
    """A parsed program: its source (lines numbered from 1 in feedback) and its tree."""

    source: str
    tree: ast.Module

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def numbered(self) -> str:
        return "\n".join(f"{i} {line}" for i, line in enumerate(self.lines, 1))


def py_name(tool_name: str) -> str:
    """The name a tool is called by in a program (`graph-search` -> `graph_search`)."""
    return tool_name.replace("-", "_")


def signature(tool: Tool) -> str:
    """`search(query: str) -> str  # the 2 passages that best match the keywords`: the tool as
    a typed Python signature with its one-line description (shorter than a JSON schema)."""
    params = []
    for name, field in tool.args_model.model_fields.items():
        text = f"{name}: {_type_name(field.annotation)}"
        if not field.is_required():
            text += f" = {_default(field.default)}"
        params.append(text)
    return f"{py_name(tool.name)}({', '.join(params)}) -> str  # {tool.description}"


def _type_name(annotation: Any) -> str:
    if get_origin(annotation) is not None:
        inner = ", ".join(_type_name(a) for a in get_args(annotation))
        origin = get_origin(annotation)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if isinstance(annotation, type):
        return "None" if annotation is type(None) else annotation.__name__
    return str(annotation).replace("typing.", "")


def _default(value: Any) -> str:
    """A default as Python writes it (strings in double quotes, as the grammar does)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value) if value is None or isinstance(value, (int, float, bool)) else "..."


def parse_program(
    text: str, functions: Iterable[str], limits: ProgramLimits | None = None
) -> Program:
    """The program in a model's reply, checked; PlanError (ProgramRefusedError for what the
    language leaves out) saying what is wrong and where, never another exception.

    Lenient where the intent is clear: a ```python fence, prose before the code, and
    unfinished lines at the end (a reply cut at max_tokens) are dropped."""
    limits = limits or ProgramLimits()
    source = unfenced(text).strip("\n")
    if len(source) > limits.max_chars:
        raise ProgramRefusedError(f"the program is longer than {limits.max_chars} characters")
    lines = without_loops([ln.rstrip() for ln in source.splitlines()])
    tree, first_error = None, None
    for start, end in _candidates(len(lines), _prose_lines(lines)):
        candidate = "\n".join(lines[start:end])
        try:
            tree = _parse(candidate)
        except PlanError as exc:
            first_error = first_error or exc
            continue
        if tree.body:
            source = candidate
            break
        tree = None
    if tree is None:
        raise first_error or PlanError("there is no program: the text holds no statement")
    program = Program(source=source, tree=tree)
    check_program(program, functions, limits)
    return program


def without_loops(lines: list[str]) -> list[str]:
    """A line repeated three or more times in a row kept once: a small model stuck in a
    loop (a 1.5B replanner wrote `lines -= 3` until its token limit), not a program."""
    out: list[str] = []
    for _, group in groupby(lines):
        run = list(group)
        out += run[:1] if len(run) >= 3 else run
    return out


def unfenced(text: str) -> str:
    """The first ``` block's content (to the end when unclosed), else the text."""
    match = re.search(r"```[ \t]*(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", text, re.S | re.I)
    return match.group(1) if match else text


def _candidates(n: int, prose: int) -> Iterable[tuple[int, int]]:
    """Line ranges to try, whole first: then without the prose before the code, and
    without unfinished lines at the end (at most 8, or the answer would be guessed)."""
    for start in range(min(prose, n - 1) + 1):
        for end in range(n, max(start, n - 8), -1):
            yield start, end


def _prose_lines(lines: list[str]) -> int:
    """How many of the first lines (at most 3) read as prose: no code alone, no `=` or `(`."""
    count = 0
    for line in lines[:3]:
        if "=" in line or "(" in line:
            break
        try:
            ast.parse(line.strip())
            break
        except (SyntaxError, ValueError):
            count += 1
    return count


def _parse(source: str) -> ast.Module:
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" in a model's string
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except SyntaxError as exc:
        line = exc.lineno or 1
        raise PlanError(f"line {line}: SyntaxError: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise PlanError(f"the program cannot be read: {type(exc).__name__}: {exc}") from None


def check_program(
    program: Program, functions: Iterable[str], limits: ProgramLimits | None = None
) -> None:
    """ProgramRefusedError at the first node the language does not allow. `functions` are
    the tools' names as the program calls them; builtins, answer and print are added."""
    limits = limits or ProgramLimits()
    _check_shape(program.tree, limits)
    _Checker(frozenset(functions) | frozenset(BUILTINS) | frozenset(SPECIAL)).visit(program.tree)


def _check_shape(tree: ast.AST, limits: ProgramLimits) -> None:
    """Node count and nesting depth, without recursion (a deep tree must not blow the stack
    of the checker before it is refused)."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        line = getattr(node, "lineno", None)
        if depth > limits.max_depth:
            raise ProgramRefusedError(
                f"line {line}: the program nests deeper than {limits.max_depth} levels", line
            )
        if count > limits.max_nodes:
            raise ProgramRefusedError(
                f"the program has more than {limits.max_nodes} syntax nodes", line
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Checker(ast.NodeVisitor):
    def __init__(self, functions: frozenset[str]) -> None:
        self.functions = functions
        self.loops = 0
        self.line = 0

    def refuse(self, node: ast.AST, what: str) -> NoReturn:
        line = getattr(node, "lineno", None) or self.line or None
        where = f"line {line}: " if line else ""
        raise ProgramRefusedError(f"{where}{what}", line)

    def generic_visit(self, node: ast.AST) -> None:
        self.line = getattr(node, "lineno", self.line)
        if not isinstance(node, ALLOWED):
            what = _WHY.get(type(node), type(node).__name__)
            self.refuse(node, f"{what} not allowed in a plan")
        super().generic_visit(node)

    # -- statements ------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        func = call.func if isinstance(call, ast.Call) else None
        if isinstance(func, ast.Name) and func.id not in SPECIAL:
            self.refuse(node, f"the result of {func.id}() is lost: assign it, x = {func.id}(...)")
        self.visit(call)

    def visit_For(self, node: ast.For) -> None:
        self._no_else(node)
        self._target(node.target)
        self.visit(node.iter)
        self._loop_body(node)

    def visit_While(self, node: ast.While) -> None:
        self._no_else(node)
        self.visit(node.test)
        self._loop_body(node)

    def _loop_body(self, node: ast.For | ast.While) -> None:
        self.loops += 1
        for stmt in node.body:
            self.visit(stmt)
        self.loops -= 1

    def _no_else(self, node: ast.For | ast.While) -> None:
        if node.orelse:
            self.refuse(node, "else after a loop is not allowed in a plan")

    def visit_Break(self, node: ast.Break) -> None:
        if not self.loops:
            self.refuse(node, "break outside a loop")

    def visit_Continue(self, node: ast.Continue) -> None:
        if not self.loops:
            self.refuse(node, "continue outside a loop")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.visit(node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        self.visit(node.op)
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not isinstance(node.target, ast.Name):
            self.refuse(node, "a typed assignment needs a plain name: `name: str = ...`")
        if node.value is None:
            self.refuse(node, "a typed name needs a value: `name: str = ...`")
        self._target(node.target)
        self._annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)

    def _target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._name(target, store=True)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                if not isinstance(elt, ast.Name):
                    self.refuse(target, "unpack into plain names only: `a, b = ...`")
                else:
                    self._name(elt, store=True)
        elif isinstance(target, ast.Subscript):
            self.visit(target)
        else:
            self.refuse(target, "assign to a name or an item (`d[key] = ...`) only")

    def _annotation(self, node: ast.expr) -> None:
        """`str`, `list[str]`, `dict[str, int]`, `int | None`: a type, never an expression."""
        if isinstance(node, ast.Name) and node.id in TYPES:
            return
        if isinstance(node, ast.Constant) and node.value is None:
            return
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            self._annotation(node.left)
            self._annotation(node.right)
            return
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("list", "dict", "tuple")
        ):
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for arg in inner:
                self._annotation(arg)
            return
        self.refuse(node, f"a type is one of {', '.join(TYPES)} (e.g. list[str])")

    # -- expressions -----------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        self._name(node, store=isinstance(node.ctx, ast.Store))

    def _name(self, node: ast.Name, *, store: bool) -> None:
        if node.id.startswith("_"):
            self.refuse(node, f"names starting with '_' are not allowed ({node.id})")
        if node.id in self.functions:
            verb = "assigned to" if store else "used as a value"
            self.refuse(node, f"{node.id} is a function: it can be called, not {verb}")

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value is not None and not isinstance(node.value, (str, int, float, bool)):
            self.refuse(node, f"{type(node.value).__name__} constants are not allowed")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.refuse(node, f"attribute access (.{node.attr}) is not allowed; only method calls")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr not in METHOD_NAMES:
                self.refuse(node, f"no method .{func.attr}(); methods: {_methods_list()}")
            self.visit(func.value)
        elif isinstance(func, ast.Name):
            if func.id not in self.functions:
                tools = sorted(self.functions - set(BUILTINS) - set(SPECIAL))
                self.refuse(
                    node, f"no function {func.id}(); the tools are: {', '.join(tools) or 'none'}"
                )
        else:
            self.refuse(node, "call functions by name only")
        for arg in node.args:
            if isinstance(arg, ast.GeneratorExp) and len(node.args) == 1:
                self._comprehension(arg, [arg.elt])  # a lone generator argument: run as a list
            else:
                self.visit(arg)
        for kw in node.keywords:
            if kw.arg is None:
                self.refuse(node, "**kwargs is not allowed in a plan")
            elif kw.arg.startswith("_"):
                self.refuse(node, f"keyword names starting with '_' are not allowed ({kw.arg})")
            self.visit(kw.value)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self.refuse(node, "generators are not allowed; write a list comprehension [...]")

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def _comprehension(
        self, node: ast.ListComp | ast.DictComp | ast.GeneratorExp, parts: list[ast.expr]
    ) -> None:
        if len(node.generators) > 2:
            self.refuse(node, "a comprehension may have at most 2 `for` parts")
        for gen in node.generators:
            if gen.is_async:
                self.refuse(node, "async comprehensions are not allowed")
            self._target(gen.target)
            self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        for part in parts:
            self.visit(part)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        self.visit(node.value)
        spec = node.format_spec
        if spec is None:
            return
        if not isinstance(spec, ast.JoinedStr):
            self.refuse(node, "an f-string format must be a plain spec such as :.2f or :>10")
            return
        texts = [v.value for v in spec.values if isinstance(v, ast.Constant)]
        if len(texts) != len(spec.values) or not FORMAT_SPEC.fullmatch("".join(map(str, texts))):
            self.refuse(node, "an f-string format must be a plain spec such as :.2f or :>10")

    def visit_Dict(self, node: ast.Dict) -> None:
        if any(k is None for k in node.keys):
            self.refuse(node, "**mapping in a dict is not allowed in a plan")
        self.generic_visit(node)


def _methods_list() -> str:
    return ", ".join(sorted(METHOD_NAMES))


def function_names(tools: Iterable[Tool]) -> dict[str, Tool]:
    """The run's tools by the name a program calls them (ConfigError for a name a program
    cannot call, or one that would hide a builtin)."""
    out: dict[str, Tool] = {}
    for t in tools:
        name = py_name(t.name)
        if keyword.iskeyword(name) or name in BUILTINS or name in SPECIAL or name in TYPES:
            raise ConfigError(
                f"tool {t.name!r} cannot be called from a CodeAgents program (a Python keyword "
                "or builtin); give it another name="
            )
        out[name] = t
    return out


def render_value(value: Any, limit: int) -> str:
    """A value as Python source, cut to about `limit` characters (for feedback). A value
    too large or too deeply nested to write out is named by its type and length."""
    if deep_size(value, 4 * limit + 1_000) > 4 * limit + 1_000 and not isinstance(value, str):
        return f"<{type(value).__name__} of {len(value)} items>"
    try:
        plain = _plain(value)
        text = json.dumps(value, ensure_ascii=False) if plain else repr(value)
    except (RecursionError, ValueError, TypeError):
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


def _plain(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return not isinstance(value, float) or value == value  # NaN has no JSON
    if isinstance(value, Mapping):
        return all(isinstance(k, str) for k in value) and all(map(_plain, value.values()))
    if isinstance(value, list):
        return all(map(_plain, value))
    return False
