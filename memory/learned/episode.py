"""The one thing learning reads: a finished run as an Episode, from a result or a JSONL line.

The memory layer cannot import the Agent, so an episode is built from plain data: an
AgentResult dumped to a dict, a trace's `agent_result` line, or a line of the per-question
JSONL that `agentkit eval` writes (question, prediction, gold, plan). Tool observations are
kept short: learning needs what was done and whether it worked, not the passages read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agentkit.errors import ConfigError

log = logging.getLogger(__name__)

_OBSERVATION_CHARS = 160


class Episode(BaseModel):
    """A finished run: what was asked, what the agent did and answered, how it ended."""

    question: str
    answer: str = ""
    plan: str | None = None
    steps: list[str] = Field(default_factory=list, description="one line per tool call")
    ok: bool = Field(default=True, description="the run finished without an error")
    error: str | None = None
    run_id: str = ""
    question_id: str = ""
    gold: str | None = Field(default=None, description="the reference answer, when known")
    score: float | None = Field(default=None, description="a score against gold already made")
    used: list[str] = Field(default_factory=list, description="memory items injected into it")
    cited: list[str] = Field(default_factory=list, description="item names its plan named")

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, gold: str | None = None) -> Episode:
        """An AgentResult's dump, a trace `agent_result` line or an eval JSONL line."""
        if "question" not in record:
            raise ConfigError("a run record needs at least a 'question'")
        memory = record.get("memory") or {}
        return cls(
            question=str(record["question"]),
            answer=str(record.get("answer", record.get("prediction", "")) or ""),
            plan=record.get("plan"),
            steps=[_step_line(s) for s in record.get("steps") or [] if isinstance(s, Mapping)],
            ok=record.get("error") is None and record.get("status", "ok") == "ok",
            error=record.get("error"),
            run_id=str(record.get("run_id", record.get("run", "")) or ""),
            question_id=str(record.get("id", "") or ""),
            gold=gold if gold is not None else record.get("gold"),
            score=record.get("f1"),
            used=list(memory.get("items", [])),
            cited=list(memory.get("cited", [])),
        )

    def render(self, max_chars: int = 2_000) -> str:
        """The run as a distiller reads it: question, plan, tool steps, answer, error."""
        parts = [f"Question: {self.question}"]
        if self.plan:
            parts.append(f"Plan:\n{self.plan.strip()}")
        if self.steps:
            parts.append("Steps:\n" + "\n".join(self.steps))
        parts.append(f"Answer: {self.answer or '(none)'}")
        if self.error:
            parts.append(f"Error: {self.error}")
        text = "\n".join(parts)
        return text if len(text) <= max_chars else text[: max_chars - 3] + "..."


def _step_line(step: Mapping[str, Any]) -> str:
    obs = step.get("observation") or {}
    text = " ".join(str(obs.get("text", "")).split())
    if len(text) > _OBSERVATION_CHARS:
        text = text[: _OBSERVATION_CHARS - 3] + "..."
    status = "" if obs.get("ok", True) else " (failed)"
    return f"{step.get('tool')}[{step.get('input')}]{status} -> {text}"


def read_episodes(path: str | Path) -> Iterator[Episode]:
    """The runs in a JSONL file: `agent_result` lines of a trace, or per-question results.
    Other trace lines (model calls, tool steps) are skipped; an unreadable line is logged
    and skipped, so one bad line does not lose a file of runs."""
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                log.warning("%s:%d: not JSON (%s); skipped", path, number, exc)
                continue
            if not isinstance(record, dict) or "question" not in record:
                continue
            if record.get("kind", "agent_result") != "agent_result":
                continue
            yield Episode.from_record(record)
