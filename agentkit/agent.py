"""The Agent: one planner, its tools and a budget, answering questions against one LLM.

Every run gets its own run id, budget tracker and step record, so many runs (of one agent or
of several) can share an LLM concurrently; usage comes from the LLM's ledger, filtered by the
run id. A run that cannot finish (budget spent, no usable plan, model errors) returns a result
saying so (`status`, `error_type`, `error`) instead of raising. A run is watched live through
one hook, `run(..., on_event=fn)` (the planners' RunEvent); the trace gets its steps from it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

from agentkit.budget import Budget
from agentkit.errors import (
    BudgetExceededError,
    ConfigError,
    LLMError,
    ServerStartError,
    ServerUnreachableError,
)
from agentkit.ledger import CallRecord, Totals
from agentkit.llm import Model
from agentkit.planners import (
    Planner,
    PlannerError,
    ReWOO,
    RunContext,
    RunEvent,
    Step,
    StepFinished,
)
from agentkit.text import clean_text
from agentkit.tools import Tool, ToolRegistry
from agentkit.trace import TraceWriter


class RunStatus(str, Enum):
    """How a run ended; the exception's class name is in AgentResult.error_type."""

    OK = "ok"
    BUDGET_EXCEEDED = "budget_exceeded"
    PLANNER_ERROR = "planner_error"  # no usable plan, no final answer within max_steps
    MODEL_ERROR = "model_error"  # context window, structured output, retries used up


# Failures of one run: reported in its result (the first matching kind gives the status).
# Others (no server, a wrong setting) would fail every run alike, so they are raised.
RUN_ERRORS: dict[type[Exception], RunStatus] = {
    BudgetExceededError: RunStatus.BUDGET_EXCEEDED,
    PlannerError: RunStatus.PLANNER_ERROR,
    LLMError: RunStatus.MODEL_ERROR,  # context window, structured output, malformed replies
}
EVERY_RUN_ERRORS = (ServerUnreachableError, ServerStartError)


class AgentResult(BaseModel):
    run_id: str
    question: str
    planner: str
    answer: str = ""
    plan: str | None = None
    steps: list[Step] = Field(default_factory=list)
    usage: dict[str, Totals] = Field(default_factory=dict, description="ledger totals per role")
    total: Totals = Field(default_factory=Totals)
    llm_calls: int = 0
    tool_calls: int = 0
    wall_s: float = 0.0
    status: RunStatus = RunStatus.OK
    error_type: str | None = Field(default=None, description="the exception's class name")
    error: str | None = Field(default=None, description='"ErrorType: message", or None if ok')

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.OK


class Agent:
    def __init__(
        self,
        llm: Model,
        planner: Planner | None = None,
        tools: ToolRegistry | Iterable[Tool] = (),
        budget: Budget | None = None,
        trace: TraceWriter | None = None,
        *,
        max_observation_tokens: int | None = 400,
    ) -> None:
        """`budget` applies to each run; `trace` receives this agent's LLM calls, tool steps
        and results as JSON lines; observations of tools without their own cap are cut to
        `max_observation_tokens`."""
        self.llm = llm
        self.planner: Planner = planner or ReWOO()
        self.tools = ToolRegistry.of(tools)
        self.budget = budget
        self.trace = trace
        self.max_observation_tokens = max_observation_tokens
        self._active: set[str] = set()  # runs in flight; finished ones live in the ledger

    async def run(
        self,
        question: str,
        *,
        run_id: str | None = None,
        tools: ToolRegistry | Iterable[Tool] | None = None,
        on_event: Callable[[RunEvent], None] | None = None,
    ) -> AgentResult:
        """Answer one question. `tools` replaces the agent's tools for this run (e.g. a search
        tool over this question's own passages); `on_event` watches it live (see
        agentkit.planners.context: steps starting and finishing, model calls, answer text).
        A cancelled run raises CancelledError; its calls are in the ledger under `run_id`."""
        run_id = run_id or uuid.uuid4().hex[:12]
        question = clean_text(question)  # a lone surrogate could not be tokenized or traced
        if run_id in self._active or self.llm.ledger.records(run_id):
            raise ConfigError(f"run id {run_id!r} was used before; give each run its own id")
        self._active.add(run_id)
        stop = self.llm.ledger.subscribe(self._trace_call(run_id)) if self.trace else None
        try:
            return await self._run(question, run_id, tools, on_event)
        finally:  # nothing of a finished run stays with the agent: no growth in long processes
            self._active.discard(run_id)
            if stop is not None:
                stop()

    async def _run(
        self,
        question: str,
        run_id: str,
        tools: ToolRegistry | Iterable[Tool] | None,
        on_event: Callable[[RunEvent], None] | None,
    ) -> AgentResult:
        await self.llm.ensure_ready()
        ctx = RunContext(
            llm=self.llm,
            run_id=run_id,
            budget=self.budget.tracker() if self.budget else None,
            max_observation_tokens=self.max_observation_tokens,
            tools=self.tools if tools is None else ToolRegistry.of(tools),
            on_event=self._listener(run_id, on_event),
        )
        result = AgentResult(run_id=run_id, question=question, planner=self.planner.name)
        t0 = time.perf_counter()
        try:
            out = await self.planner.run(question, ctx)
            result.answer, result.plan = out.answer, out.plan
        except tuple(RUN_ERRORS) as exc:
            if isinstance(exc, EVERY_RUN_ERRORS):
                raise
            result.status = next(s for kind, s in RUN_ERRORS.items() if isinstance(exc, kind))
            result.error_type = type(exc).__name__
            result.error = f"{result.error_type}: {exc}"
        result.wall_s = time.perf_counter() - t0
        result.steps = sorted(ctx.steps, key=lambda s: s.id)
        result.usage = self.llm.ledger.by("role", run=run_id)
        result.total = self.llm.ledger.total(run=run_id)
        result.llm_calls = result.total.calls
        result.tool_calls = sum(1 for s in ctx.steps if s.tool)
        if self.trace is not None:
            self.trace.write({"kind": "agent_result", **result.model_dump(mode="json")})
        return result

    def run_sync(self, question: str, **kwargs: Any) -> AgentResult:
        """`run` from synchronous code (scripts, notebooks), on the LLM's background loop."""
        return self.llm.run_sync(self.run(question, **kwargs))

    def _trace_call(self, run_id: str) -> Callable[[CallRecord, dict[str, Any]], None]:
        trace = self.trace
        assert trace is not None

        def write(record: CallRecord, detail: dict[str, Any]) -> None:
            if record.labels.run == run_id:
                trace.on_call(record, detail)

        return write

    def _listener(
        self, run_id: str, on_event: Callable[[RunEvent], None] | None
    ) -> Callable[[RunEvent], None] | None:
        """The run's one event hook: the trace's tool steps, then the caller's listener."""
        trace = self.trace
        if trace is None:
            return on_event

        def listen(event: RunEvent) -> None:
            if isinstance(event, StepFinished):
                step = event.step.model_dump(mode="json")
                trace.write({"kind": "tool_step", "run": run_id, **step})
            if on_event is not None:
                on_event(event)

        return listen
