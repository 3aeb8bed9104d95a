"""The `calculator` tool: arithmetic by walking a parsed syntax tree, never eval/exec.

Only numbers, + - * / // % **, unary signs and parentheses are allowed; anything else
(names, attributes, calls, subscripts) is rejected with a message saying so.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable

from agentkit.tools.tool import Tool

MAX_DIGITS = 10_000  # refuse powers whose result would be larger than this
MAX_LENGTH = 1_000

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def evaluate(expression: str) -> int | float:
    """Value of an arithmetic expression; ValueError/ZeroDivisionError say what is wrong."""
    if len(expression) > MAX_LENGTH:
        raise ValueError(f"expression is longer than {MAX_LENGTH} characters")
    text = _THOUSANDS.sub("", expression.strip()).replace("^", "**")
    try:
        return _eval(ast.parse(text, mode="eval").body)
    except SyntaxError as exc:
        raise ValueError(f"not an arithmetic expression: {expression!r:.80}") from exc
    except (RecursionError, MemoryError) as exc:  # the parser's or our own recursion
        raise ValueError("expression is nested too deeply") from exc


def _eval(node: ast.expr) -> int | float:
    value = node.value if isinstance(node, ast.Constant) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(_eval(node.left), _eval(node.right))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left), _eval(node.right))
    raise ValueError(
        f"{_describe(node)} not allowed: use numbers, + - * / // % ** and parentheses only"
    )


def _power(base: float, exp: float) -> float:
    if abs(base) > 1 and exp > 0 and exp * math.log10(abs(base)) > MAX_DIGITS:
        raise ValueError(f"result of {base!r} ** {exp!r} would exceed {MAX_DIGITS} digits")
    return base**exp


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return f"names such as {node.id!r} are"
    if isinstance(node, ast.Attribute):
        return "attribute access is"
    if isinstance(node, ast.Call):
        return "function calls are"
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r} is"
    return f"{type(node).__name__} is"


def _format(value: int | float) -> str:
    if isinstance(value, float):
        return format(value, ".12g")
    return str(value)


def calculator_tool(*, name: str = "calculator") -> Tool:
    def calculator(expression: str) -> str:
        return _format(evaluate(expression))

    return Tool(calculator, name=name, description="arithmetic on numbers, e.g. (1998 - 1971) / 2")
