"""The CodeAgents executor: walks a checked program's syntax tree; nothing is ever `exec`'d
or `eval`'d on the host.

Values are only str, int, float, bool, None, list, tuple, dict and range; every operation is
one of a fixed table (operators, BUILTINS, METHODS by exact type), checked before it runs
against the run's limits (a `"a" * 10**9` or `9**9**9` is refused, not computed), so a
program can neither reach the host's objects nor exhaust it.

Tool calls run concurrently where the data flow allows: a call starts as soon as it is
reached and the program carries on; only reading its result waits. `a = search(x)` then
`b = search(y)` run together, `llm(q, search(x))` chains without blocking, and the elements
of a list or comprehension are awaited together. Results nobody reads by the time the
program answers are cancelled.
"""

from __future__ import annotations

import ast
import asyncio
import operator
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentkit.errors import (
    AgentkitError,
    PlanError,
    ProgramAssertionError,
    ProgramError,
    ProgramLimitError,
)
from agentkit.planners.code.language import METHODS, Program, render_value
from agentkit.planners.code.limits import Meter, ProgramLimits

__all__ = ["Interpreter", "Outcome", "ToolFunction"]

ToolFunction = Callable[[list[Any], dict[str, Any], int], Awaitable[Any]]
"""A tool as the interpreter calls it: (positional args, keyword args, line) -> result."""

_CONTAINERS = (list, tuple, dict, range)
_VALUE_TYPES = frozenset({str, int, float, bool, type(None), *_CONTAINERS})
_SEQUENCES = (str, list, tuple)
# what a failing operation raises inside Python: reported as the program's error, with its line
_RUNTIME = (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError)
_MESSAGE_CHARS = 300
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}  # fmt: skip
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str, "int": int, "float": (float, int), "bool": bool, "list": list, "dict": dict,
    "tuple": tuple,
}  # fmt: skip


class _Answer(Exception):
    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass(eq=False)
class _Pending:
    """A tool call's result that nobody has read yet."""

    task: asyncio.Task[Any]
    line: int
    annotation: ast.expr | None = None
    name: str = ""


@dataclass
class Outcome:
    """How a run ended: answered (`answer`), failed (`error`, with the line), or fell off
    the end of the program (neither). `variables` are as the program left them."""

    answered: bool = False
    answer: Any = None
    answer_line: int = 0
    error: ProgramError | PlanError | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)
    steps: int = 0
    tool_calls: int = 0


class Interpreter:
    """Runs programs against `tools` (by the names programs call them) within `limits`."""

    def __init__(
        self, tools: Mapping[str, ToolFunction], limits: ProgramLimits | None = None
    ) -> None:
        self.tools = dict(tools)
        self.limits = limits or ProgramLimits()

    async def run(self, program: Program, variables: Mapping[str, Any] | None = None) -> Outcome:
        """Run `program` with `variables` set first (e.g. `question`). Never raises for what
        the program does: its error is in the Outcome. A budget or model error from a tool
        (the run cannot go on) is raised."""
        run = _Run(self, dict(variables or {}))
        outcome = Outcome()
        try:
            await run.block(program.tree.body)
            await run.settle()
        except _Answer as done:
            outcome.answered, outcome.answer, outcome.answer_line = True, done.value, done.line
        except (ProgramError, PlanError) as exc:
            outcome.error = exc
            await run.settle(quiet=True)  # the replanner and the solver see what calls found
        finally:
            await run.cancel_pending()
        outcome.variables = {k: v for k, v in run.env.items() if not isinstance(v, _Pending)}
        outcome.printed = run.printed
        outcome.steps, outcome.tool_calls = run.meter.steps, run.meter.tool_calls
        return outcome


