"""Damaged or hand-edited store directories: open refuses or recovers, and nothing is lost.

Each case is a defect found by probing (issue: hardening): a missing or empty CURRENT
opened as an empty store whose next saves deleted every generation (it now stands for the
newest generation); a CURRENT pointing
outside the store was followed; a generation renamed into place but never committed was
kept as the rollback copy while the last committed one was deleted; stray folders broke
save().
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkit.errors import CorruptStoreError
from agentkit.memory.store import HashingEmbedder, VectorStore

EMB = HashingEmbedder(dim=32)


def _save(path: Path, texts: list[str]) -> None:
    with VectorStore.open(path, EMB) as store:
        store.collection("notes").add(texts)


def _texts(path: Path, **open_kwargs: object) -> set[str]:
    store = VectorStore.open(path, EMB, read_only=True, **open_kwargs)  # type: ignore[arg-type]
    col = store.collection("notes")
    return {h.record.text for h in col.search("note", top_k=100)}


def _generations(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name.startswith("gen-"))


@pytest.mark.parametrize("pointer", [None, "", "\n"])
def test_a_missing_or_empty_pointer_opens_the_newest_generation_not_an_empty_store(
    tmp_path, pointer
):
    _save(tmp_path, ["note one"])
    _save(tmp_path, ["note two"])
    before = _generations(tmp_path)
    if pointer is None:
        (tmp_path / "CURRENT").unlink()
    else:
        (tmp_path / "CURRENT").write_text(pointer)
    assert _texts(tmp_path) == {"note one", "note two"}  # not an empty store
    with VectorStore.open(tmp_path, EMB) as store:  # writable: its saves keep the old ones
        assert store.collection("notes").count() == 2
        store.collection("notes").add(["note three"])
    # as with an intact pointer: the new generation and the one before it are kept
    assert before == ["gen-000001", "gen-000002"]
    assert _generations(tmp_path) == ["gen-000002", "gen-000003"]
    assert _texts(tmp_path) == {"note one", "note two", "note three"}
    assert _texts(tmp_path, generation="gen-000002") == {"note one", "note two"}


@pytest.mark.parametrize("target", ["../elsewhere", "/tmp", "gen-000001/../../x", "gen-abc"])
def test_pointer_outside_the_store_is_refused(tmp_path, target):
    _save(tmp_path / "store", ["note one"])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "store" / "CURRENT").write_text(target + "\n")
    with pytest.raises(CorruptStoreError, match="CURRENT"):
        VectorStore.open(tmp_path / "store", EMB, read_only=True)


def test_a_generation_never_committed_is_not_kept_in_place_of_the_last_committed(tmp_path):
    _save(tmp_path, ["note one"])
    _save(tmp_path, ["note two"])  # gen-2 live, gen-1 its rollback copy
    # a writer killed between renaming gen-3 into place and swapping CURRENT leaves this:
    import shutil

    shutil.copytree(tmp_path / "gen-000002", tmp_path / "gen-000003")
    assert (tmp_path / "CURRENT").read_text().strip() == "gen-000002"
    _save(tmp_path, ["note three"])
    live = (tmp_path / "CURRENT").read_text().strip()
    assert live == "gen-000004"
    # the rollback copy is the last committed generation, not the uncommitted gen-3
    assert "gen-000002" in _generations(tmp_path)
    assert "gen-000003" not in _generations(tmp_path)
    assert _texts(tmp_path, generation="gen-000002") == {"note one", "note two"}


@pytest.mark.parametrize("stray", ["gen-abc", "gen-12", "gen-0000001", "gen-backup"])
def test_stray_folders_neither_break_save_nor_get_deleted(tmp_path, stray):
    _save(tmp_path, ["note one"])
    (tmp_path / stray).mkdir()
    (tmp_path / stray / "mine.txt").write_text("user data")
    for i in range(3):
        _save(tmp_path, [f"more {i}"])
    assert (tmp_path / stray / "mine.txt").read_text() == "user data"
    assert len(_texts(tmp_path)) == 4


def test_generation_numbers_that_would_overflow_the_format_are_a_clear_error(tmp_path):
    _save(tmp_path, ["note one"])
    (tmp_path / "gen-000001").rename(tmp_path / "gen-999999")
    (tmp_path / "CURRENT").write_text("gen-999999\n")
    assert _texts(tmp_path) == {"note one"}
    with pytest.raises(CorruptStoreError, match="999999"):
        _save(tmp_path, ["note two"])
    assert _texts(tmp_path) == {"note one"}
