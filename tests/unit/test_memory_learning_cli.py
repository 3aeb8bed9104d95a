"""benchmarks/memory_learning.py refuses flags that would waste a learning run, and a learning
run stopped mid-way resumes where it stopped."""

import asyncio
import json
import re
import sys

import pytest

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


def test_a_stopped_learning_run_resumes_with_the_questions_it_had_not_finished(script, tmp_path):
    qs = [Question(i) for i in range(10)]
    calls: list[int] = []

    async def until_seven(i, q):
        calls.append(i)
        await asyncio.sleep(0.01 if i == 7 else 0)  # 4-6 finish before 7 is killed
        if i == 7:
            raise Stop
        return 10

    with pytest.raises(Stop):
        asyncio.run(script.learn_batches(until_seven, qs, 4, tmp_path, {}, "t"))
    mark = json.loads((tmp_path / script.PROGRESS).read_text())
    assert mark["n_learn"] == 10
    assert sorted(mark["learned"]) == [f"q{i}" for i in range(7)]  # the cut batch's finished ones

    async def rest(i, q):
        calls.append(i)
        return 1

    tokens = asyncio.run(script.learn_batches(rest, qs, 4, tmp_path, mark, "t"))
    assert tokens == 7 * 10 + 3
    assert calls == [*range(8), 7, 8, 9]  # only 7 twice: it was cut
    final = json.loads((tmp_path / script.PROGRESS).read_text())
    assert sorted(final["learned"]) == sorted(q.id for q in qs)


def test_without_a_kept_store_learning_still_counts_its_tokens(script):
    async def one(i, q):
        return 2

    qs = [Question(i) for i in range(3)]
    assert asyncio.run(script.learn_batches(one, qs, 2, None, {}, "t")) == 6
