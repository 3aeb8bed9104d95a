"""Learned memories: reusable reasoning distilled from finished runs, recalled for new ones.

- `Handbook`: behaviours (`behavior_name: instruction`), Metacognitive Reuse.
- `ReasoningBank`: judged items (title, description, content), with MaTTS (`scaling`).
- `ArcMemo`: lessons (situation -> suggestion) and parametric concepts, from solved runs.
- `Exemplars`: the plans of runs judged right, recalled as worked examples (ExpeL).
- `Memories`: several as one (one judgement, one token cap).

All share one write path (`learn(Episode, llm)`, `learn_file(jsonl, llm)`) and one read
path (`recall(task, llm)` -> a `Recall` whose `text` the planner's prompt begins with), and
live in collections of a VectorStore, saved crash-safely after every write.
"""

from .arcmemo import ArcMemo
from .base import LearnedMemory, LearnReport
from .calls import ROLE
from .combined import Memories
from .episode import Episode, read_episodes
from .exemplars import Exemplars
from .handbook import Handbook
from .inject import Candidate, Recall, pack
from .items import ItemMeta, Parameter, Provenance
from .judge import GoldJudge, Judge, Judgement, SelfJudge
from .protocol import Memory
from .reasoning_bank import ReasoningBank
from .settings import MemorySettings

KINDS = {
    "handbook": Handbook,
    "reasoning_bank": ReasoningBank,
    "arcmemo": ArcMemo,
    "exemplars": Exemplars,
}
"""Each kind by its default collection name."""

__all__ = [
    "KINDS",
    "ROLE",
    "ArcMemo",
    "Candidate",
    "Episode",
    "Exemplars",
    "GoldJudge",
    "Handbook",
    "ItemMeta",
    "Judge",
    "Judgement",
    "LearnReport",
    "LearnedMemory",
    "Memories",
    "Memory",
    "MemorySettings",
    "Parameter",
    "Provenance",
    "ReasoningBank",
    "Recall",
    "SelfJudge",
    "pack",
    "read_episodes",
]
