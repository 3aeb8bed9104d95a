"""Several learned memories used as one: one judgement per run, one token cap for all.

`Memories(Handbook(store), ReasoningBank(store), ArcMemo(store))` judges each run once and
passes the judgement to every member (so a run costs one judge call, not three), and packs
the members' candidates together under the general notes header, so the cap drops the least
relevant item of any kind (exemplars are notes too, unless the planner takes examples).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from agentkit.errors import ConfigError
from agentkit.llm.model import Model
from agentkit.prompts import load_prompt

from .base import PACKAGE, LearnedMemory, LearnReport, notes_cap
from .calls import Calls
from .episode import Episode, read_episodes
from .inject import Recall, pack
from .judge import Judge, SelfJudge


class Memories:
    """Members with distinct collections; `max_tokens` caps their joint notes block."""

    def __init__(
        self,
        *members: LearnedMemory,
        judge: Judge | None = None,
        max_tokens: int = 300,
        budget_share: float = 0.1,
    ) -> None:
        """`max_tokens` and `budget_share` cap the joint block as MemorySettings' do."""
        names = [m.name for m in members]
        if not members or len(set(names)) != len(names):
            raise ConfigError(f"Memories needs members with distinct collections, got {names}")
        self.members = members
        self.judge: Judge = judge or SelfJudge()
        self.max_tokens = max_tokens
        self.budget_share = budget_share
        self.name = "+".join(names)

    async def learn(self, episode: Episode, llm: Model) -> LearnReport:
        calls = Calls(llm, f"learn-{episode.run_id or uuid.uuid4().hex[:12]}")
        before = calls.tokens()
        judgement = await self.judge(episode, calls)
        report = LearnReport(judgement=judgement)
        for member in self.members:
            part = await member.learn(episode, llm, judgement=judgement)
            report.added += part.added
            report.merged += part.merged
            report.problems += part.problems
        report.tokens = calls.tokens() - before
        return report

    async def learn_file(self, path: str | Path, llm: Model) -> list[LearnReport]:
        return [await self.learn(e, llm) for e in read_episodes(path)]

    async def recall(
        self,
        task: str,
        llm: Model,
        *,
        run_id: str = "recall",
        run_limit: int | None = None,
        examples: bool = False,
    ) -> Recall:
        """With `examples`, a member that gives examples recalls them on its own (its cap);
        the other members' items share the joint notes block."""
        t0 = time.perf_counter()
        apart = [m for m in self.members if examples and m.gives_examples]
        shown = [
            await m.recall(task, llm, run_id=run_id, run_limit=run_limit, examples=True)
            for m in apart
        ]
        noted = [m for m in self.members if m not in apart]
        found = [c for m in noted for c in await m.candidates(task, Calls(llm, run_id))]
        cap = notes_cap(self.max_tokens, self.budget_share, run_limit)
        header = next(  # a member's own "notes" (overrides count), else the packaged one
            (m.prompts["notes"] for m in self.members if "notes" in m.prompts),
            load_prompt(PACKAGE, "notes"),
        )
        result = sum(shown, pack(found, cap, llm.tokenizer.count_text, header))
        result.retrieval_ms = (time.perf_counter() - t0) * 1e3
        return result

    def mark_used(self, recall: Recall, cited: Iterable[str] = ()) -> None:
        cited = list(cited)
        for member in self.members:
            member.mark_used(recall, cited)

    def forget(self) -> list[str]:
        return [i for m in self.members for i in m.forget()]
