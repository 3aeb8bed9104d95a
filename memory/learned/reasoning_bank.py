"""ReasoningBank (arXiv 2509.25140): every run is judged success or failure (by the model,
or by the gold answer in evaluation mode; the judge is written on each item), then up to 3
items (title, one-line description, 1-3 sentences of content) are extracted with separate
prompts: why it worked, or what to avoid. Consolidation is a plain append; retrieval is
top-k by embedding, k=1 by default. `contrast` extracts from several runs of one task at
once (MaTTS' self-contrast, up to 5 items).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from agentkit.llm import StructuredOutput

from .base import LearnedMemory
from .calls import Calls
from .episode import Episode
from .items import ItemMeta
from .judge import Judgement
from .parse import read_items, text_of

CONTRAST_ITEMS = 5


def _schema(most: int) -> dict[str, object]:
    line = {"type": "string", "minLength": 3, "maxLength": 300}
    item = {
        "type": "object",
        "properties": {"title": line, "description": line, "content": line},
        "required": ["title", "description", "content"],
        "additionalProperties": False,
    }
    return {"type": "array", "items": item, "minItems": 1, "maxItems": most}


class ReasoningBank(LearnedMemory):
    collection_name = "reasoning_bank"
    templates: ClassVar[dict[str, tuple[str, ...]]] = {
        "reasoning_success": ("run", "most"),
        "reasoning_failure": ("run", "most"),
        "reasoning_contrast": ("runs", "most"),
    }
    defaults: ClassVar[dict[str, object]] = {"top_k": 1}

    async def distill(
        self, episode: Episode, judgement: Judgement | None, calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        if judgement is None:
            return [], ["no judgement (no gold answer for the gold judge); nothing extracted"]
        name = "reasoning_success" if judgement.success else "reasoning_failure"
        most = self.settings.max_items_per_run
        prompt = self.prompts.render(name, run=episode.render(self.settings.trace_chars), most=most)
        return await self._extract(prompt, most, calls, purpose=name.split("_")[1])

    async def contrast(
        self, episodes: Sequence[Episode], judgements: Sequence[Judgement | None], llm_calls: Calls
    ) -> tuple[list[ItemMeta], list[str]]:
        """Items from k runs of one task compared (MaTTS parallel), written like `learn`'s."""
        runs = "\n\n".join(
            f"Run {i} ({_verdict(j)}):\n{e.render(self.settings.trace_chars // len(episodes))}"
            for i, (e, j) in enumerate(zip(episodes, judgements, strict=True), 1)
        )
        prompt = self.prompts.render("reasoning_contrast", runs=runs, most=CONTRAST_ITEMS)
        return await self._extract(prompt, CONTRAST_ITEMS, llm_calls, purpose="contrast")

    async def _extract(
        self, prompt: str, most: int, calls: Calls, *, purpose: str
    ) -> tuple[list[ItemMeta], list[str]]:
        options: dict[str, object] = {"max_tokens": self.settings.learn_tokens * most // 2}
        if self.settings.structured:
            options["structured"] = StructuredOutput(json_schema=_schema(most))
        reply = await calls.generate(prompt, purpose=purpose, **options)
        raw, problems = read_items(reply.text, max_items=most, max_chars=self.settings.max_chars)
        metas = []
        for item in raw:
            title = text_of(item, "title", "name")
            content = text_of(item, "content", "lesson", "memory")
            if not (title and content):
                problems.append(f"an item lacks a title or content ({sorted(item)}); dropped")
                continue
            description = text_of(item, "description", "summary")
            metas.append(
                ItemMeta(kind="reasoning", title=title, description=description, content=content)
            )
        return metas, problems


def _verdict(judgement: Judgement | None) -> str:
    if judgement is None:
        return "not judged"
    return "judged a success" if judgement.success else "judged a failure"
