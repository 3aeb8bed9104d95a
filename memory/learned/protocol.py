"""What an Agent needs of a memory: learn from runs, recall for a task, note what was used."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from agentkit.llm.model import Model

from .base import LearnReport
from .episode import Episode
from .inject import Recall


@runtime_checkable
class Memory(Protocol):
    """A LearnedMemory (Handbook, ReasoningBank, ArcMemo) or several as one (Memories)."""

    name: str

    async def learn(self, episode: Episode, llm: Model) -> LearnReport: ...

    async def learn_file(self, path: str | Path, llm: Model) -> list[LearnReport]: ...

    async def recall(
        self,
        task: str,
        llm: Model,
        *,
        run_id: str = "recall",
        run_limit: int | None = None,
        examples: bool = False,
    ) -> Recall: ...

    def mark_used(self, recall: Recall, cited: Iterable[str] = ()) -> None: ...

    def forget(self) -> list[str]: ...
