"""What a store shares with its collections: records, indexes, embedder and write state.

Collections hold this object rather than the store itself, so `collection.py` needs nothing
from `store.py` (no import cycle) and neither reaches into the other's private fields.
"""

from __future__ import annotations

from pathlib import Path

from agentkit.errors import ReadOnlyStoreError

from .catalog import RecordTable
from .embedders import Embedder
from .index import VectorIndex


class StoreState:
    def __init__(self, embedder: Embedder | None, dim: int, embedder_name: str) -> None:
        self.embedder = embedder
        self.dim = dim
        self.embedder_name = embedder_name
        self.table = RecordTable()
        self.indexes: dict[str, VectorIndex] = {}
        self.dirty = False
        self.read_only = False
        self.path: Path | None = None

    def check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(
                f"store {self.path} is read-only or closed; open it with "
                "VectorStore.open(path, embedder) to write"
            )
