"""A named collection in a VectorStore: add, upsert, delete, get, search, count.

Each write changes the records table and the FAISS index inside one SQLite
transaction, so a failed write (bad vector, duplicate id) leaves both as they were.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Generic

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

from agentkit.errors import ConfigError, DimensionMismatchError, DuplicateIdError

from .catalog import Row
from .embedders import Matrix, normalize_rows
from .filters import Where
from .index import VectorIndex
from .records import M, Record, SearchHit

if TYPE_CHECKING:
    from .state import StoreState


def _check_finite(value: Any) -> None:
    """NaN and infinity would be written as null: a silent change, so refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"metadata holds {value}; use a finite number or None")
    if isinstance(value, Mapping):
        for item in value.values():
            _check_finite(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_finite(item)


MAX_TOP_K = 10_000
"""The most results one search returns: a bound on what a caller can make it allocate."""


def _fresh_ids(n: int) -> list[str]:
    """Millisecond clock + 48 random bits per batch, then a counter: unique, and ordered,
    which keeps inserts into SQLite's id index appends (3x faster than random ids)."""
    prefix = f"{time.time_ns() // 1_000_000:012x}{os.urandom(6).hex()}"
    return [f"{prefix}{i:08x}" for i in range(n)]


def _listed(value: Any, n: int, what: str) -> list[Any]:
    items = list(value)
    if len(items) != n:
        raise ConfigError(f"{what} has {len(items)} items for {n} texts; give one per text")
    return items


class Collection(Generic[M]):
    """Records whose metadata validates as `M` (a pydantic model or a dict)."""

    def __init__(self, state: StoreState, name: str, metadata: Any) -> None:
        self._state = state
        self.name = name
        self._metadata: TypeAdapter[M] = TypeAdapter(metadata)

    @property
    def index(self) -> VectorIndex:
        """The FAISS index (its `kind` is "exact" or "ivf", `nlist` its IVF lists)."""
        return self._state.indexes[self.name]

    def add(
        self,
        texts: str | Sequence[str],
        *,
        ids: str | Sequence[str] | None = None,
        metadata: M | Mapping[str, Any] | Sequence[M | Mapping[str, Any]] | None = None,
        embeddings: ArrayLike | None = None,
    ) -> list[str]:
        """Add new records; returns their ids (fresh random ones unless given).

        One text may be passed as a plain string with a single id, metadata and vector.
        `embeddings` skips the embedder (vectors are normalised to unit length).
        """
        return self._write(texts, ids, metadata, embeddings, replace=False)

    def upsert(
        self,
        texts: str | Sequence[str],
        *,
        ids: str | Sequence[str],
        metadata: M | Mapping[str, Any] | Sequence[M | Mapping[str, Any]] | None = None,
        embeddings: ArrayLike | None = None,
    ) -> list[str]:
        """Add records, replacing those whose ids exist (their created_at is kept)."""
        return self._write(texts, ids, metadata, embeddings, replace=True)

    def delete(self, ids: str | Sequence[str]) -> int:
        """Remove records from the table and the index; returns how many existed."""
        self._state.check_writable()
        table = self._state.table
        with table.transaction():
            vids = [row[0] for row in table.by_ids(self.name, self._id_list(ids)).values()]
            table.delete_vids(vids)
            self.index.remove(np.array(vids, dtype=np.int64))
        self._state.dirty |= bool(vids)
        return len(vids)

    def get(self, id: str, *, with_embedding: bool = False) -> Record[M] | None:
        found = self.get_many([id], with_embeddings=with_embedding)
        return found[0] if found else None

    def get_many(self, ids: Sequence[str], *, with_embeddings: bool = False) -> list[Record[M]]:
        """Records in the order of `ids`; unknown ids are skipped."""
        rows = self._state.table.by_ids(self.name, self._id_list(ids))
        ordered = [rows[i] for i in ids if i in rows]
        if not with_embeddings:
            return [self._record(row) for row in ordered]
        vectors = self.index.vectors(np.array([row[0] for row in ordered], dtype=np.int64))
        return [self._record(row, vector) for row, vector in zip(ordered, vectors, strict=True)]

    def search(
        self,
        query: str | ArrayLike,
        top_k: int = 10,
        *,
        where: Where | None = None,
        nprobe: int | None = None,
    ) -> list[SearchHit[M]]:
        """The top_k records closest to a text or a vector, best first.

        `where` filters on metadata (see agentkit.memory.filters); `nprobe` overrides the
        IVF lists scanned (more: higher recall, slower).
        """
        if not 1 <= top_k <= MAX_TOP_K:
            raise ConfigError(
                f"top_k must be from 1 to {MAX_TOP_K}, got {top_k}; narrow a larger search "
                "with where= filters"
            )
        if nprobe is not None and nprobe < 1:
            raise ConfigError(f"nprobe must be at least 1, got {nprobe}")
        top_k = min(top_k, max(self.index.ntotal, 1))  # FAISS allocates k results per query
        texts = [query] if isinstance(query, str) else None
        vector = self._vectors(texts, None if texts else query, rows=1)
        table = self._state.table
        allowed = table.vids(self.name, where) if where else None
        vids, scores = self.index.search(vector[0], top_k, allowed, nprobe)
        rows = table.by_vids(vids.tolist())
        return [
            SearchHit(record=self._record(rows[vid]), score=score)
            for vid, score in zip(vids.tolist(), scores.tolist(), strict=True)
        ]

    def count(self, where: Where | None = None) -> int:
        if not where:
            return self.index.ntotal
        return self._state.table.count(self.name, where)

    def bulk(self) -> AbstractContextManager[None]:
        """`with col.bulk(): col.add(...) ...` retrains the index once, at the end."""
        return self.index.deferred_layout()

    def _write(
        self,
        texts: str | Sequence[str],
        ids: str | Sequence[str] | None,
        metadata: Any,
        embeddings: ArrayLike | None,
        replace: bool,
    ) -> list[str]:
        self._state.check_writable()
        if isinstance(texts, str):
            texts = [texts]
            metadata = None if metadata is None else [metadata]
            embeddings = None if embeddings is None else np.reshape(embeddings, (1, -1))
        text_list = list(texts)
        if not all(isinstance(text, str) for text in text_list):
            raise ConfigError("texts must be strings")
        n = len(text_list)
        id_list = _fresh_ids(n) if ids is None else _listed(self._id_list(ids), n, "ids")
        if replace and len(set(id_list)) != n:
            raise self._duplicates(id_list)
        metas = self._metadata_json(metadata, n)
        vectors = self._vectors(text_list, embeddings, rows=n)
        table, index, now = self._state.table, self.index, time.time()
        try:
            with table.transaction():
                first = table.next_vid()
                old = table.by_ids(self.name, id_list) if replace else {}
                old_vids = np.array([row[0] for row in old.values()], dtype=np.int64)
                table.delete_vids(old_vids.tolist())
                created = [old[i][4] if i in old else now for i in id_list] if old else [now] * n
                vids = range(first, first + n)
                rows = zip(vids, id_list, text_list, metas, created, [now] * n, strict=True)
                table.insert(self.name, rows)
                index.add(np.arange(first, first + n, dtype=np.int64), vectors)
                if len(old_vids):
                    index.remove(old_vids)
        except sqlite3.IntegrityError:
            raise self._duplicates(id_list) from None
        self._state.dirty = True
        return id_list

    def _id_list(self, ids: str | Sequence[str]) -> list[str]:
        id_list = [ids] if isinstance(ids, str) else list(ids)
        if not all(isinstance(i, str) and i for i in id_list):
            raise ConfigError("ids must be non-empty strings")
        return id_list

    def _duplicates(self, ids: list[str]) -> DuplicateIdError:
        repeated = [i for i, c in Counter(ids).items() if c > 1]
        clash = repeated or list(self._state.table.by_ids(self.name, ids))
        where = "more than once in this batch" if repeated else f"already in {self.name!r}"
        return DuplicateIdError(
            f"ids {clash[:5]} ({len(clash)} in all) are {where}; nothing was written. "
            "Use upsert() to replace records, or leave out ids= to get fresh ones"
        )

    def _metadata_json(self, metadata: Any, n: int) -> list[str]:
        if metadata is None:
            return [self._dump({})] * n
        if isinstance(metadata, Mapping | BaseModel):
            raise ConfigError("metadata for a list of texts must be a list, one item per text")
        return [self._dump(item) for item in _listed(metadata, n, "metadata")]

    def _dump(self, item: Any) -> str:
        """Validated metadata as JSON; what JSON or the metadata type cannot hold is refused."""
        try:
            value = self._metadata.validate_python(item)
            _check_finite(self._metadata.dump_python(value))
            return self._metadata.dump_json(value).decode()
        except (ValidationError, PydanticSerializationError) as exc:
            raise ConfigError(f"metadata {item!r:.80} is not valid: {exc}") from None

    def _vectors(
        self, texts: list[str] | None, embeddings: ArrayLike | None, *, rows: int
    ) -> Matrix:
        store = self._state
        if embeddings is None:
            if store.embedder is None:
                raise ConfigError(
                    f"store has no embedder; pass vectors (embeddings=, or a vector query) "
                    f"or open it with its embedder {store.embedder_name!r}"
                )
            matrix = store.embedder.embed(texts or [])
        else:
            matrix = np.asarray(embeddings, dtype=np.float32)
            matrix = matrix.reshape(1, -1) if matrix.ndim == 1 else matrix
        if matrix.ndim != 2 or matrix.shape[1] != store.dim:
            raise DimensionMismatchError(
                f"got vectors of shape {matrix.shape}, but this store holds {store.dim}-d "
                f"vectors from {store.embedder_name!r}; embed with that model, or put these "
                "vectors in a new store made for their model"
            )
        if matrix.shape[0] != rows:
            raise ConfigError(f"got {matrix.shape[0]} vectors for {rows} texts; give one per text")
        return normalize_rows(matrix)

    def _record(self, row: Row, vector: Matrix | None = None) -> Record[M]:
        _, id_, text, metadata, created, updated = row
        return Record(
            id=id_,
            text=text,
            metadata=self._metadata.validate_json(metadata),
            created_at=datetime.fromtimestamp(created, timezone.utc),
            updated_at=datetime.fromtimestamp(updated, timezone.utc),
            embedding=None if vector is None else vector.tolist(),
        )
