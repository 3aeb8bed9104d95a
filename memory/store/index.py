"""One collection's FAISS index: exact while small, IVF-Flat once it grows.

Why IVF and not HNSW, measured on this 2-core CPU (benchmarks/results/memory_scale.md):
IVF builds 43x faster on 100k random 384-d vectors (111k/s vs 2.6k/s for HNSW32) and 4x
faster on 10k MiniLM embeddings; at equal latency it has the higher recall on random
data (0.46 at 1.6 ms vs 0.39 at 1.4 ms), HNSW a little higher on real text (0.99 vs 0.96
at 0.06 ms); and `remove_ids` really removes a vector, where HNSW needs tombstones.

Why about sqrt(n) lists and nprobe 16, measured at 1M text-like vectors (MiniLM
embeddings plus noise, see the benchmark) with the cores shared: 1024 lists at nprobe 16
answer in 1.6 ms at recall@10 0.99 through the store (nprobe 32: 3.2 ms). 4096 lists, the
low end of FAISS's 4-16 sqrt(n) advice, answer in 0.7 ms at 0.98 (0.5 ms with an HNSW32
quantizer) but build at 10k/s (14k/s) against 52k/s for 1024 lists: every added vector is
scored against every list, which would sink the 50k/s ingest target.

Layout: an `IndexIDMap2(IndexFlatIP)` below `exact_max` vectors (exact, ~1 ms per query at
20k); at `exact_max` it retrains as IVF-Flat with about sqrt(n) lists (a power of two),
retrains with more lists each time sqrt(n) doubles, and goes back to exact below half of
`exact_max`. Vectors live only in FAISS; a rebuild reads them back from the index.
Ids are int64 keys chosen by the caller. With a GPU (and faiss-gpu) unfiltered searches
run on a GPU copy made with `index_cpu_to_gpu`; the CPU index stays the source of truth.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
from faiss.contrib.inspect_tools import get_invlist
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from agentkit.errors import ConfigError

Ids = NDArray[np.int64]
Matrix = NDArray[np.float32]
_CHUNK = 65_536


class IndexSettings(BaseModel):
    """How an index trades recall for speed. Defaults come from the benchmark."""

    model_config = ConfigDict(frozen=True)

    exact_max: int = Field(default=20_000, ge=1, description="exact search below this many vectors")
    # 16: recall@10 0.97 on real MiniLM text at 128 lists, 0.99 on 1M text-like vectors at
    # 1024 lists (p50 1.6 ms there; 32 was 3.2 ms, over the 2 ms target).
    nprobe: int = Field(default=16, ge=1, description="IVF lists scanned per query")
    train_per_list: int = Field(default=40, ge=1, description="k-means sample: lists x this")
    kmeans_iters: int = Field(default=10, ge=1)
    exact_filter_max: int = Field(
        default=20_000,
        ge=0,
        description="filters allowing at most this many ids are scored exactly",
    )
    gpu: bool | None = Field(default=None, description="None: use a GPU when faiss sees one")


def lists_for(n: int) -> int:
    """IVF list count for n vectors: the power of two nearest sqrt(n)."""
    return 2 ** round(math.log2(math.sqrt(max(n, 1))))


@cache
def _gpu_resources() -> Any:
    return faiss.StandardGpuResources()


def _top_k(ids: Ids, scores: Matrix, k: int) -> tuple[Ids, Matrix]:
    if len(ids) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")
    return ids[order], scores[order]


class VectorIndex:
    """Add, remove, reconstruct and search unit vectors by int64 id (inner product)."""

    def __init__(self, dim: int, settings: IndexSettings, index: Any = None) -> None:
        self.dim = dim
        self.settings = settings
        self._cpu: Any = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._gpu: Any = None
        self._deferred = 0
        self._use_gpu = faiss.get_num_gpus() > 0 if settings.gpu is None else settings.gpu
        if self._use_gpu and faiss.get_num_gpus() == 0:
            raise ConfigError("IndexSettings(gpu=True) but faiss sees no GPU; install faiss-gpu")

    @property
    def kind(self) -> Literal["exact", "ivf"]:
        return "ivf" if isinstance(self._cpu, faiss.IndexIVF) else "exact"

    @property
    def nlist(self) -> int:
        """IVF list count; 0 while exact."""
        return int(self._cpu.nlist) if self.kind == "ivf" else 0

    @property
    def ntotal(self) -> int:
        return int(self._cpu.ntotal)

    def add(self, ids: Ids, vectors: Matrix) -> None:
        self._cpu.add_with_ids(vectors, ids)
        self._gpu = None
        self._relayout_if_needed()

    def remove(self, ids: Ids) -> int:
        removed = int(self._cpu.remove_ids(faiss.IDSelectorArray(ids)))
        self._gpu = None
        self._relayout_if_needed()
        return removed

    def vectors(self, ids: Ids) -> Matrix:
        """The stored vectors of `ids` (all must be present)."""
        if len(ids) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._cpu.reconstruct_batch(ids), dtype=np.float32)

    @contextmanager
    def deferred_layout(self) -> Iterator[None]:
        """Hold layout changes (retraining) until the block ends: for bulk loads."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
            self._relayout_if_needed()

    def search(
        self, query: Matrix, k: int, allowed: Ids | None = None, nprobe: int | None = None
    ) -> tuple[Ids, Matrix]:
        """Ids and scores of the k best matches, best first; `allowed` restricts the ids."""
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        ivf = self.kind == "ivf"
        probe = nprobe or self.settings.nprobe
        if allowed is None:
            params = self._params(probe) if ivf else None
            scores, ids = self._search_index().search(q, k, params=params)
        elif ivf and len(allowed) <= self.settings.exact_filter_max:
            return self._exact_among(q[0], allowed, k)
        else:
            selector = faiss.IDSelectorBatch(allowed)
            scores, ids = self._cpu.search(q, k, params=self._params(probe, selector))
        found = ids[0] >= 0
        if allowed is not None and found.sum() < min(k, len(allowed)):
            # The probed lists held too few allowed ids; score all allowed ones exactly.
            return self._exact_among(q[0], allowed, k)
        return ids[0][found].astype(np.int64), scores[0][found]

    def _params(self, nprobe: int, selector: Any = None) -> Any:
        ivf = self.kind == "ivf"
        params: Any = faiss.SearchParametersIVF() if ivf else faiss.SearchParameters()
        if ivf:
            params.nprobe = nprobe
        params.sel = selector
        return params

    def _exact_among(self, query: Matrix, allowed: Ids, k: int) -> tuple[Ids, Matrix]:
        best_ids, best_scores = np.zeros(0, np.int64), np.zeros(0, np.float32)
        for start in range(0, len(allowed), _CHUNK):
            chunk = allowed[start : start + _CHUNK]
            ids = np.concatenate([best_ids, chunk])
            scores = np.concatenate([best_scores, self.vectors(chunk) @ query])
            best_ids, best_scores = _top_k(ids, scores, k)
        return best_ids, best_scores

    def _search_index(self) -> Any:
        if not self._use_gpu:
            return self._cpu
        if self._gpu is None:
            self._gpu = faiss.index_cpu_to_gpu(_gpu_resources(), 0, self._cpu)
        return self._gpu

    def _wanted_lists(self) -> int:
        n = self.ntotal
        if self.kind == "exact":
            return lists_for(n) if n >= self.settings.exact_max else 0
        if n < self.settings.exact_max // 2:
            return 0
        return max(self.nlist, lists_for(n))

    def _relayout_if_needed(self) -> None:
        wanted = self._wanted_lists()
        if not self._deferred and wanted != self.nlist:
            self._rebuild(wanted)

    def _dump(self) -> tuple[Ids, Matrix]:
        if self.kind == "exact":
            ids = faiss.vector_to_array(self._cpu.id_map).astype(np.int64)
            # A view of the flat index's storage, not a copy: it stays valid until
            # _rebuild swaps the index, and saves a full copy (GBs at 1M vectors).
            flat: Any = faiss.downcast_index(self._cpu.index)
            data = faiss.rev_swig_ptr(flat.get_xb(), self.ntotal * self.dim)
            return ids, data.reshape(self.ntotal, self.dim)
        parts = [get_invlist(self._cpu.invlists, i) for i in range(self.nlist)]
        ids = np.concatenate([part_ids for part_ids, _ in parts]).astype(np.int64)
        codes = np.concatenate([part_codes for _, part_codes in parts])
        return ids, codes.view(np.float32).reshape(-1, self.dim)

    def _rebuild(self, nlist: int) -> None:
        ids, vectors = self._dump()
        index: Any
        if nlist == 0:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        else:
            index = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(self.dim), self.dim, nlist, faiss.METRIC_INNER_PRODUCT
            )
            index.cp.niter = self.settings.kmeans_iters
            sample_size = min(len(ids), nlist * self.settings.train_per_list)
            sample = np.random.default_rng(len(ids)).choice(len(ids), sample_size, replace=False)
            index.train(vectors[np.sort(sample)])
            index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.add_with_ids(vectors, ids)
        self._cpu, self._gpu = index, None

    def write(self, path: Path) -> None:
        faiss.write_index(self._cpu, str(path))

    @classmethod
    def read(cls, path: Path, dim: int, settings: IndexSettings) -> VectorIndex:
        """Load a saved index; RuntimeError or ValueError when the file is not one of ours."""
        index = faiss.read_index(str(path))
        if index.d != dim or not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVFFlat):
            raise ValueError(f"it holds a {index.d}-d {type(index).__name__}, not {dim}-d")
        return cls(dim, settings, index)
