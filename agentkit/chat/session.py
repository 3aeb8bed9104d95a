"""A terminal session with one agent: turns, their cost, the conversation they build, and
cancelling a turn without losing the session.

A turn runs as its own task, so Ctrl-C (`interrupt`) cancels just that task: the calls in
flight are cancelled with it and the model still records what they cost (ModelBase), so
the turn's meter and the session total include them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from rich.console import Console
from rich.text import Text

from agentkit.agent import Agent, AgentResult
from agentkit.chat.config import ChatConfig
from agentkit.chat.conversation import Context, Conversation, Turn
from agentkit.chat.index import DocIndex
from agentkit.chat.memory import ChatMemory
from agentkit.chat.setup import make_planner, make_tools, new_trace_path
from agentkit.chat.view import TurnView, meter
from agentkit.errors import ConfigError
from agentkit.ledger import Totals
from agentkit.llm import Model
from agentkit.trace import TraceWriter

SAVE_FORMAT = 1


class TurnReport(BaseModel):
    run_id: str
    question: str
    context: Context
    result: AgentResult | None = Field(default=None, description="None: cancelled")
    usage: dict[str, Totals] = Field(default_factory=dict, description="by role")
    total: Totals = Field(default_factory=Totals)
    wall_s: float = 0.0
    recalled: list[str] = Field(default_factory=list)
    learned: list[str] = Field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.result is None

    def to_json(self) -> dict[str, Any]:
        """The agent's result (a cancelled turn: what it spent), plus the context used."""
        if self.result is not None:
            data = self.result.model_dump(mode="json")
        else:
            data = {
                "run_id": self.run_id,
                "status": "cancelled",
                "usage": {role: t.model_dump(mode="json") for role, t in self.usage.items()},
                "total": self.total.model_dump(mode="json"),
                "wall_s": self.wall_s,
            }
        return {**data, "question": self.question, "context": self.context.model_dump()}


class ChatSession:
    def __init__(
        self,
        config: ChatConfig,
        llm: Model,
        *,
        console: Console,
        docs: DocIndex | None = None,
        memory: ChatMemory | None = None,
        trace_path: Path | None = None,
    ) -> None:
        self.config = config
        self.llm = llm
        self.console = console
        self.docs = docs
        self.memory = memory
        self.conversation = Conversation(config.history_tokens)
        self.trace = TraceWriter(trace_path or new_trace_path())
        self.turns: list[TurnReport] = []
        self.session = Totals()
        self.agent = self._agent(config)
        self._task: asyncio.Task[AgentResult] | None = None
        self._interrupted = False

    def _agent(self, config: ChatConfig) -> Agent:
        planner = make_planner(config.planner, self.docs)
        tools = make_tools(config.tool_names, self.docs)
        return Agent(self.llm, planner, tools, config.run_budget(), self.trace)

    def reconfigure(self, **changes: Any) -> None:
        """A new agent for changed settings (/planner, /budget); a bad one changes nothing."""
        config = ChatConfig.validated(**{**self.config.model_dump(), **changes})
        self.agent = self._agent(config)
        self.config = config

    async def start(self) -> None:
        """Reach the model once (a server: its context window and tokenizer)."""
        await self.llm.ensure_ready()

    def count(self, text: str) -> int:
        return self.llm.tokenizer.count_text(text)

    # -- turns ----------------------------------------------------------------------------
    async def turn(self, question: str, *, show: bool = True) -> TurnReport:
        """Run one question through the agent, live on screen when `show`."""
        run_id = uuid.uuid4().hex[:12]
        recalled = self.memory.recall(question) if self.memory else []
        context = self.conversation.context(question, self.count, recalled)
        view = TurnView(self.console, self.count) if show else None
        t0 = time.perf_counter()
        self._interrupted = False
        self._task = asyncio.create_task(
            self.agent.run(context.question, run_id=run_id, on_event=view)
        )
        result: AgentResult | None = None
        try:
            with view or contextlib.nullcontext():
                result = await self._task
        except asyncio.CancelledError:
            if not self._interrupted:  # cancelled from outside, not by Ctrl-C: pass it on
                raise
        finally:
            self._task = None
        report = TurnReport(
            run_id=run_id,
            question=question,
            context=context,
            result=result,
            usage=self.llm.ledger.by("role", run=run_id),
            total=self.llm.ledger.total(run=run_id),
            wall_s=time.perf_counter() - t0,
            recalled=recalled,
        )
        if result is not None and result.ok:
            self.conversation.add(question, result.answer)
            report.learned = self.memory.learn(question, result.answer) if self.memory else []
        self.session.merge(report.total)
        self.turns.append(report)
        if show:
            self.show(report)
        return report

    def interrupt(self) -> bool:
        """Cancel the running turn (Ctrl-C); False when none runs."""
        if self._task is None or self._task.done():
            return False
        self._interrupted = True
        self._task.cancel()
        return True

    def show(self, report: TurnReport) -> None:
        out, result = self.console, report.result
        if result is None:
            out.print("[yellow]cancelled[/]: the calls in flight were stopped; they are counted")
        elif not result.ok:
            out.print(Text(f"{result.status.value}: {result.error}", style="red"))
        else:
            out.print(Text.assemble(("answer ", "bold green"), (result.answer, "bold")))
        for title, notes in (("recalled", report.recalled), ("learned", report.learned)):
            for note in notes:
                out.print(Text(f"  {title}: {note}", style="blue"))
        turns = f"{len(self.turns)} turn{'s' if len(self.turns) != 1 else ''}"
        out.print(meter(report.usage, report.total, self.config.budget, self.session, turns))
        ctx = report.context
        if ctx.kept or ctx.dropped:
            out.print(
                Text(
                    f"context: {ctx.kept} earlier turns kept ({ctx.tokens} tokens of "
                    f"{self.config.history_tokens}), {ctx.dropped} dropped",
                    style="dim",
                )
            )

    # -- saving ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        data = {
            "agentkit_chat": SAVE_FORMAT,
            "config": self.config.model_dump(mode="json"),
            "conversation": [t.model_dump() for t in self.conversation.turns],
            "turns": [t.model_dump(mode="json") for t in self.turns],
            "session": self.session.model_dump(mode="json"),
        }
        try:
            path.expanduser().write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ConfigError(f"cannot save to {path}: {exc.strerror or exc}") from None

    def load(self, path: Path) -> int:
        """Take a saved conversation as this session's context; how many turns it holds."""
        try:
            data = json.loads(path.expanduser().read_text(encoding="utf-8"))
            turns = [Turn.model_validate(t) for t in data["conversation"]]
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError, ValidationError):
            raise ConfigError(f"{path} is not a saved agentkit chat (see /save)") from None
        self.conversation.turns = turns
        return len(turns)
