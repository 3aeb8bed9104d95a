"""One run's context: the tool context plus the run's tools, its step record and its events.

Planners stay small because everything a run shares (model, budget, labels, tools, steps)
lives here. `on_event` is the one hook for watching a run live (a terminal session, a
trace): it sees each tool step start and finish, each model call return, and the text of
the answer as it streams. Listening changes no prompt: only a "solver" call's reply then
arrives in pieces (`on_token`) instead of whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, computed_field

from agentkit.llm.model import Prompt
from agentkit.tools import Observation, ToolContext, ToolRegistry
from agentkit.types import CallLabels, Completion, Usage

if TYPE_CHECKING:
    from agentkit.planners.routing.record import RoutingRecord

STREAMED_ROLES = ("solver",)
"""Roles whose calls stream their text to a listener (AnswerToken): the final answer."""


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


@dataclass(frozen=True)
class StepStarted:
    """A tool is about to run as step `step` (a step recorded without running, e.g. a
    repeated call, has no start)."""

    step: int
    tool: str
    input: str
    note: str | None = None


@dataclass(frozen=True)
class StepFinished:
    step: Step


@dataclass(frozen=True)
class CallFinished:
    """A model call of the run returned; a call with role "planner" wrote the plan."""

    labels: CallLabels
    text: str
    usage: Usage
    latency_s: float


@dataclass(frozen=True)
class AnswerToken:
    """A piece of a streamed call's reply (see STREAMED_ROLES), as it arrives."""

    labels: CallLabels
    text: str


@dataclass(frozen=True)
class Routed:
    """A router chose what a role reads (agentkit.planners.routing): the record says what
    and why."""

    record: RoutingRecord


RunEvent = StepStarted | StepFinished | CallFinished | AnswerToken | Routed
"""What `RunContext.on_event` is told, on the run's event loop; a listener must not raise."""


@dataclass(frozen=True, kw_only=True)
class RunContext(ToolContext):
    tools: ToolRegistry = field(default_factory=ToolRegistry)
    steps: list[Step] = field(default_factory=list)
    on_event: Callable[[RunEvent], None] | None = None
    notes: str = ""
    """What a memory recalled for this run (agentkit.memory.learned), ready to read."""
    examples: str = ""
    """Worked examples a memory recalled, for a planner that shows them in place of its own
    (one whose `takes_examples` is true); empty otherwise."""
    routing: list[RoutingRecord] = field(default_factory=list)
    """What a router gave each role, in order (empty without a router)."""

    def with_notes(self, prompt: str) -> str:
        """A planner prompt with the run's memory notes before it (unchanged without notes):
        planners call this where they render their plan prompt, and need no placeholder."""
        return f"{self.notes.rstrip()}\n\n{prompt}" if self.notes.strip() else prompt

    def emit(self, event: RunEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    async def generate(
        self, prompt: Prompt, *, purpose: str = "", role: str | None = None, **kwargs: Any
    ) -> Completion:
        """As ToolContext.generate, also telling the model this run's tools (`tools=` given
        explicitly wins, e.g. `tools=()` for a call that must not call any)."""
        kwargs.setdefault("tools", [t.spec for t in self.tools])
        listen = self.on_event
        labels = self.labels(purpose, role=role)
        if listen is not None and labels.role in STREAMED_ROLES and "on_token" not in kwargs:
            kwargs["on_token"] = lambda text: listen(AnswerToken(labels=labels, text=text))
        reply = await super().generate(prompt, purpose=purpose, role=role, **kwargs)
        self.emit(CallFinished(reply.labels, reply.text, reply.usage, reply.latency_s))
        return reply

    async def call_tool(
        self, step: int, tool: str, tool_input: str, note: str | None = None
    ) -> Step:
        """Run a tool as step `step` (its LLM calls are labelled with it) and record it."""
        self.emit(StepStarted(step=step, tool=tool, input=tool_input, note=note))
        obs = await self.tools.call(tool, tool_input, self.at(step))
        return self.record(Step(id=step, tool=tool, input=tool_input, observation=obs, note=note))

    def record(self, step: Step) -> Step:
        self.steps.append(step)
        self.emit(StepFinished(step))
        return step