class _Run:
    """One run's state: variables, counters, tool calls in flight."""

    def __init__(self, interpreter: Interpreter, env: dict[str, Any]) -> None:
        self.tools = interpreter.tools
        self.limits = interpreter.limits
        self.meter = Meter(self.limits)
        self.env = env
        self.printed: list[str] = []
        self.pending: list[_Pending] = []
        self.started = time.perf_counter()
        self.waited = 0.0

    # -- bookkeeping -----------------------------------------------------------------
    async def tick(self, line: int) -> None:
        self.meter.step(line)
        if self.meter.steps % 256 == 0:
            busy = time.perf_counter() - self.started - self.waited
            if busy > self.limits.max_seconds:
                raise ProgramLimitError(
                    f"line {line}: the program ran {self.limits.max_seconds:g}s (its limit)", line
                )
            await asyncio.sleep(0)  # let other runs on this event loop move

    def fail(self, line: int, message: str) -> ProgramError:
        """The program's error at `line`; a message built from program data (a 20,000-
        character key in a KeyError) is cut, since it becomes the replanner's prompt."""
        if len(message) > _MESSAGE_CHARS:
            message = message[: _MESSAGE_CHARS - 3] + "..."
        return ProgramError(f"line {line}: {message}", line)

    def checked(self, value: Any, line: int) -> Any:
        """`value` if it is a program value (of exactly an allowed type: a subclass could
        carry its own methods) within the limits, else the error."""
        if type(value) not in _VALUE_TYPES:
            raise self.fail(line, f"{type(value).__name__} values are not allowed in a plan")
        if isinstance(value, (bool, float)) or value is None:
            return value
        if isinstance(value, int):
            self.meter.check_int(value, line)
        elif isinstance(value, str):
            if len(value) > self.limits.max_str:
                self.meter.check_len(len(value), line, "a string")
        elif len(value) > self.limits.max_items:
            self.meter.check_len(len(value), line)
        return value

    # -- statements ------------------------------------------------------------------
    async def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            await self.statement(stmt)

    async def statement(self, node: ast.stmt) -> None:
        line = node.lineno
        await self.tick(line)
        try:
            await self._statement(node, line)
        except (_Answer, _Break, _Continue, AgentkitError):
            raise
        except _RUNTIME as exc:
            raise self.fail(line, f"{type(exc).__name__}: {exc}") from None

    async def _statement(self, node: ast.stmt, line: int) -> None:
        if isinstance(node, ast.Expr):
            await self.value(node.value)
        elif isinstance(node, ast.Assign):
            value = await self.lazy(node.value)
            for target in node.targets:
                await self.assign(target, value, line)
        elif isinstance(node, ast.AnnAssign):
            assert isinstance(node.target, ast.Name) and node.value is not None  # checked
            value = await self.lazy(node.value)
            if isinstance(value, _Pending):
                value.annotation, value.name = node.annotation, node.target.id
            else:
                value = self.coerce(value, node.annotation, node.target.id, line)
            await self.assign(node.target, value, line)
        elif isinstance(node, ast.AugAssign):
            current = await self.value(_as_load(node.target))
            result = self.binop(node.op, current, await self.value(node.value), line)
            await self.assign(node.target, result, line)
        elif isinstance(node, ast.If):
            await self.block(node.body if await self.value(node.test) else node.orelse)
        elif isinstance(node, ast.For):
            await self.loop_for(node, line)
        elif isinstance(node, ast.While):
            await self.loop_while(node, line)
        elif isinstance(node, ast.Assert):
            if not await self.value(node.test):
                msg = self.text(await self.value(node.msg), line) if node.msg else "it is false"
                text = f"assert {ast.unparse(node.test)} failed: {msg}"
                raise ProgramAssertionError(str(self.fail(line, text)), line)
        elif isinstance(node, ast.Break):
            raise _Break
        elif isinstance(node, ast.Continue):
            raise _Continue
        elif not isinstance(node, ast.Pass):
            raise self.fail(line, f"{type(node).__name__} is not allowed in a plan")

    async def loop_for(self, node: ast.For, line: int) -> None:
        for item in self.items(await self.value(node.iter), line):
            await self.assign(node.target, item, line)
            if not await self.iteration(node.body):
                break

    async def loop_while(self, node: ast.While, line: int) -> None:
        rounds = 0
        while await self.value(node.test):
            rounds += 1
            if rounds > self.limits.max_while:
                raise ProgramLimitError(
                    f"line {line}: the while loop ran {self.limits.max_while} times (its limit)",
                    line,
                )
            if not await self.iteration(node.body):
                break

    async def iteration(self, body: list[ast.stmt]) -> bool:
        """One pass of a loop's body; False when it breaks out."""
        try:
            await self.block(body)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    async def assign(self, target: ast.expr, value: Any, line: int) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
            return
        value = await self.resolve(value)
        if isinstance(target, (ast.Tuple, ast.List)):
            items = self.items(value, line)
            if len(items) != len(target.elts):
                raise self.fail(line, f"{len(target.elts)} names to unpack {len(items)} values")
            for name, item in zip(target.elts, items, strict=True):
                await self.assign(name, item, line)
        elif isinstance(target, ast.Subscript):
            container = await self.value(target.value)
            key = await self.subscript_key(target.slice)
            if not isinstance(container, (list, dict)):
                raise self.fail(line, f"{_kind(container)} cannot be changed")
            self.meter.check_size(value, line)
            container[key] = value
            self.checked(container, line)
        else:
            raise self.fail(line, "cannot assign to that")

    # -- values ----------------------------------------------------------------------
    async def value(self, node: ast.expr) -> Any:
        """The node's value, tool results awaited."""
        return await self.resolve(await self.lazy(node))

    async def lazy(self, node: ast.expr) -> Any:
        """The node's value; a tool call (or a name holding one) may still be running."""
        await self.tick(getattr(node, "lineno", 0))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in self.tools
        ):
            return await self.tool_call(node.func.id, node)
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                known = ", ".join(sorted(self.env)[:12]) or "none"
                raise self.fail(node.lineno, f"name {node.id!r} is not defined (set: {known})")
            return self.env[node.id]
        return await self.evaluate(node)

    async def resolve(self, value: Any) -> Any:
        if not isinstance(value, _Pending):
            return value
        t0 = time.perf_counter()
        try:
            result = await value.task
        finally:
            self.waited += time.perf_counter() - t0
        result = self.checked(result, value.line)
        if value.annotation is not None:
            result = self.coerce(result, value.annotation, value.name, value.line)
        for name, held in list(self.env.items()):
            if held is value:
                self.env[name] = result
        return result

    async def settle(self, *, quiet: bool = False) -> None:
        """Await every variable still holding a running call (the program ended without
        answering: the solver reads them). `quiet`: one that fails is left out."""
        for name, held in list(self.env.items()):
            if not isinstance(held, _Pending):
                continue
            try:
                await self.resolve(held)
            except (ProgramError, PlanError):
                if not quiet:
                    raise
                self.env.pop(name, None)

    async def cancel_pending(self) -> None:
        tasks = [p.task for p in self.pending]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def evaluate(self, node: ast.expr) -> Any:
        line = getattr(node, "lineno", 0)
        handler = _EVALUATORS.get(type(node))
        if handler is None:
            raise self.fail(line, f"{type(node).__name__} is not allowed in a plan")
        return self.checked(await handler(self, node), line)

    async def constant(self, node: ast.Constant) -> Any:
        return node.value

    async def binop_node(self, node: ast.BinOp) -> Any:
        left = await self.value(node.left)
        return self.binop(node.op, left, await self.value(node.right), node.lineno)

    def binop(self, op: ast.operator, a: Any, b: Any, line: int) -> Any:
        """One arithmetic operation, its cost checked first."""
        if isinstance(op, ast.Add) and isinstance(a, _SEQUENCES) and type(a) is type(b):
            self.meter.check_len(len(a) + len(b), line, _what(a))
        elif isinstance(op, ast.Mult):
            seq, times = (a, b) if isinstance(a, _SEQUENCES) else (b, a)
            if isinstance(seq, _SEQUENCES) and isinstance(times, int):
                self.meter.check_len(len(seq) * max(times, 0), line, _what(seq))
                if not isinstance(seq, str):
                    self.meter.check_total(seq, line, times)
        elif isinstance(op, ast.Mod) and isinstance(a, str):
            raise self.fail(line, "% formatting is not allowed; write an f-string")
        elif isinstance(op, ast.Pow):
            self.check_power(a, b, line)
        operation = _BINOPS.get(type(op))
        if operation is None:
            raise self.fail(line, f"the operator {type(op).__name__} is not allowed in a plan")
        try:
            result = operation(a, b)
        except OverflowError as exc:
            raise self.fail(line, f"OverflowError: {exc}") from None
        if isinstance(result, complex):
            raise self.fail(line, "complex numbers are not allowed in a plan")
        return self.checked(result, line)

    def check_power(self, base: Any, exponent: Any, line: int) -> None:
        if not (isinstance(base, int) and isinstance(exponent, int)) or abs(base) <= 1:
            return
        if exponent > 0 and exponent * base.bit_length() > self.limits.max_int_bits:
            raise ProgramLimitError(
                f"line {line}: a {base.bit_length()}-bit integer ** {exponent} would pass "
                f"the integer limit of {self.limits.max_int_bits} bits",
                line,
            )

    async def unary(self, node: ast.UnaryOp) -> Any:
        value = await self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if not isinstance(value, (int, float)):
            raise self.fail(node.lineno, f"bad operand for unary minus: {type(value).__name__}")
        return -value if isinstance(node.op, ast.USub) else +value

    async def boolean(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for part in node.values:
            result = await self.value(part)
            if bool(result) is isinstance(node.op, ast.Or):
                return result
        return result

    async def compare(self, node: ast.Compare) -> Any:
        left = await self.value(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = await self.value(right_node)
            for side in (left, right):
                if isinstance(side, _CONTAINERS):
                    self.meter.check_size(side, node.lineno)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    async def if_expression(self, node: ast.IfExp) -> Any:
        return await self.value(node.body if await self.value(node.test) else node.orelse)

    async def sequence(self, node: ast.List | ast.Tuple) -> Any:
        values = await self.gather([await self.lazy(e) for e in node.elts], node.lineno)
        return tuple(values) if isinstance(node, ast.Tuple) else values

    async def mapping(self, node: ast.Dict) -> Any:
        keys = [await self.value(k) for k in node.keys if k is not None]
        values = await self.gather([await self.lazy(v) for v in node.values], node.lineno)
        return self.new_dict(zip(keys, values, strict=True), node.lineno)

    def new_dict(self, pairs: Iterable[tuple[Any, Any]], line: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in pairs:
            if not isinstance(key, (str, int, float, bool, type(None), tuple)):
                raise self.fail(line, f"{_kind(key)} cannot be a dict key")
            self.meter.check_size(key, line)
            out[key] = value
        self.meter.check_len(len(out), line)
        return out

    async def gather(self, values: list[Any], line: int) -> list[Any]:
        """Values with every running tool call among them awaited, all at once."""
        pending = [v for v in values if isinstance(v, _Pending)]
        if pending:
            t0 = time.perf_counter()
            try:
                await asyncio.gather(*(p.task for p in pending), return_exceptions=True)
            finally:
                self.waited += time.perf_counter() - t0
        out = [await self.resolve(v) for v in values]
        self.meter.check_len(len(out), line)
        if any(isinstance(v, _CONTAINERS) for v in out):
            self.meter.check_total(out, line)
        return out

    async def subscript(self, node: ast.Subscript) -> Any:
        container = await self.value(node.value)
        key = await self.subscript_key(node.slice)
        if isinstance(key, slice):
            if not isinstance(container, (*_SEQUENCES, range)):
                raise self.fail(node.lineno, f"{_kind(container)} cannot be sliced")
        elif not isinstance(container, (*_SEQUENCES, dict, range)):
            raise self.fail(node.lineno, f"{_kind(container)} has no items")
        item = container[key]
        if isinstance(key, slice) and isinstance(item, _SEQUENCES):
            self.meter.allocate(len(item), node.lineno)
        return item

    async def subscript_key(self, node: ast.expr) -> Any:
        if not isinstance(node, ast.Slice):
            return await self.value(node)
        bounds = (node.lower, node.upper, node.step)
        parts = [None if p is None else await self.value(p) for p in bounds]
        if not all(p is None or isinstance(p, int) for p in parts):
            raise self.fail(node.lineno, "slice bounds must be integers")
        return slice(*parts)

    async def comprehension(self, node: ast.ListComp | ast.DictComp | ast.GeneratorExp) -> Any:
        line = node.lineno
        names = {
            n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
        }
        saved = {n: self.env[n] for n in names if n in self.env}
        results: list[Any] = []
        try:  # its loop names are its own, as in Python 3
            await self._generate(node, node.generators, results, line)
        finally:
            for n in names:
                self.env.pop(n, None)
            self.env.update(saved)
        if isinstance(node, ast.DictComp):
            keys = await self.gather([k for k, _ in results], line)
            values = await self.gather([v for _, v in results], line)
            return self.new_dict(zip(keys, values, strict=True), line)
        return await self.gather(results, line)

    async def _generate(
        self,
        node: ast.ListComp | ast.DictComp | ast.GeneratorExp,
        generators: list[ast.comprehension],
        results: list[Any],
        line: int,
    ) -> None:
        first, rest = generators[0], generators[1:]
        for item in self.items(await self.value(first.iter), line):
            await self.assign(first.target, item, line)
            if not all([await self.value(cond) for cond in first.ifs]):
                continue
            if rest:
                await self._generate(node, rest, results, line)
            elif isinstance(node, ast.DictComp):
                results.append((await self.value(node.key), await self.lazy(node.value)))
            else:
                results.append(await self.lazy(node.elt))
            self.meter.check_len(len(results), line)

    async def fstring(self, node: ast.JoinedStr) -> Any:
        parts: list[str] = []
        total = 0
        for part in node.values:
            if isinstance(part, ast.Constant):
                text = str(part.value)
            elif isinstance(part, ast.FormattedValue):
                text = await self.formatted(part)
            else:
                raise self.fail(node.lineno, "an f-string holds text and {values} only")
            total += len(text)
            self.meter.check_len(total, node.lineno, "a string")
            parts.append(text)
        return "".join(parts)

    async def formatted(self, node: ast.FormattedValue) -> str:
        value = await self.value(node.value)
        line = node.lineno
        if node.conversion in (ord("r"), ord("a")):
            self.meter.check_size(value, line)
            value = repr(value) if node.conversion == ord("r") else ascii(value)
        spec = ""
        if isinstance(node.format_spec, ast.JoinedStr):  # checked: constant text, FORMAT_SPEC
            spec = "".join(str(getattr(v, "value", "")) for v in node.format_spec.values)
        if not spec:
            return self.text(value, line)
        self.meter.check_size(value, line)
        return format(value, spec)

    def text(self, value: Any, line: int) -> str:
        """str(value), its size checked first."""
        if isinstance(value, str):
            return value
        self.meter.check_size(value, line)
        out = str(value)
        self.meter.check_len(len(out), line, "a string")
        return out

    def items(self, value: Any, line: int) -> list[Any]:
        """What iterating `value` gives, as a list (a dict gives its keys)."""
        if isinstance(value, dict):
            value = list(value)
        if not isinstance(value, (*_SEQUENCES, range)):
            raise self.fail(line, f"{_kind(value)} cannot be iterated")
        what = "a string" if isinstance(value, str) else "a value"
        self.meter.check_len(len(value), line, what)
        return list(value)

    def coerce(self, value: Any, annotation: ast.expr, name: str, line: int) -> Any:
        """`value` as the type `name` was declared with: numbers read from text, a number
        written as text; anything else that does not fit is the program's error."""
        wanted = _annotation_types(annotation)
        if not wanted or any(_fits(value, t) for t in wanted):
            return value
        if "str" in wanted and isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str) and wanted & {"int", "float"}:
            numbers = _NUMBER.findall(value)
            if len(numbers) == 1 and len(numbers[0]) <= 100:
                number = numbers[0].replace(",", "")
                if "int" in wanted and "." not in number:
                    return self.checked(int(number), line)
                if "float" in wanted:
                    return float(number)
        if "list" in wanted and isinstance(value, tuple):
            return list(value)
        shown = render_value(value, 60)
        declared = ast.unparse(annotation)
        raise self.fail(line, f"{name}: {declared} got {shown} ({type(value).__name__})")

    # -- calls -----------------------------------------------------------------------
    async def call(self, node: ast.Call) -> Any:
        line = node.lineno
        func = node.func
        if isinstance(func, ast.Attribute):
            target = await self.value(func.value)
            args, kwargs = await self.arguments(node)
            return self.method(target, func.attr, args, kwargs, line)
        assert isinstance(func, ast.Name)  # checked
        if func.id in self.tools:
            return await self.resolve(await self.tool_call(func.id, node))
        args, kwargs = await self.arguments(node)
        if func.id == "answer":
            if len(args) != 1 or kwargs:
                raise self.fail(line, "answer() takes one value")
            raise _Answer(args[0], line)
        if func.id == "print":
            if len(self.printed) < self.limits.max_prints:
                self.printed.append(" ".join(self.text(a, line) for a in args))
            return None
        builtin = _BUILTINS.get(func.id)
        if builtin is None:
            raise self.fail(line, f"no function {func.id}()")
        return builtin(self, args, kwargs, line)

    async def arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]]:
        args = []
        for arg in node.args:
            if isinstance(arg, ast.GeneratorExp):  # a lone generator argument: as a list
                args.append(await self.comprehension(arg))
            else:
                args.append(await self.lazy(arg))
        kwargs = {kw.arg: await self.value(kw.value) for kw in node.keywords if kw.arg}
        return await self.gather(args, node.lineno), kwargs

    async def tool_call(self, name: str, node: ast.Call) -> _Pending:
        """Start the call (its arguments may still be running calls) and return at once."""
        line = node.lineno
        self.meter.tool_call(line)
        args = [await self.lazy(a) for a in node.args]
        kwargs = {kw.arg: await self.lazy(kw.value) for kw in node.keywords if kw.arg}
        tool = self.tools[name]

        async def run() -> Any:
            ready = [await _settled(a) for a in args]
            ready_kw = {k: await _settled(v) for k, v in kwargs.items()}
            try:
                return await tool(ready, ready_kw, line)
            except (ProgramError, AgentkitError, asyncio.CancelledError):
                raise
            except _RUNTIME as exc:
                raise self.fail(line, f"{name}: {type(exc).__name__}: {exc}") from None

        pending = _Pending(asyncio.create_task(run()), line)
        self.pending.append(pending)
        return pending

    def method(
        self, target: Any, name: str, args: list[Any], kwargs: dict[str, Any], line: int
    ) -> Any:
        allowed = METHODS.get(type(target), ())
        if name not in allowed:
            raise self.fail(line, f"{_kind(target)} has no method .{name}() here")
        if isinstance(target, str):
            self.check_str_method(target, name, args, line)
        elif name in ("append", "insert"):
            self.meter.check_len(len(target) + 1, line)
        elif name in ("extend", "update"):
            self.meter.check_len(len(target) + len(self.items(args[0], line) if args else ()), line)
        if name in ("sort", "index", "count") and isinstance(target, list):
            self.meter.check_size(target, line)
        for arg in args:
            if isinstance(arg, _CONTAINERS):
                self.meter.check_size(arg, line)
        result = _METHODS[type(target), name](target, *args, **kwargs)
        if name in ("keys", "values", "items"):
            result = list(result)
        if isinstance(result, (str, list)) and result is not target:
            self.meter.allocate(len(result), line)  # what a run builds stays bounded
        return self.checked(result, line)

    def check_str_method(self, text: str, name: str, args: list[Any], line: int) -> None:
        if name == "join" and args:
            parts = self.items(args[0], line)
            size = sum(len(p) for p in parts if isinstance(p, str))
            self.meter.check_len(size + len(text) * max(len(parts) - 1, 0), line, "a string")
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, str) and isinstance(new, str):
                times = text.count(old) if old else len(text) + 1
                if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                    times = min(times, args[2])
                grown = len(text) + times * (len(new) - len(old))
                self.meter.check_len(grown, line, "a string")


