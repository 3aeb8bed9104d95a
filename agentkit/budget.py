"""Hard budgets checked *before* a call, so a run never spends more than it was given.

A call is admitted only if its worst case (counted prompt tokens + max_tokens) fits what
is left; its actual usage is then settled. Concurrent calls each reserve their worst case,
so the guarantee holds when a planner fans out.
"""

from __future__ import annotations

import threading
import time

from pydantic import BaseModel, ConfigDict, field_validator

from agentkit.errors import BudgetExceededError
from agentkit.types import Usage


class Limits(BaseModel):
    """Upper bounds; None means unlimited. Zero is rejected: leave a field unset instead."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    requests: int | None = None
    wall_time_s: float | None = None

    @field_validator("*")
    @classmethod
    def _positive(cls, v: float | None, info: object) -> float | None:
        if v is not None and v <= 0:
            name = getattr(info, "field_name", "limit")
            raise ValueError(
                f"{name} must be positive (got {v}); leave it unset (None) for no limit"
            )
        return v


class Budget(BaseModel):
    """Limits for each single call and for a whole run."""

    model_config = ConfigDict(frozen=True)

    call: Limits = Limits()
    run: Limits = Limits()

    def tracker(self) -> BudgetTracker:
        return BudgetTracker(self)


class Reservation(BaseModel):
    input_tokens: int
    output_tokens: int


class BudgetTracker:
    """Spending against one Budget during one run."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.spent = Usage()
        self.requests = 0
        self.started = time.monotonic()
        self._reserved_in = 0
        self._reserved_out = 0
        self._lock = threading.Lock()

    def reserve(self, prompt_tokens: int, max_tokens: int) -> Reservation:
        """Admit a call or raise BudgetExceededError saying what was spent."""
        call, run = self.budget.call, self.budget.run
        _check("per-call input_tokens", call.input_tokens, 0, prompt_tokens)
        _check("per-call output_tokens (max_tokens)", call.output_tokens, 0, max_tokens)
        _check("per-call total_tokens", call.total_tokens, 0, prompt_tokens + max_tokens)
        with self._lock:
            used_in = self.spent.prompt_tokens + self._reserved_in
            used_out = self.spent.completion_tokens + self._reserved_out
            _check("run input_tokens", run.input_tokens, used_in, prompt_tokens)
            _check("run output_tokens", run.output_tokens, used_out, max_tokens)
            used, wanted = used_in + used_out, prompt_tokens + max_tokens
            _check("run total_tokens", run.total_tokens, used, wanted)
            if run.requests is not None and self.requests + 1 > run.requests:
                raise BudgetExceededError(
                    f"run requests limit {run.requests} reached ({self.requests} calls made)"
                )
            elapsed = time.monotonic() - self.started
            if run.wall_time_s is not None and elapsed >= run.wall_time_s:
                raise BudgetExceededError(
                    f"run wall_time_s limit {run.wall_time_s:g}s reached ({elapsed:.1f}s elapsed)"
                )
            self.requests += 1
            self._reserved_in += prompt_tokens
            self._reserved_out += max_tokens
        return Reservation(input_tokens=prompt_tokens, output_tokens=max_tokens)

    def settle(self, reservation: Reservation, usage: Usage | None) -> None:
        """Replace a reservation with what the engine actually reported (None: call failed)."""
        with self._lock:
            self._reserved_in -= reservation.input_tokens
            self._reserved_out -= reservation.output_tokens
            if usage is not None:
                self.spent = self.spent + usage

    def call_timeout(self) -> float | None:
        return self.budget.call.wall_time_s


def _check(what: str, limit: int | None, used: int, wanted: int) -> None:
    if limit is not None and used + wanted > limit:
        raise BudgetExceededError(
            f"{what} limit is {limit}: {used} already spent or reserved, this call needs up to "
            f"{wanted} more. Raise the limit or lower max_tokens / shorten the prompt."
        )
