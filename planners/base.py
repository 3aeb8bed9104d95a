"""What every planner implements, and what it may fail with."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from agentkit.errors import AgentkitError
from agentkit.planners.context import RunContext


class PlannerError(AgentkitError):
    """A planner could not reach an answer (its Agent reports this in the result)."""


class PlanError(PlannerError, ValueError):
    """A plan could not be read or run as written (no steps, a step used before it exists...)."""


class PlannerOutput(BaseModel):
    answer: str
    plan: str | None = None


@runtime_checkable
class Planner(Protocol):
    """Answers one question. Model calls go through `ctx.generate`, tool calls through
    `ctx.call_tool`, so usage and steps are recorded for the run."""

    name: str

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput: ...
