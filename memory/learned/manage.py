"""Looking after a store of learned memories: list, search, show, remove, export, import.

What `agentkit memory ...` runs, usable from Python as well. A store is reopened with the
embedder it was built with (rebuilt from the name its manifest records), so searching and
importing embed exactly as learning did. Exports are JSON lines, one item each (id, memory,
text, metadata, created_at), and import upserts them by id (re-embedding their text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from agentkit.errors import ConfigError

from ..store import Embedder, HashingEmbedder, Record, VectorStore
from ..store.embedders import PACKAGED_MODEL_NAME, SentenceTransformerEmbedder
from . import KINDS
from .base import whole_collection
from .items import ItemMeta

_HASHING = re.compile(r"hashing-v1:dim=(\d+):ngrams=(\d+)-(\d+)")


def embedder_named(name: str) -> Embedder:
    """The embedder a store records as `name` (hashing, or a sentence-transformers model)."""
    match = _HASHING.fullmatch(name)
    if match:
        dim, low, high = (int(g) for g in match.groups())
        return HashingEmbedder(dim, (low, high))
    if name.startswith("openai-embeddings:") or name == "precomputed":
        raise ConfigError(f"a store embedded with {name!r} cannot be reopened here by name")
    return SentenceTransformerEmbedder(None if name == PACKAGED_MODEL_NAME else name)


def open_store(path: str | Path, *, read_only: bool, embed: bool = False) -> VectorStore:
    """A saved store of memories; `embed` also loads its embedder (to search or import)."""
    if not embed:
        return VectorStore.open(path, read_only=read_only)
    name = VectorStore.open(path, read_only=True).embedder_name
    return VectorStore.open(path, embedder_named(name), read_only=read_only)


def memory_names(store: VectorStore, kind: str | None = None) -> list[str]:
    """The store's memory collections (those of the known kinds), or just `kind`'s."""
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown memory {kind!r}; choose from {', '.join(KINDS)}")
    names = [n for n in store.collections() if n in KINDS]
    return [n for n in names if kind is None or n == kind]


def items(store: VectorStore, kind: str | None = None) -> Iterator[tuple[str, Record[ItemMeta]]]:
    """Every item, as (memory, record)."""
    for name in memory_names(store, kind):
        col = store.collection(name, ItemMeta)
        if col.count():
            for hit in col.search(whole_collection(store.dim), col.count()):
                yield name, hit.record


def summary(memory: str, record: Record[ItemMeta], score: float | None = None) -> dict[str, Any]:
    p = record.metadata.provenance
    row = {
        "id": record.id,
        "memory": memory,
        "kind": record.metadata.kind,
        "label": record.metadata.label,
        "uses": p.uses,
        "trust": round(p.trust, 3),
        "judge": p.judge,
        "runs": len(p.run_ids),
    }
    return row if score is None else {**row, "score": round(score, 4)}


def search(
    store: VectorStore, text: str, k: int = 5, kind: str | None = None
) -> list[dict[str, Any]]:
    rows = []
    for name in memory_names(store, kind):
        col = store.collection(name, ItemMeta)
        if col.count():
            rows += [summary(name, h.record, h.score) for h in col.search(text, k)]
    return sorted(rows, key=lambda r: -r["score"])[:k]


def find(store: VectorStore, item_id: str) -> tuple[str, Record[ItemMeta]]:
    for name in memory_names(store):
        record = store.collection(name, ItemMeta).get(item_id)
        if record is not None:
            return name, record
    raise ConfigError(f"no memory item {item_id!r} in {store.path}; `agentkit memory ls` lists ids")


def remove(store: VectorStore, ids: Iterable[str]) -> int:
    """Delete items by id from whichever memory holds them, then save; returns how many."""
    wanted = list(ids)
    removed = sum(store.collection(n, ItemMeta).delete(wanted) for n in memory_names(store))
    if removed:
        store.save()
    return removed


def export_lines(store: VectorStore, kind: str | None = None) -> Iterator[str]:
    for name, record in items(store, kind):
        line = {
            "id": record.id,
            "memory": name,
            "text": record.text,
            "metadata": record.metadata.model_dump(mode="json"),
            "created_at": record.created_at.isoformat(),
        }
        yield json.dumps(line, ensure_ascii=False)


def import_lines(store: VectorStore, lines: Iterable[str]) -> int:
    """Upsert exported items (each validated; a bad line is a ConfigError naming it)."""
    count = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            name = str(row["memory"])
            meta = ItemMeta.model_validate(row["metadata"])
            memory_names(store, name)
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"line {number} is not an exported memory item: {exc}") from None
        store.collection(name, ItemMeta).upsert(meta.render(), ids=str(row["id"]), metadata=meta)
        count += 1
    if count:
        store.save()
    return count
