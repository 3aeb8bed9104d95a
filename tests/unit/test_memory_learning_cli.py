"""benchmarks/memory_learning.py refuses flags that would waste a learning run, and a learning
run stopped mid-way resumes where it stopped."""

import asyncio
import json
import re
import sys

import pytest

from agentkit.memory.learned import Exemplars, ItemMeta, Provenance
from agentkit.memory.store import HashingEmbedder, VectorStore
from tests.unit.benchmark_scripts import load


@pytest.fixture(scope="module")
def script():
    return load("memory_learning")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--learn-only"], "--learn-only keeps nothing without --stores DIR"),
        (["--systems", "none,rag"], "unknown systems ['rag']"),
    ],
)
def test_bad_flags_stop_before_any_model_call(script, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "argv", ["memory_learning.py", *argv])
    monkeypatch.setattr(script, "main_async", pytest.fail)  # reached only past the checks
    with pytest.raises(SystemExit, match=re.escape(message)):
        script.main()


class Question:
    def __init__(self, i):
        self.id = f"q{i}"


class Stop(Exception):
    """Stands for a kill: the run ends in the middle of a batch."""


def test_a_stopped_learning_run_resumes_after_its_last_whole_batch(script, tmp_path):
    qs = [Question(i) for i in range(10)]
    learned: list[int] = []

    async def until_seven(i, q):
        if i == 7:
            raise Stop
        learned.append(i)
        return 10

    with pytest.raises(Stop):
        asyncio.run(script.learn_batches(until_seven, qs, 4, tmp_path, set(), "t"))
    mark = json.loads((tmp_path / script.PROGRESS).read_text())
    assert mark == {"n_learn": 10, "done": 4, "learning_tokens": 40}

    async def rest(i, q):
        learned.append(i)
        return 1

    # questions 4-6 finished in the cut batch and their items are in the store: not again
    tokens = asyncio.run(script.learn_batches(rest, qs, 4, tmp_path, {"q4", "q5", "q6"}, "t"))
    assert tokens == 40 + 3
    assert sorted(learned) == list(range(10))


def test_learned_questions_reads_the_provenance_of_stored_items(script):
    memory = Exemplars(VectorStore(HashingEmbedder(dim=64)))
    for qid in ("q1", "q2"):
        meta = ItemMeta(kind="exemplar", situation=f"question {qid}", content="#E1 = search[x]")
        meta.provenance = Provenance(question_ids=[qid])
        memory.merge(meta)
    assert script.learned_questions(memory.store) == {"q1", "q2"}
