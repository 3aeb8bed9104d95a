"""The `calculator` tool: arithmetic by walking a parsed syntax tree, never eval/exec.

Only numbers, + - * / // % **, unary signs and parentheses are allowed; anything else
(names, attributes, calls, subscripts) is rejected with a message saying so. Results are
real, finite and at most MAX_DIGITS digits long, and every operation is checked before it
runs, so no input makes it compute for long or fail with anything but ValueError or
ZeroDivisionError.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable

from agentkit.tools.tool import Tool

MAX_DIGITS = 4_000  # below Python's 4,300-digit limit on printing integers
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
# 1,234,567 is a number written with thousands separators; 3,141 or (1,234) could be a
# decimal comma or two numbers, so one separator alone is refused as ambiguous.
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,])")
_COMMA = re.compile(r"\d,\d")


def evaluate(expression: str) -> int | float:
    """Value of an arithmetic expression; ValueError/ZeroDivisionError say what is wrong."""
    if len(expression) > MAX_LENGTH:
        raise ValueError(f"expression is longer than {MAX_LENGTH} characters")
    text = _GROUPED.sub(lambda m: m.group(0).replace(",", ""), expression.strip())
    ambiguous = _COMMA.search(text)
    if ambiguous:
        raise ValueError(
            f"{ambiguous.group(0)!r} is ambiguous: write numbers without a comma "
            "(3141 or 3.141), or with all their thousands separators (1,234,567)"
        )
    text = text.replace("^", "**")
    try:
        value = _eval(ast.parse(text, mode="eval").body)
    except SyntaxError as exc:
        raise ValueError(f"not an arithmetic expression: {expression!r:.80}") from exc
    except (RecursionError, MemoryError) as exc:  # the parser's or our own recursion
        raise ValueError("expression is nested too deeply") from exc
    except (OverflowError, TypeError) as exc:
        raise ValueError(f"cannot compute this: {exc}") from exc
    return _checked(value)


def _eval(node: ast.expr) -> int | float:
    value = node.value if isinstance(node, ast.Constant) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _checked(_power(_eval(node.left), _eval(node.right)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Mult) and _digits(left) + _digits(right) > MAX_DIGITS + 1:
            raise ValueError(f"the product would exceed {MAX_DIGITS} digits")
        return _checked(_BINARY[type(node.op)](left, right))
    raise ValueError(
        f"{_describe(node)} not allowed: use numbers, + - * / // % ** and parentheses only"
    )


def _digits(value: float) -> int:
    """Decimal digits of an integer's magnitude (floats are bounded by the float type)."""
    return int(abs(value).bit_length() * math.log10(2)) + 1 if isinstance(value, int) else 1


def _checked(value: object) -> int | float:
    """Refuse what is not a finite real number of at most MAX_DIGITS digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the result is not a real number ({type(value).__name__})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("the result is too large for a number (overflow)")
    if _digits(value) > MAX_DIGITS:
        raise ValueError(f"the result would exceed {MAX_DIGITS} digits")
    return value


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