async def _settled(value: Any) -> Any:
    """Inside a tool call's task: its argument's value, once an earlier call has produced it."""
    return await value.task if isinstance(value, _Pending) else value


def _kind(value: Any) -> str:
    """ "an int", "a list": a value's type as a message names it."""
    name = "None" if value is None else type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _as_load(target: ast.expr) -> ast.expr:
    """The target of `x += ...` read as a value."""
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(id=target.id, ctx=ast.Load()), target)
    if isinstance(target, ast.Subscript):
        read = ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
        return ast.copy_location(read, target)
    return target


def _what(value: Any) -> str:
    return "a string" if isinstance(value, str) else "a value"


def _annotation_types(node: ast.expr) -> set[str]:
    if isinstance(node, ast.BinOp):
        return _annotation_types(node.left) | _annotation_types(node.right)
    if isinstance(node, ast.Subscript):
        return _annotation_types(node.value)
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Constant) and node.value is None:
        return {"None"}
    return set()


def _fits(value: Any, type_name: str) -> bool:
    if type_name == "None":
        return value is None
    wanted = _TYPES.get(type_name)
    if wanted is None:
        return True
    if type_name in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, wanted)


# -- builtins: each checks what it would build before building it -------------------------
Builtin = Callable[[_Run, list[Any], dict[str, Any], int], Any]


