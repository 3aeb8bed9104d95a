"""Directory persistence: round trip, generations, damage, locks, crashes, readers."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel

from agentkit.errors import (
    ConfigError,
    CorruptStoreError,
    DimensionMismatchError,
    EmbedderMismatchError,
    ReadOnlyStoreError,
    StoreLockedError,
)
from agentkit.memory.store import HashingEmbedder, IndexSettings, VectorStore

EMB = HashingEmbedder(dim=64)
SMALL = IndexSettings(exact_max=100)


class Tag(BaseModel):
    kind: str


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _saved(path: Path, n: int = 300) -> list[str]:
    """A store with an IVF collection and a small exact one, saved once."""
    with VectorStore.open(path, EMB, settings=SMALL) as store:
        big = store.collection("big", Tag)
        ids = big.add(
            [f"record number {i}" for i in range(n)],
            metadata=[Tag(kind=f"k{i % 3}") for i in range(n)],
        )
        store.collection("small").add(["hello world"], ids=["h"], metadata=[{"x": 1}])
    return ids


def test_round_trip_keeps_records_vectors_layout_and_results(tmp_path: Path) -> None:
    ids = _saved(tmp_path / "s")
    before = VectorStore.open(tmp_path / "s", EMB, settings=SMALL, read_only=True)
    big = before.collection("big", Tag)
    assert (
        big.index.kind == "ivf" and big.count() == 300 and before.collections() == ["big", "small"]
    )
    again = VectorStore.open(tmp_path / "s", EMB, settings=SMALL, read_only=True)
    a, b = (
        big.get(ids[7], with_embedding=True),
        again.collection("big", Tag).get(ids[7], with_embedding=True),
    )
    assert a == b and a is not None and isinstance(a.metadata, Tag)
    assert np.allclose(a.embedding, EMB.embed(["record number 7"])[0])  # type: ignore[arg-type]
    query = "record number 42"
    hits = [h.record.id for h in again.collection("big").search(query, 5, where={"kind": "k0"})]
    assert hits == [h.record.id for h in big.search(query, 5, where={"kind": "k0"})]
    assert hits[0] == ids[42]
    assert again.collection("small").get("h").metadata == {"x": 1}  # type: ignore[union-attr]


def test_each_save_is_a_new_generation_and_old_ones_are_collected(tmp_path: Path) -> None:
    store = VectorStore.open(tmp_path, EMB)
    col = store.collection("c")
    names = []
    for i in range(4):
        col.add([f"text {i}"])
        names.append(store.save())
    assert names == [f"gen-00000{i}" for i in range(1, 5)]
    assert (tmp_path / "CURRENT").read_text().strip() == "gen-000004"
    assert [p for p in _files(tmp_path) if "/" not in p] == [
        "CURRENT",
        "gen-000003",
        "gen-000004",
        "writer.lock",
    ]
    old = VectorStore.open(tmp_path, EMB, read_only=True, generation="gen-000003")
    assert old.collection("c").count() == 3


def test_identity_checks_on_open(tmp_path: Path) -> None:
    _saved(tmp_path, n=5)
    with pytest.raises(EmbedderMismatchError, match="hashing-v1:dim=64"):
        VectorStore.open(tmp_path, HashingEmbedder(dim=64, ngrams=(1, 1)), read_only=True)
    with pytest.raises(DimensionMismatchError, match="dim=64"):
        VectorStore.open(tmp_path, dim=32, read_only=True)
    by_vector = VectorStore.open(tmp_path, read_only=True)  # no embedder: vectors only
    assert by_vector.collection("big").search(EMB.embed(["record number 3"])[0], 1)[0].score > 0.99
    with pytest.raises(ConfigError, match="no saved store"):
        VectorStore.open(tmp_path / "empty", EMB, read_only=True)
    with pytest.raises(ConfigError, match="no generation"):
        VectorStore.open(tmp_path, EMB, read_only=True, generation="gen-999999")


def test_one_writer_at_a_time_and_read_only_stays_read_only(tmp_path: Path) -> None:
    writer = VectorStore.open(tmp_path, EMB)
    with pytest.raises(StoreLockedError, match="read_only=True"):
        VectorStore.open(tmp_path, EMB)
    writer.collection("c").add(["x"])
    writer.save()
    reader = VectorStore.open(tmp_path, EMB, read_only=True)
    with pytest.raises(ReadOnlyStoreError):
        reader.collection("c").add(["y"])
    with pytest.raises(ReadOnlyStoreError):
        reader.save()
    writer.close()
    VectorStore.open(tmp_path, EMB).close()  # the lock is free again


def test_context_manager_saves_only_on_success(tmp_path: Path) -> None:
    tmp_path = tmp_path / "odd name ?#"  # SQLite opens saved files by URI; must be escaped
    with VectorStore.open(tmp_path, EMB) as store:
        store.collection("c").add(["kept"])
    with pytest.raises(KeyError), VectorStore.open(tmp_path, EMB) as store:
        store.collection("c").add(["lost"])
        raise KeyError("boom")
    assert VectorStore.open(tmp_path, EMB, read_only=True).collection("c").count() == 1


@pytest.mark.parametrize(
    "damage",
    ["truncate-index", "flip-records", "bad-manifest", "drop-records"],
)
def test_damage_is_reported_with_the_fix_and_nothing_is_deleted(
    tmp_path: Path, damage: str
) -> None:
    store = VectorStore.open(tmp_path, EMB, settings=SMALL)
    store.collection("c").add([f"t{i}" for i in range(150)])
    store.save()
    store.collection("c").add(["one more"])
    store.save()
    store.close()
    gen = tmp_path / "gen-000002"
    if damage == "truncate-index":
        index_file = gen / "index-0000.faiss"
        index_file.write_bytes(index_file.read_bytes()[:1000])
    elif damage == "flip-records":
        data = bytearray((gen / "records.sqlite").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (gen / "records.sqlite").write_bytes(bytes(data))
    elif damage == "bad-manifest":
        (gen / "manifest.json").write_text("{not json")
    else:
        (gen / "records.sqlite").unlink()
    files = _files(tmp_path)
    for read_only in (True, False):
        with pytest.raises(CorruptStoreError, match="generation='gen-000001'"):
            VectorStore.open(tmp_path, EMB, read_only=read_only)
    assert _files(tmp_path) == files
    older = VectorStore.open(tmp_path, EMB, read_only=True, generation="gen-000001")
    assert older.collection("c").count() == 150


def test_leftovers_of_a_killed_save_are_ignored_then_cleaned(tmp_path: Path) -> None:
    with VectorStore.open(tmp_path, EMB) as store:
        store.collection("c").add(["x"])
    half = tmp_path / ".gen-000002.tmp"
    half.mkdir()
    (half / "records.sqlite").write_bytes(b"half written")
    assert VectorStore.open(tmp_path, EMB, read_only=True).collection("c").count() == 1
    assert half.exists()
    VectorStore.open(tmp_path, EMB).close()
    assert not half.exists()


_WRITER = """
import sys, numpy as np
from agentkit.memory.store import IndexSettings, VectorStore
path, n = sys.argv[1], int(sys.argv[2])
store = VectorStore.open(path, dim=384, settings=IndexSettings(exact_max=10**9))
col = store.collection("c")
rng = np.random.default_rng(0)
col.add(["first"], ids=["first"], embeddings=rng.standard_normal((1, 384)))
store.save()
col.add([str(i) for i in range(n)], embeddings=rng.standard_normal((n, 384), dtype=np.float32))
print("saving", flush=True)
store.save()
print("saved", flush=True)
"""


def _kill_mid_save(root: Path, n: int, delay_s: float) -> bool:
    """Start a writer, SIGKILL it `delay_s` after its second save began; True if the
    kill landed before that save was published."""
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root), str(n)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "saving\n"
    while not (root / ".gen-000002.tmp").exists() and not (root / "gen-000002").exists():
        time.sleep(0.001)
    time.sleep(delay_s)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return _current(root) == "gen-000001"


def _current(root: Path) -> str:
    return (root / "CURRENT").read_text().strip()


def test_writer_killed_mid_save_leaves_the_last_good_state(tmp_path: Path) -> None:
    n = 50_000  # ~75 MB of vectors: the save takes long enough to be caught mid-way
    outcomes = []
    # a loaded machine can deschedule this process for a whole save: the immediate kill gets
    # three tries to land mid-save; every outcome, landed or not, must leave a good state
    for attempt, delay_s in enumerate([0.0, 0.0, 0.0, 0.05]):
        root = tmp_path / str(attempt)
        killed_mid_save = _kill_mid_save(root, n, delay_s)
        outcomes.append(killed_mid_save)
        reader = VectorStore.open(root, read_only=True)
        assert reader.collection("c").count() == (1 if killed_mid_save else n + 1)
        assert reader.collection("c").get("first") is not None
        if killed_mid_save:
            assert (root / ".gen-000002.tmp").exists()  # the half-written generation
            writer = VectorStore.open(root)  # removes it, then saves normally
            assert not (root / ".gen-000002.tmp").exists()
            writer.collection("c").add(["after"], embeddings=np.ones((1, 384)))
            assert writer.save() == "gen-000002"
            writer.close()
            assert VectorStore.open(root, read_only=True).collection("c").count() == 2
    assert any(outcomes[:3]), "an immediate kill should land while the save is running"


_SAVER = """
import sys
from pathlib import Path
from agentkit.memory.store import HashingEmbedder, VectorStore
path = sys.argv[1]
store = VectorStore.open(path, HashingEmbedder(dim=64))
col = store.collection("c")
ids = [f"r{i}" for i in range(200)]
version = 0
while not (Path(path) / "stop").exists():
    col.upsert([f"version {version} of record {i}" for i in range(200)], ids=ids)
    store.save()
    version += 1
