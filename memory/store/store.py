"""VectorStore: named collections of embedded records, in memory or in a directory.

    store = VectorStore.open("runs/memory", SentenceTransformerEmbedder())
    notes = store.collection("notes", metadata=NoteMeta)
    notes.add(["FAISS is a vector index"], metadata=[NoteMeta(topic="search")])
    hits = notes.search("similarity search library", top_k=3, where={"topic": "search"})
    store.save()

A store keeps everything in memory while open and writes a whole new generation on
`save()` (see agentkit.memory.persist), so what is on disk is always a complete state.
One process may hold a directory for writing; any number may open it read-only.
Not thread-safe: use a store from one thread at a time.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any, overload

from agentkit.errors import (
    ConfigError,
    DimensionMismatchError,
    EmbedderMismatchError,
)

from .catalog import RecordTable
from .collection import Collection
from .embedders import Embedder
from .index import IndexSettings, VectorIndex
from .persist import CollectionInfo, Manifest, StoreDir
from .records import M, Metadata
from .state import StoreState

PRECOMPUTED = "precomputed"
"""The embedder name of a store made without an embedder (vectors passed in)."""
_RECORDS = "records.sqlite"


def _dim_of(embedder: Embedder | None, dim: int | None) -> int:
    if embedder is None:
        if dim is None:
            raise ConfigError("give an embedder, or dim= for a store of precomputed vectors")
        return dim
    if dim is not None and dim != embedder.dim:
        raise DimensionMismatchError(
            f"dim={dim} but embedder {embedder.name!r} makes {embedder.dim}-d vectors; "
            "leave out dim= when passing an embedder"
        )
    return embedder.dim


class VectorStore:
    """Collections of records searchable by meaning; see the module docstring."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        dim: int | None = None,
        settings: IndexSettings | None = None,
    ) -> None:
        """An in-memory store; use `VectorStore.open(path, ...)` for one that saves."""
        name = embedder.name if embedder else PRECOMPUTED
        self._state = StoreState(embedder, _dim_of(embedder, dim), name)
        self.settings = settings or IndexSettings()
        self._dir: StoreDir | None = None
        self._writer_fd: int | None = None

    @property
    def embedder(self) -> Embedder | None:
        return self._state.embedder

    @property
    def dim(self) -> int:
        return self._state.dim

    @property
    def embedder_name(self) -> str:
        return self._state.embedder_name

    @property
    def path(self) -> Path | None:
        return self._state.path

    @property
    def read_only(self) -> bool:
        return self._state.read_only

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        embedder: Embedder | None = None,
        *,
        dim: int | None = None,
        settings: IndexSettings | None = None,
        read_only: bool = False,
        generation: str | None = None,
    ) -> VectorStore:
        """Open (or create) the store in `path`.

        Writable opens take the directory's writer lock. `generation` opens an older
        saved state, e.g. when the newest one is damaged.
        """
        directory = StoreDir(Path(path))
        if read_only and generation is None and directory.current() is None:
            raise ConfigError(f"no saved store in {path}; open it writable and save() first")
        fd = None if read_only else directory.lock_writer()
        try:
            with directory.reading(generation) as folder:
                if folder is None:
                    store = cls(embedder, dim=dim, settings=settings)
                else:
                    store = cls._load(directory, folder, embedder, dim, settings)
        except BaseException:
            if fd is not None:
                os.close(fd)
            raise
        store._state.path, store._dir, store._writer_fd = directory.root, directory, fd
        store._state.read_only = read_only
        return store

    @classmethod
    def _load(
        cls,
        directory: StoreDir,
        folder: Path,
        embedder: Embedder | None,
        dim: int | None,
        settings: IndexSettings | None,
    ) -> VectorStore:
        manifest = directory.read_manifest(folder)
        if embedder is not None and embedder.name != manifest.embedder:
            raise EmbedderMismatchError(
                f"{directory.root} was built with embedder {manifest.embedder!r} "
                f"({manifest.dim}-d), not {embedder.name!r}; open it with that embedder (or "
                "with none, to search by vector), or re-embed the texts into a new store"
            )
        wanted = embedder.dim if embedder is not None else dim
        if wanted is not None and wanted != manifest.dim:
            raise DimensionMismatchError(
                f"{directory.root} holds {manifest.dim}-d vectors, not {wanted}-d; "
                f"open it with dim={manifest.dim} or without dim="
            )
        store = cls(embedder, dim=manifest.dim, settings=settings)
        store._state.embedder_name = manifest.embedder
        try:
            store._state.table = RecordTable.load(folder / _RECORDS)
            counts = store._state.table.counts()
        except sqlite3.DatabaseError as exc:
            raise directory.corrupt(f"{folder / _RECORDS} is unreadable ({exc})") from exc
        for name, info in manifest.collections.items():
            try:
                index = VectorIndex.read(folder / info.file, manifest.dim, store.settings)
            except (RuntimeError, ValueError) as exc:
                raise directory.corrupt(f"{folder / info.file} is unusable ({exc})") from exc
            if not index.ntotal == info.count == counts.pop(name, 0):
                raise directory.corrupt(f"collection {name!r} has inconsistent counts")
            store._state.indexes[name] = index
        if counts:
            raise directory.corrupt(f"records of unknown collections {sorted(counts)}")
        return store

    @overload
    def collection(self, name: str) -> Collection[Metadata]: ...
    @overload
    def collection(self, name: str, metadata: type[M]) -> Collection[M]: ...
    def collection(self, name: str, metadata: Any = Metadata) -> Collection[Any]:
        """The collection `name` (created empty if new); metadata validates as `metadata`."""
        if not isinstance(name, str) or not name:
            raise ConfigError("a collection name must be a non-empty string")
        if name not in self._state.indexes:
            self._state.indexes[name] = VectorIndex(self.dim, self.settings)
            self._state.dirty = True
        return Collection(self._state, name, metadata)

    def collections(self) -> list[str]:
        return sorted(self._state.indexes)

    def drop_collection(self, name: str) -> None:
        self._state.check_writable()
        self._state.table.drop(name)
        self._state.dirty |= self._state.indexes.pop(name, None) is not None

    def save(self) -> str:
        """Write everything as a new generation, atomically; returns its name."""
        self._state.check_writable()
        if self._dir is None:
            raise ConfigError("this store lives in memory; use VectorStore.open(path, ...) to save")
        infos = {
            name: CollectionInfo(file=f"index-{i:04d}.faiss", count=index.ntotal)
            for i, (name, index) in enumerate(sorted(self._state.indexes.items()))
        }
        manifest = Manifest(embedder=self.embedder_name, dim=self.dim, collections=infos)
        with self._dir.writing(manifest) as folder:
            self._state.table.dump(folder / _RECORDS)
            for name, info in infos.items():
                self._state.indexes[name].write(folder / info.file)
        self._state.dirty = False
        return str(self._dir.current())

    def close(self) -> None:
        """Release the writer lock; the store stays readable in memory."""
        if self._writer_fd is not None:
            os.close(self._writer_fd)
            self._writer_fd = None
        self._state.read_only = True

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Save unsaved changes of a writable on-disk store unless the block raised."""
        if exc_type is None and self._state.dirty and self._dir is not None and not self.read_only:
            self.save()
        self.close()
