"""Crash trials (a few here; hundreds in benchmarks/reliability.py): kill a writer at its
write points and at random times, damage each file, and lose nothing acknowledged."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkit.errors import CorruptStoreError
from agentkit.memory.store import DiskCache
from agentkit.testing.crash import Target, corrupt_trials, kill_trials, targets


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.name)
def test_kills_at_write_points_and_random_times_lose_nothing(target, tmp_path):
    report = kill_trials(target, tmp_path, random_trials=2, max_point_trials=6, seed=1)
    assert report.trials >= 2 and report.failures == [] and report.records_lost == 0


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.name)
def test_damaged_files_open_or_fail_typed_and_nothing_is_deleted(target, tmp_path):
    report = corrupt_trials(target, tmp_path)
    assert report.trials >= 3 and report.failures == [] and report.records_lost == 0


def test_the_harness_catches_a_writer_that_acknowledges_before_saving(tmp_path):
    honest = targets()[0]
    save, ack = "    store.save()\n", '    print("\\n".join("ACK " + i for i in ids), flush=True)\n'
    assert save + ack in honest.writer
    hasty = Target("hasty", honest.writer.replace(save + ack, ack + save), honest.reader)
    report = kill_trials(hasty, tmp_path, max_point_trials=4)
    assert report.records_lost > 0 and report.failures


def test_a_garbled_pointer_is_a_typed_error(tmp_path: Path):
    from agentkit.memory.store import HashingEmbedder, VectorStore

    with VectorStore.open(tmp_path, HashingEmbedder(dim=8)) as store:
        store.collection("c").add(["x"])
    (tmp_path / "CURRENT").write_bytes(b"gen-\xcf\x00\xff")
    with pytest.raises(CorruptStoreError, match="CURRENT names"):
        VectorStore.open(tmp_path, HashingEmbedder(dim=8), read_only=True)


def test_a_damaged_cache_file_names_the_fix(tmp_path: Path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CorruptStoreError, match="delete it"):
        DiskCache(path)
    assert path.exists()
