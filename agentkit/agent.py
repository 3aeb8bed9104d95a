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
from pathlib import Path
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
from agentkit.memory.learned import Episode, LearnReport, Memory, Recall
from agentkit.planners import (
    Planner,
    PlannerError,
    ReWOO,
    Routed,
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


class MemoryUse(BaseModel):
    """What a memory gave a run: the items injected (ids, names), those dropped to fit the
    cap, the names the plan cited, and the notes' tokens (counted with the model's
    tokenizer; they are part of the planner's prompt tokens, reported apart as role
    "memory")."""

    items: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)
    cited: list[str] = Field(default_factory=list)
    tokens: int = 0
    retrieval_ms: float = 0.0

    @classmethod
    def of(cls, recall: Recall, plan: str | None) -> MemoryUse:
        return cls(
            items=[c.id for c in recall.items],
            names=recall.names,
            dropped=[c.id for c in recall.dropped],
            cited=recall.cited_in(plan),
            tokens=recall.tokens,
            retrieval_ms=round(recall.retrieval_ms, 2),
        )


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
    memory: MemoryUse | None = Field(default=None, description="what the agent's memory gave")

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
        memory: Memory | None = None,
    ) -> None:
        """`budget` applies to each run; `trace` receives this agent's LLM calls, tool steps
        and results as JSON lines; observations of tools without their own cap are cut to
        `max_observation_tokens`. `memory` (agentkit.memory.learned: Handbook(store), ...)
        is recalled for every run, its notes put before the planner's prompt within the
        memory's cap (worked examples in place of the planner's own, when it takes them);
        `learn(result)` teaches it from a finished run."""
        self.llm = llm
        self.planner: Planner = planner or ReWOO()
        self.tools = ToolRegistry.of(tools)
        self.budget = budget
        self.trace = trace
        self.max_observation_tokens = max_observation_tokens
        self.memory = memory
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
        recall = await self._recall(question, run_id)
        ctx = RunContext(
            llm=self.llm,
            run_id=run_id,
            budget=self.budget.tracker() if self.budget else None,
            max_observation_tokens=self.max_observation_tokens,
            tools=self.tools if tools is None else ToolRegistry.of(tools),
            on_event=self._listener(run_id, on_event),
            notes=recall.text if recall else "",
            examples=recall.examples if recall else "",
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
        if recall is not None and self.memory is not None:
            result.memory = MemoryUse.of(recall, result.plan)
            self.memory.mark_used(recall, result.memory.cited)
        if self.trace is not None:
            self.trace.write({"kind": "agent_result", **result.model_dump(mode="json")})
        return result

    async def _recall(self, question: str, run_id: str) -> Recall | None:
        if self.memory is None:
            return None
        limits = self.budget.run if self.budget else None
        limit = limits and (limits.input_tokens or limits.total_tokens)
        takes = getattr(self.planner, "takes_examples", False)  # see Planner
        return await self.memory.recall(
            question, self.llm, run_id=run_id, run_limit=limit, examples=takes
        )

    async def learn(self, result: AgentResult, *, gold: str | None = None) -> LearnReport:
        """Teach the memory from a finished run (`gold`: the reference answer, for a
        GoldJudge). Learning calls are labelled run `learn-<run id>`, role "memory"."""
        if self.memory is None:
            raise ConfigError("this agent has no memory; give Agent(..., memory=...)")
        episode = Episode.from_record(result.model_dump(mode="json"), gold=gold)
        return await self.memory.learn(episode, self.llm)

    async def learn_file(self, path: str | Path) -> list[LearnReport]:
        """Teach the memory from a JSONL of past runs (a trace, or `agentkit eval` results)."""
        if self.memory is None:
            raise ConfigError("this agent has no memory; give Agent(..., memory=...)")
        return await self.memory.learn_file(path, self.llm)

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
            elif isinstance(event, Routed):  # what a router gave a role, and why
                record = event.record.model_dump(mode="json")
                trace.write({"kind": "routing", "run": run_id, **record})
            if on_event is not None:
                on_event(event)

        return listen
