"""What a tool may use while it runs: the model, the run's budget and labels, a token counter.

Tools that need it declare a parameter annotated `ToolContext`; it is injected, never parsed
from the model's input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from agentkit.budget import BudgetTracker
from agentkit.llm.model import Model, Prompt
from agentkit.tokens import ByteCounter
from agentkit.types import CallLabels, Completion


@dataclass(frozen=True, kw_only=True)
class ToolContext:
    llm: Model | None = None
    run_id: str = "default"
    budget: BudgetTracker | None = None
    role: str = "worker"
    step: int | None = None
    max_observation_tokens: int | None = 400
    count_tokens: Callable[[str], int] | None = None

    def at(self, step: int | None) -> ToolContext:
        """The same context for one step (its LLM calls are labelled with it)."""
        return replace(self, step=step)

    def labels(self, purpose: str = "", *, role: str | None = None) -> CallLabels:
        return CallLabels(run=self.run_id, role=role or self.role, step=self.step, purpose=purpose)

    async def generate(
        self, prompt: Prompt, *, purpose: str = "", role: str | None = None, **kwargs: Any
    ) -> Completion:
        """A model call labelled for this run and step, charged to this run's budget."""
        if self.llm is None:
            raise RuntimeError("this tool needs a model: run it through an Agent or pass llm=")
        labels = self.labels(purpose, role=role)
        return await self.llm.generate(prompt, labels=labels, budget=self.budget, **kwargs)

    def count(self, text: str) -> int:
        """Tokens in `text`: the given counter, else the model's tokenizer, else UTF-8 bytes
        (an upper bound, so caps still hold)."""
        if self.count_tokens is not None:
            return self.count_tokens(text)
        if self.llm is not None:
            return self.llm.tokenizer.count_text(text)
        return ByteCounter().count_text(text)