def _no_keywords(name: str, kwargs: dict[str, Any], allowed: tuple[str, ...] = ()) -> None:
    extra = sorted(set(kwargs) - set(allowed))
    if extra:
        raise TypeError(f"{name}() takes no keyword {extra[0]!r} here")


def _arity(name: str, args: list[Any], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise TypeError(f"{name}() takes {low}-{high} arguments ({len(args)} given)")


def _min_max(fn: Callable[..., Any], name: str) -> Builtin:
    def run(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        _no_keywords(name, kwargs)
        _arity(name, args, 1, r.limits.max_items)
        values = r.items(args[0], line) if len(args) == 1 else args
        r.meter.check_size(values, line)
        return fn(values)

    return run


def _b_len(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("len", kwargs)
    _arity("len", args, 1, 1)
    if not isinstance(args[0], (*_SEQUENCES, dict, range)):
        raise TypeError(f"{_kind(args[0])} has no len()")
    return len(args[0])


def _b_sorted(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("sorted", kwargs, ("reverse",))
    _arity("sorted", args, 1, 1)
    values = r.items(args[0], line)
    r.meter.check_size(values, line)
    return sorted(values, reverse=bool(kwargs.get("reverse", False)))


def _b_sum(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("sum", kwargs)
    _arity("sum", args, 1, 2)
    values = r.items(args[0], line)
    start = args[1] if len(args) > 1 else 0
    if not all(isinstance(v, (int, float)) for v in [*values, start]):
        raise TypeError("sum() adds numbers only")
    return r.checked(sum(values, start), line)


def _b_any_all(fn: Callable[[Iterable[Any]], bool], name: str) -> Builtin:
    def run(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        _no_keywords(name, kwargs)
        _arity(name, args, 1, 1)
        return fn(r.items(args[0], line))

    return run


def _b_number(kind: type[int] | type[float]) -> Builtin:
    """int() or float() of a number or of at most 100 characters of text."""
    name = kind.__name__

    def run(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
        _no_keywords(name, kwargs)
        _arity(name, args, 0, 1)
        value = args[0] if args else 0
        if isinstance(value, str) and len(value) > 100:
            raise ValueError(f"{name}() reads at most 100 characters")
        if not isinstance(value, (str, int, float)):
            raise TypeError(f"{name}() cannot read {_kind(value)}")
        return r.checked(kind(value), line)

    return run


def _b_str(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("str", kwargs)
    _arity("str", args, 0, 1)
    return r.text(args[0], line) if args else ""


def _b_bool(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("bool", kwargs)
    _arity("bool", args, 0, 1)
    return bool(args[0]) if args else False


def _b_round(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("round", kwargs, ("ndigits",))
    _arity("round", args, 1, 2)
    digits = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if digits is not None and (not isinstance(digits, int) or abs(digits) > 20):
        raise ValueError("round() takes at most 20 digits")
    if not isinstance(args[0], (int, float)):
        raise TypeError(f"round() cannot round {_kind(args[0])}")
    return round(args[0], digits)


def _b_abs(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("abs", kwargs)
    _arity("abs", args, 1, 1)
    if not isinstance(args[0], (int, float)):
        raise TypeError(f"abs() of {_kind(args[0])}")
    return abs(args[0])


def _b_range(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("range", kwargs)
    _arity("range", args, 1, 3)
    if not all(isinstance(a, int) for a in args):
        raise TypeError("range() takes integers")
    span = range(*args)
    r.meter.check_len(len(span), line)
    return span


def _b_list(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("list", kwargs)
    _arity("list", args, 0, 1)
    return r.items(args[0], line) if args else []


def _b_enumerate(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("enumerate", kwargs, ("start",))
    _arity("enumerate", args, 1, 2)
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if not isinstance(start, int):
        raise TypeError("enumerate() starts at an integer")
    return list(enumerate(r.items(args[0], line), r.checked(start, line)))


def _b_zip(r: _Run, args: list[Any], kwargs: dict[str, Any], line: int) -> Any:
    _no_keywords("zip", kwargs)
    _arity("zip", args, 1, 4)
    return list(zip(*(r.items(a, line) for a in args), strict=False))


# the allowed methods, looked up once by (exact type, name): never getattr on a program value
_METHODS: dict[tuple[type, str], Callable[..., Any]] = {
    (t, name): getattr(t, name) for t, names in METHODS.items() for name in names
}
_BUILTINS: dict[str, Builtin] = {
    "len": _b_len, "min": _min_max(min, "min"), "max": _min_max(max, "max"),
    "sorted": _b_sorted, "sum": _b_sum, "any": _b_any_all(any, "any"),
    "all": _b_any_all(all, "all"), "int": _b_number(int), "float": _b_number(float), "str": _b_str,
    "bool": _b_bool, "round": _b_round, "abs": _b_abs, "range": _b_range, "list": _b_list,
    "enumerate": _b_enumerate, "zip": _b_zip,
}  # fmt: skip

_EVALUATORS: dict[type, Callable[[_Run, Any], Awaitable[Any]]] = {
    ast.Constant: _Run.constant, ast.BinOp: _Run.binop_node,
    ast.UnaryOp: _Run.unary, ast.BoolOp: _Run.boolean, ast.Compare: _Run.compare,
    ast.IfExp: _Run.if_expression, ast.List: _Run.sequence, ast.Tuple: _Run.sequence,
    ast.Dict: _Run.mapping, ast.Subscript: _Run.subscript, ast.ListComp: _Run.comprehension,
    ast.DictComp: _Run.comprehension, ast.GeneratorExp: _Run.comprehension,
    ast.JoinedStr: _Run.fstring, ast.Call: _Run.call,
}  # fmt: skip
