"""The behaviour handbook (Metacognitive Reuse, arXiv 2509.13237): after a run the model
reflects on it (was it right, which steps were generic, what would have shortened it), then
names reusable behaviours, `behavior_snake_case_name: one-line instruction`.

Merging: a name already in the handbook, or a behaviour at least `merge_similarity` close
to a stored one, adds the run to that behaviour's sources; the first writer's wording stays.
The names of the closest stored behaviours are shown to the writer so it reuses them.
Retrieval: top-k by embedding; injected as a list the planner may cite by name.
"""

from __future__ import annotations

import re
from typing import ClassVar

from agentkit.llm import StructuredOutput

from .base import LearnedMemory
from .calls import Calls
from .episode import Episode
from .items import ItemMeta
from .judge import Judgement
from .parse import Raw, read_items, text_of

_NAME = re.compile(r"behaviou?r_[a-z0-9_]+")
_PREFIX = re.compile(r"^_*behaviou?r_")
_REFLECT_TOKENS = 120
_PLACEHOLDERS = {"behavior_snake_case_name", "behavior_name"}  # the format, copied verbatim


class Handbook(LearnedMemory):
    collection_name = "handbook"
    templates: ClassVar[dict[str, tuple[str, ...]]] = {
        "handbook_reflect": ("run", "outcome"),
        "handbook_write": ("reflection", "names", "most"),
    }
    defaults: ClassVar[dict[str, object]] = {"top_k": 5}

    async def distill(
        self, episode: Episode, judgement: Judgement | None, calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        outcome = "unknown" if judgement is None else ("right" if judgement.success else "wrong")
        run = episode.render(self.settings.trace_chars)
        reflect = self.prompts.render("handbook_reflect", run=run, outcome=outcome)
        reflection = await calls.generate(reflect, purpose="reflect", max_tokens=_REFLECT_TOKENS)
        most = self.settings.max_items_per_run
        prompt = self.prompts.render(
            "handbook_write",
            reflection=f"{run}\nReflection: {reflection.text.strip()}",
            names=", ".join(self._similar_names(episode.question)) or "(none yet)",
            most=most,
        )
        options: dict[str, object] = {"max_tokens": self.settings.learn_tokens}
        if self.settings.structured:
            line = r"behavior_[a-z0-9_]{3,40}: [^\n]{10,200}\n"
            options["structured"] = StructuredOutput(regex=f"({line}){{1,{most}}}")
        reply = await calls.generate(prompt, purpose="behaviors", **options)
        limit = self.settings.max_chars
        raw, problems = read_items(reply.text, max_items=most * 3, max_chars=limit)
        metas = [m for item in raw for m in _behaviors(item, problems)]
        return metas[:most], problems

    def merge(self, meta: ItemMeta) -> tuple[str, bool]:
        same = self._same(meta, "name") or self._closest(meta)
        return self._absorb(same, meta) if same else super().merge(meta)

    def _similar_names(self, question: str) -> list[str]:
        if self.items.count() == 0:
            return []
        return [h.record.metadata.name for h in self.items.search(question, top_k=5)]


def _behaviors(item: Raw, problems: list[str]) -> list[ItemMeta]:
    """`{"behavior_x": "..."}` (a line) or `{"name": ..., "instruction": ...}` (JSON)."""
    pairs = [(k, v) for k, v in item.items() if _NAME.fullmatch(k) and isinstance(v, str)]
    named = text_of(item, "name", "behavior", "behaviour")
    if named:
        pairs.append((named, text_of(item, "instruction", "content", "description")))
    out = []
    for name, instruction in pairs:
        name = "behavior_" + _PREFIX.sub("", re.sub(r"\W+", "_", name.lower())).strip("_")
        if name in _PLACEHOLDERS or name == "behavior_" or not instruction.strip():
            problems.append(f"behaviour {name!r} is a placeholder or empty; dropped")
        else:
            out.append(ItemMeta(kind="behavior", name=name, content=" ".join(instruction.split())))
    return out
