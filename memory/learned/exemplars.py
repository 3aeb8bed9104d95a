"""Worked examples: the plans of runs judged right, recalled as examples for similar tasks.

After ExpeL (arXiv 2308.10144), which keeps successful trajectories and retrieves the most
similar ones as in-context examples. A small model copies the shape of a plan that worked
more readily than it follows advice written about one, and keeping one costs no model call
beyond the judgement: the item is the run's own question and the steps of its plan.

Only runs judged right are kept. A run of a question already stored adds its provenance to
that item (the first plan stays). Retrieval: top-1 by embedding, the question's neighbours.
A planner that takes examples (ReWOO) shows them in place of its own fixed ones, so the
nearest worked plan costs about what a fixed example did; others read them as notes.
"""

from __future__ import annotations

from typing import ClassVar

from .base import LearnedMemory
from .calls import Calls
from .episode import Episode
from .items import ItemMeta
from .judge import Judgement

_DESCRIPTION = "plan:"  # ReWOO's prose line before each step; the step itself says it


class Exemplars(LearnedMemory):
    collection_name = "exemplars"
    templates: ClassVar[dict[str, tuple[str, ...]]] = {}
    notes_template: ClassVar[str] = "exemplar_notes"
    gives_examples: ClassVar[bool] = True
    defaults: ClassVar[dict[str, object]] = {"top_k": 1, "max_tokens": 120, "max_chars": 600}

    async def distill(
        self, episode: Episode, judgement: Judgement | None, calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        if judgement is None:
            return [], ["no judgement (no gold answer for the gold judge); nothing kept"]
        if not judgement.success:
            return [], []
        steps = plan_steps(episode.plan or "")
        if not steps:
            return [], ["the run has no plan to keep"]
        most = self.settings.max_chars
        if len(steps) > most:
            return [], [f"its plan is {len(steps)} characters, over max_chars {most}; not kept"]
        return [ItemMeta(kind="exemplar", situation=episode.question.strip(), content=steps)], []

    def merge(self, meta: ItemMeta) -> tuple[str, bool]:
        same = self._same(meta, "situation")
        return self._absorb(same, meta) if same else super().merge(meta)


def plan_steps(plan: str) -> str:
    """A plan's steps, one per line: blank lines and ReWOO's "Plan:" descriptions dropped."""
    lines = [line.rstrip() for line in plan.strip().splitlines() if line.strip()]
    steps = [line for line in lines if not line.lstrip().lower().startswith(_DESCRIPTION)]
    return "\n".join(steps)
