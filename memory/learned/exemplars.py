"""Worked examples: the plans of runs judged right, recalled as examples for similar tasks.

After ExpeL (arXiv 2308.10144), which keeps successful trajectories and retrieves the most
similar ones as in-context examples. A small model copies the shape of a plan that worked
more readily than it follows advice written about one, and keeping one costs no model call
beyond the judgement: the item is the run's own question and its plan as written.

A run that called no tool (the budgeted reader: one read, one answer) has no plan to copy;
its item is the question and the answer judged right, shown to the reader before its read
(similar questions with their answers, after KATE, arXiv 2101.06804: a small model takes
the answer's form, a name, a year, yes or no, from its neighbours).

Only runs judged right are kept. A run of a question already stored adds its provenance to
that item (the first plan stays). Retrieval: top-1 by embedding, the question's neighbours.
As a note the plan shows its steps only (the prose costs tokens and the steps say it); a
planner that takes examples (`ReWOO(learned_examples=True)`) shows it whole in place of its
own fixed examples, in the format it must write itself.
"""

from __future__ import annotations

from typing import ClassVar

from .base import LearnedMemory
from .calls import Calls
from .episode import Episode
from .items import ItemMeta, plan_lines, plan_steps
from .judge import Judgement


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
        if not episode.steps and episode.answer.strip():  # read and answered: no plan to show
            answer = f"Answer: {episode.answer.strip()}"
            return [
                ItemMeta(kind="exemplar", situation=episode.question.strip(), content=answer)
            ], []
        plan = "\n".join(plan_lines(episode.plan or ""))
        if not plan_steps(plan):
            return [], ["the run has no plan to keep"]
        most = self.settings.max_chars
        if len(plan) > most:
            return [], [f"its plan is {len(plan)} characters, over max_chars {most}; not kept"]
        return [ItemMeta(kind="exemplar", situation=episode.question.strip(), content=plan)], []

    def merge(self, meta: ItemMeta) -> tuple[str, bool]:
        same = self._same(meta, "situation")
        return self._absorb(same, meta) if same else super().merge(meta)
