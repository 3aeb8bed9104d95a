"""The records table: ids, texts and metadata of every collection, in SQLite.

While a store is open the table lives in an in-memory database, so writes never touch
a published generation; saving copies it out with SQLite's backup API. `vid` is the
int64 key of the record's vector in its collection's FAISS index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from .filters import Where, compile_where

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    vid INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (collection, id)
)
"""
_COLUMNS = "vid, id, text, metadata, created_at, updated_at"
_BATCH = 10_000  # ids per IN (...) query, under SQLite's parameter limit

T = TypeVar("T")
Row = tuple[int, str, str, str, float, float]
"""vid, id, text, metadata JSON, created_at, updated_at (Unix seconds)."""


def _chunks(items: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), _BATCH):
        yield list(items[start : start + _BATCH])


class RecordTable:
    def __init__(self, conn: sqlite3.Connection | None = None) -> None:
        self._conn = conn or sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(_SCHEMA)

    @classmethod
    def load(cls, path: Path) -> RecordTable:
        """Copy a saved table into memory (the file is opened read-only and left as is)."""
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"  # as_uri escapes ? and #
        source = sqlite3.connect(uri, uri=True)
        try:
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            source.backup(memory)
        finally:
            source.close()
        return cls(memory)

    def dump(self, path: Path) -> None:
        target = sqlite3.connect(path)
        try:
            self._conn.backup(target)
        finally:
            target.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit on success, roll back on any error."""
        with self._conn:
            yield

    def next_vid(self) -> int:
        sql = "SELECT COALESCE(MAX(vid), 0) + 1 FROM records"
        return int(self._conn.execute(sql).fetchone()[0])

    def insert(self, collection: str, rows: Iterable[Row]) -> None:
        self._conn.executemany(
            f"INSERT INTO records (collection, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((collection, *row) for row in rows),
        )

    def by_ids(self, collection: str, ids: Sequence[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM records WHERE collection = ? AND id IN ({marks})",
                [collection, *chunk],
            ):
                found[row[1]] = row
        return found

    def by_vids(self, vids: Sequence[int]) -> dict[int, Row]:
        found: dict[int, Row] = {}
        for chunk in _chunks(vids):
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM records WHERE vid IN ({marks})", chunk
            ):
                found[row[0]] = row
        return found

    def delete_vids(self, vids: Sequence[int]) -> None:
        for chunk in _chunks(vids):
            marks = ",".join("?" * len(chunk))
            self._conn.execute(f"DELETE FROM records WHERE vid IN ({marks})", chunk)

    def vids(self, collection: str, where: Where | None) -> NDArray[np.int64]:
        condition, params = compile_where(where)
        cursor = self._conn.execute(
            f"SELECT vid FROM records WHERE collection = ? AND {condition}", [collection, *params]
        )
        return np.fromiter((row[0] for row in cursor), dtype=np.int64)

    def count(self, collection: str, where: Where | None = None) -> int:
        condition, params = compile_where(where)
        sql = f"SELECT COUNT(*) FROM records WHERE collection = ? AND {condition}"
        return int(self._conn.execute(sql, [collection, *params]).fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Records per collection, for checking a loaded store against its indexes."""
        sql = "SELECT collection, COUNT(*) FROM records GROUP BY collection"
        return {name: int(n) for name, n in self._conn.execute(sql)}

    def drop(self, collection: str) -> None:
        with self._conn:
            self._conn.execute("DELETE FROM records WHERE collection = ?", [collection])