print(version - 1)
"""


def _read_one_generation(path: Path) -> str:
    col = VectorStore.open(path, EMB, read_only=True).collection("c")
    records = col.get_many([f"r{i}" for i in range(200)], with_embeddings=True)
    versions = {r.text.split()[1] for r in records}
    assert len(records) == 200 and col.count() == 200 and len(versions) == 1
    # The vectors come from the same generation as the texts.
    vectors = np.array([r.embedding for r in records], dtype=np.float32)
    np.testing.assert_allclose(vectors, EMB.embed([r.text for r in records]), atol=1e-6)
    return versions.pop()


def test_readers_never_see_torn_state_while_a_writer_saves(tmp_path: Path) -> None:
    with VectorStore.open(tmp_path, EMB) as store:
        store.collection("c").upsert(
            [f"version -1 of record {i}" for i in range(200)], ids=[f"r{i}" for i in range(200)]
        )
    # The writer saves until told to stop, so reads overlap saves however slow either side is.
    writer = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    try:
        while len(seen - {"-1"}) < 2 and time.monotonic() < deadline:
            assert writer.poll() is None, "the writer died"
            seen.add(_read_one_generation(tmp_path))
    finally:
        (tmp_path / "stop").touch()
        last, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and len(seen - {"-1"}) >= 2
    assert _read_one_generation(tmp_path) == last.strip()
