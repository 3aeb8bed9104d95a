"""What one CodeAgents program may use: every limit is checked before the work it bounds
(a string repeated a billion times is refused, not built), and a refusal names the line.

Sizes are counted in "units": a character of a string, an element of a container (deep:
a list holding a 1,000-character string is 1,001 units). `max_alloc` bounds what a whole
run builds, so memory stays bounded however the program loops.
"""

from __future__ import annotations

from typing import Any

from agentkit.errors import ProgramLimitError
from agentkit.planners.settings import ProgramLimits

__all__ = ["Meter", "ProgramLimits", "deep_size"]


def deep_size(value: Any, cap: int) -> int:
    """Units in `value`, counting a shared element each time it appears (that is what a
    comparison or str() walks); stops counting just past `cap`."""
    total, stack = 0, [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v) + 1
        elif isinstance(v, (list, tuple)):
            total += 1
            stack.extend(v)
        elif isinstance(v, dict):
            total += 1
            stack.extend(v.keys())
            stack.extend(v.values())
        else:
            total += 1
        if total > cap:
            return total
    return total


class Meter:
    """One run's counters against its limits; each `check_*` raises ProgramLimitError."""

    def __init__(self, limits: ProgramLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.allocated = 0
        self.tool_calls = 0

    def step(self, line: int) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise ProgramLimitError(
                f"line {line}: the program ran {self.limits.max_steps} steps (its limit)", line
            )

    def allocate(self, units: int, line: int) -> None:
        self.allocated += units
        if self.allocated > self.limits.max_alloc:
            raise ProgramLimitError(
                f"line {line}: the program built more than {self.limits.max_alloc} units of "
                "data (its limit)",
                line,
            )

    def check_len(self, n: int, line: int, what: str = "a value") -> None:
        """Before building a string or container of `n` elements."""
        limit = self.limits.max_str if what == "a string" else self.limits.max_items
        if n > limit:
            raise ProgramLimitError(
                f"line {line}: {what} of {n} {'characters' if what == 'a string' else 'items'} "
                f"would pass the limit of {limit}",
                line,
            )
        self.allocate(n, line)

    def check_size(self, value: Any, line: int) -> None:
        """Before a deep operation (compare, str, sort, hash) or storing a container."""
        size = deep_size(value, self.limits.max_size)
        if size > self.limits.max_size:
            raise ProgramLimitError(
                f"line {line}: a value of more than {self.limits.max_size} units passes the "
                "size limit",
                line,
            )

    def check_total(self, value: Any, line: int, times: float = 1.0) -> None:
        """Before building a container of `value`'s elements (`times` over)."""
        cap = self.limits.max_size
        if deep_size(value, cap) * times > cap:
            raise ProgramLimitError(
                f"line {line}: that would build a value of more than {cap} units (the limit)",
                line,
            )

    def check_int(self, value: int, line: int) -> None:
        if value.bit_length() > self.limits.max_int_bits:
            raise ProgramLimitError(
                f"line {line}: an integer of more than {self.limits.max_int_bits} bits passes "
                "the limit",
                line,
            )

    def tool_call(self, line: int) -> None:
        self.tool_calls += 1
        if self.tool_calls > self.limits.max_tool_calls:
            raise ProgramLimitError(
                f"line {line}: more than {self.limits.max_tool_calls} tool calls (the limit)",
                line,
            )
