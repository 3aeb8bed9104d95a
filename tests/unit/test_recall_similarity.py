"""benchmarks/recall_similarity.py: a threshold's system takes the memory run's result where
the nearest item passes it and the no-memory run's elsewhere; nearest() reads a real store."""

import pytest

from agentkit.memory.learned import Exemplars, ItemMeta
from agentkit.memory.store import HashingEmbedder, VectorStore
from tests.unit.benchmark_scripts import load


@pytest.fixture(scope="module")
def script():
    return load("recall_similarity")


def _row(f1, tokens):
    return {"f1": f1, "tokens": tokens}


def test_sweep_mixes_the_two_runs_by_similarity(script):
    none = {"a": _row(0.0, 100), "b": _row(1.0, 100)}
    mem = {"a": _row(1.0, 150), "b": _row(0.0, 150)}
    rows = {r["min_similarity"]: r for r in script.sweep(none, mem, {"a": 0.45, "b": 0.1})}
    assert rows[0.0] == {
        "min_similarity": 0.0,
        "recalled": 2,
        "f1": 50.0,
        "f1_vs_none": 0.0,
        "tokens_per_question": 150.0,
        "tokens_vs_none_pct": 50.0,
    }
    assert rows[0.4]["recalled"] == 1  # only "a": its gain kept, "b"'s loss avoided
    assert (rows[0.4]["f1"], rows[0.4]["tokens_vs_none_pct"]) == (100.0, 25.0)
    assert rows[0.5]["f1_vs_none"] == 0.0 and rows[0.5]["tokens_per_question"] == 100.0


def test_nearest_is_the_top_item_and_minus_one_when_empty(script):
    memory = Exemplars(VectorStore(HashingEmbedder(dim=64)))
    assert script.nearest(memory, "anything") == -1.0
    for question in ("Who directed Jaws?", "Which river is longer, the Nile or the Amazon?"):
        memory.merge(ItemMeta(kind="exemplar", situation=question, content="#E1 = search[x]"))
    near = script.nearest(memory, "Who directed Jaws?")
    far = script.nearest(memory, "Which opera has more acts?")
    assert near > far > -1.0
