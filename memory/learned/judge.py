"""Who says whether a run worked: the model itself (no gold), or the gold answer.

ReasoningBank labels every run with an LLM judge at temperature 0 and no ground truth;
evaluation mode may use the gold answer instead. The label is written on every item the run
yields (`provenance.judge`), so the two can be told apart and compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, Protocol

from pydantic import BaseModel

from agentkit.llm import StructuredOutput
from agentkit.prompts import PromptTemplates

from .calls import Calls
from .episode import Episode

Scorer = Callable[[str, str], float]
"""(prediction, gold) -> a score in [0, 1], e.g. agentkit.evals.metrics.f1."""


class Judgement(BaseModel):
    success: bool
    judge: Literal["self", "gold"]


class Judge(Protocol):
    async def __call__(self, episode: Episode, calls: Calls) -> Judgement | None:
        """The run's outcome, or None when this judge cannot tell (no gold, say)."""
        ...


class SelfJudge:
    """One constrained call: did the run answer the question? (failed runs are failures)."""

    def __init__(self, *, prompt_templates: Mapping[str, str] | None = None) -> None:
        self.prompts = PromptTemplates(
            "SelfJudge", "agentkit.memory.learned", {"judge": ("run",)}, prompt_templates
        )

    async def __call__(self, episode: Episode, calls: Calls) -> Judgement | None:
        if not episode.ok or not episode.answer.strip():
            return Judgement(success=False, judge="self")
        reply = await calls.generate(
            self.prompts.render("judge", run=episode.render()),
            purpose="judge",
            max_tokens=3,
            structured=StructuredOutput(regex="(success|failure)"),
        )
        return Judgement(success=reply.text.strip().startswith("success"), judge="self")


class GoldJudge:
    """Success when the answer scores at least `threshold` against the gold answer (a score
    already in the record, e.g. an eval line's F1, is used as it is)."""

    def __init__(self, score: Scorer, *, threshold: float = 0.5) -> None:
        self.score = score
        self.threshold = threshold

    async def __call__(self, episode: Episode, calls: Calls) -> Judgement | None:
        if episode.score is not None:
            return Judgement(success=episode.score >= self.threshold, judge="gold")
        if episode.gold is None:
            return None
        value = self.score(episode.answer, episode.gold)
        return Judgement(success=value >= self.threshold, judge="gold")
