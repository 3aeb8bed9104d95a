"""Model calls made by memories, labelled so their tokens show apart from a run's own.

Learning calls are charged to a run of their own (`learn-<source run>`, role "memory"), so
what a memory costs to build is never mixed into what the next run costs; a selection call
made while recalling for a run is labelled with that run and role "memory".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentkit.llm.model import Model, Prompt
from agentkit.types import CallLabels, Completion

ROLE = "memory"
"""The ledger role of every call a memory makes, and of the tokens it injects."""


@dataclass(frozen=True)
class Calls:
    """One model and the run its calls are labelled with."""

    llm: Model
    run_id: str

    async def generate(self, prompt: Prompt, *, purpose: str, **kwargs: Any) -> Completion:
        labels = CallLabels(run=self.run_id, role=ROLE, purpose=purpose)
        kwargs.setdefault("temperature", 0.0)
        return await self.llm.generate(prompt, labels=labels, **kwargs)

    def tokens(self, run_id: str | None = None) -> int:
        """Prompt + completion tokens of this run's memory calls, as the engine counted them."""
        totals = self.llm.ledger.by("role", run=run_id or self.run_id).get(ROLE)
        return 0 if totals is None else totals.usage.prompt_tokens + totals.usage.completion_tokens
