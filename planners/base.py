"""What every planner implements. Its errors (PlannerError, PlanError) live in agentkit.errors."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from agentkit.errors import PlanError, PlannerError
from agentkit.planners.context import RunContext

__all__ = ["PlanError", "Planner", "PlannerError", "PlannerOutput"]


class PlannerOutput(BaseModel):
    answer: str
    plan: str | None = None


@runtime_checkable
class Planner(Protocol):
    """Answers one question. Model calls go through `ctx.generate`, tool calls through
    `ctx.call_tool`, so usage and steps are recorded for the run. A planner whose prompt has
    worked examples may set `takes_examples = True`: a memory's recalled examples then reach
    it as `ctx.examples`, to show instead of its own, rather than as notes."""

    name: str

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput: ...
