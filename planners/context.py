"""One run's context: the tool context plus the run's tools and its step record.

Planners stay small because everything a run shares (model, budget, labels, tools, steps)
lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, computed_field

from agentkit.llm.model import Prompt
from agentkit.tools import Observation, ToolContext, ToolRegistry
from agentkit.types import Completion


class Step(BaseModel):
    """One tool call of a run. `note` is ReWOO's plan line or ReAct's thought."""

    id: int
    tool: str
    input: str
    observation: Observation
    note: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.observation.ok


@dataclass(frozen=True, kw_only=True)
class RunContext(ToolContext):
    tools: ToolRegistry = field(default_factory=ToolRegistry)
    steps: list[Step] = field(default_factory=list)
    on_step: Callable[[Step], None] | None = None

    async def generate(
        self, prompt: Prompt, *, purpose: str = "", role: str | None = None, **kwargs: Any
    ) -> Completion:
        """As ToolContext.generate, also telling the model this run's tools (`tools=` given
        explicitly wins, e.g. `tools=()` for a call that must not call any)."""
        kwargs.setdefault("tools", [t.spec for t in self.tools])
        return await super().generate(prompt, purpose=purpose, role=role, **kwargs)

    async def call_tool(
        self, step: int, tool: str, tool_input: str, note: str | None = None
    ) -> Step:
        """Run a tool as step `step` (its LLM calls are labelled with it) and record it."""
        obs = await self.tools.call(tool, tool_input, self.at(step))
        return self.record(Step(id=step, tool=tool, input=tool_input, observation=obs, note=note))

    def record(self, step: Step) -> Step:
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        return step
