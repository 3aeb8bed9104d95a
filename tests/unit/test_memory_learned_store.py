"""The learned memories on disk: `agentkit memory` commands, and kills mid-learning."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from agentkit.cli import app
from agentkit.memory.learned import Episode, Handbook
from agentkit.memory.store import HashingEmbedder, VectorStore
from agentkit.testing import FunctionModel
from agentkit.testing.crash import Target, kill_trials

runner = CliRunner()


def _learned(path: Path, n: int = 2) -> None:
    def fn(messages, info):
        if info.labels.purpose == "judge":
            return "success"
        if info.labels.purpose == "reflect":
            return "Fine."
        k = info.labels.run.rsplit("-", 1)[-1]
        return f"behavior_rule_{k}: follow rule {k} when a question names two things\n"

    with VectorStore.open(path, HashingEmbedder(dim=64)) as store:
        hb = Handbook(store)
        for i in range(n):
            episode = Episode(question=f"Q{i}?", answer="A", run_id=f"run-{i}")
            asyncio.run(hb.learn(episode, FunctionModel(fn)))


def _json(*args: str):
    result = runner.invoke(app, ["memory", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ls_search_show_rm(tmp_path):
    _learned(tmp_path)
    rows = _json("ls", str(tmp_path))
    assert sorted(r["label"] for r in rows) == ["behavior_rule_0", "behavior_rule_1"]
    assert {r["memory"] for r in rows} == {"handbook"} and rows[0]["judge"] == "self"
    hits = _json("search", str(tmp_path), "follow rule 1", "-k", "1")
    assert hits[0]["label"] == "behavior_rule_1"
    shown = _json("show", str(tmp_path), hits[0]["id"])
    assert shown["metadata"]["provenance"]["run_ids"] == ["run-1"]
    assert _json("rm", str(tmp_path), hits[0]["id"]) == {"removed": 1}
    assert [r["label"] for r in _json("ls", str(tmp_path))] == ["behavior_rule_0"]


def test_export_then_import_into_a_new_store(tmp_path):
    _learned(tmp_path / "a")
    out = tmp_path / "items.jsonl"
    assert _json("export", str(tmp_path / "a"), "--out", str(out))["exported"] == 2
    embedder = HashingEmbedder(dim=64).name
    args = ["import", str(tmp_path / "b"), str(out), "--embedder", embedder]
    assert _json(*args) == {"imported": 2}
    assert len(_json("ls", str(tmp_path / "b"))) == 2
    assert _json(*args) == {"imported": 2}  # by id: no duplicates
    assert len(_json("ls", str(tmp_path / "b"))) == 2


def test_a_bad_import_line_is_one_error_line(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"memory": "handbook"}\n')
    result = runner.invoke(
        app, ["memory", "import", str(tmp_path / "s"), str(tmp_path / "bad.jsonl")]
    )
    assert result.exit_code == 2 and "line 1" in result.output


_WRITER = """
import asyncio, sys
from agentkit.memory.learned import Episode, Handbook
from agentkit.memory.store import HashingEmbedder, VectorStore
from agentkit.testing import FunctionModel

def fn(messages, info):
    if info.labels.purpose == "judge":
        return "success"
    if info.labels.purpose == "reflect":
        return "Fine."
    k = info.labels.run.rsplit("-", 1)[-1]
    return f"behavior_rule_{k}: follow rule {k} in every case\\n"

store = VectorStore.open(sys.argv[1], HashingEmbedder(dim=32))
hb = Handbook(store)
for i in range(5):
    episode = Episode(question="Q?", answer="A", run_id=f"r-{i}")
    report = asyncio.run(hb.learn(episode, FunctionModel(fn)))
    print("\\n".join("ACK " + r for r in report.added), flush=True)
store.close()
"""


def _held(path: Path) -> set[str]:
    from agentkit.errors import ConfigError

    try:
        store = VectorStore.open(path, HashingEmbedder(dim=32), read_only=True)
    except ConfigError:
        return set()
    return {r.id for r in Handbook(store).all()} if "handbook" in store.collections() else set()


def test_a_kill_while_learning_loses_no_acknowledged_item(tmp_path):
    target = Target("handbook", _WRITER, _held)
    report = kill_trials(target, tmp_path, random_trials=2, max_point_trials=6, seed=3)
    assert report.trials >= 6 and report.failures == [] and report.records_lost == 0
