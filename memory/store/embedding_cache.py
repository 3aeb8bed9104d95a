"""An Embedder that remembers: vectors cached on disk by (model, text) hash.

Embedding the ~10k sentences of the HotpotQA open corpus with MiniLM takes minutes on a
2-core CPU; with the cache a rebuild takes a second. Use it for bulk indexing; queries are
new texts each time, so embed them with the wrapped embedder directly (`inner`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from .disk_cache import DiskCache
from .embedders import Embedder, Matrix


class CachedEmbedder:
    """Wraps `inner`; same name and dim, so stores cannot tell the difference."""

    def __init__(self, inner: Embedder, cache: DiskCache, *, batch_size: int = 256) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = batch_size
        self.hits = 0
        self.misses = 0

    def _key(self, text: str) -> str:
        digest = hashlib.sha256(f"{self.name}\x00{text}".encode()).hexdigest()
        return f"emb:{digest}"

    def embed(self, texts: Sequence[str]) -> Matrix:
        keys = [self._key(t) for t in texts]
        found = self.cache.get_many(keys)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self.inner.embed(batch)
            pairs = zip(batch, vectors, strict=True)
            fresh = {self._key(t): v.astype(np.float32).tobytes() for t, v in pairs}
            self.cache.put_many(fresh)  # each batch is kept even if a later one fails
            found.update(fresh)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = np.frombuffer(found[key], dtype=np.float32)
        return out
