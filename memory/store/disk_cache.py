"""A content-addressed key-value cache on disk (SQLite), for results that cost model time.

Triplet extractions and embeddings are keyed by a hash of what produced them, so a rebuild
reads them back instead of paying again. Each `put_many` is one SQLite transaction: a
process killed mid-write leaves the cache as it was before that batch, never half a value.
Several processes may share one file (SQLite's locking; writers wait up to `timeout_s`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from agentkit.errors import ConfigError, CorruptStoreError
from agentkit.paths import home

_BATCH = 500  # keys per SELECT: below SQLite's default limit of bound parameters


def cache_path(name: str) -> Path:
    """Where agentkit keeps the cache `name` (outside the repository): ~/.cache/agentkit/."""
    return home() / "cache" / f"{name}.sqlite"


class DiskCache:
    """bytes values by string key; thread-safe (one connection, one lock)."""

    def __init__(self, path: str | Path, *, timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise ConfigError(f"{self.path} is a directory; a DiskCache needs a file path")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=timeout_s, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            with self._guarded(), self._db:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB)")
        except CorruptStoreError:
            self._db.close()
            raise

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """Hold the lock; a damaged file is a typed error naming the fix, not sqlite's."""
        with self._lock:
            try:
                yield
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                raise CorruptStoreError(
                    f"cache {self.path} is unreadable ({exc}); it holds only results that can "
                    "be computed again: delete it (and its -wal/-shm files) to start afresh"
                ) from exc

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The cached values among `keys` (missing keys are left out)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, bytes] = {}
        with self._guarded():
            for start in range(0, len(wanted), _BATCH):
                part = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(f"SELECT key, value FROM kv WHERE key IN ({marks})", part)
                found.update((key, bytes(value)) for key, value in rows)
        return found

    def put_many(self, items: Mapping[str, bytes]) -> None:
        """Store all items in one transaction (replacing values of existing keys)."""
        if not items:
            return
        with self._guarded(), self._db:
            self._db.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", items.items())

    def __len__(self) -> int:
        with self._guarded():
            return int(self._db.execute("SELECT COUNT(*) FROM kv").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
