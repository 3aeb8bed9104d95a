"""The on-disk caches behind a free rebuild: embeddings by (model, text), values by key."""

import numpy as np
import pytest

from agentkit.errors import ConfigError
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.memory.store.embedders import HashingEmbedder
from agentkit.memory.store.embedding_cache import CachedEmbedder


class Counting(HashingEmbedder):
    def __init__(self, fail_after=None):
        super().__init__(dim=16)
        self.seen, self.fail_after = [], fail_after

    def embed(self, texts):
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise RuntimeError("model crashed")
        self.seen.extend(texts)
        return super().embed(texts)


def test_cached_embedder_embeds_each_text_once_across_instances(tmp_path):
    path = tmp_path / "emb.sqlite"
    inner = Counting()
    first = CachedEmbedder(inner, DiskCache(path), batch_size=2)
    vectors = first.embed(["a b", "c d", "a b", "e f"])
    assert inner.seen == ["a b", "c d", "e f"] and (first.hits, first.misses) == (1, 3)
    np.testing.assert_allclose(vectors, HashingEmbedder(dim=16).embed(["a b", "c d", "a b", "e f"]))
    again = CachedEmbedder(Counting(), DiskCache(path))
    np.testing.assert_array_equal(again.embed(["e f", "a b"]), vectors[[3, 0]])
    assert again.inner.seen == [] and again.hits == 2
    assert (again.name, again.dim) == (inner.name, 16)


def test_a_crash_keeps_the_batches_already_embedded(tmp_path):
    cache = DiskCache(tmp_path / "emb.sqlite")
    crashing = CachedEmbedder(Counting(fail_after=2), cache, batch_size=2)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.embed(["a", "b", "c", "d"])
    resumed = CachedEmbedder(Counting(), cache, batch_size=2)
    resumed.embed(["a", "b", "c", "d"])
    assert resumed.inner.seen == ["c", "d"]


def test_disk_cache_round_trip_and_bad_path(tmp_path):
    cache = DiskCache(tmp_path / "kv.sqlite")
    cache.put_many(
        {f"k{i}": str(i).encode() for i in range(700)}
    )  # more keys than one SELECT takes
    found = cache.get_many([f"k{i}" for i in range(0, 800, 7)])
    assert found == {f"k{i}": str(i).encode() for i in range(0, 700, 7)} and len(cache) == 700
    cache.put_many({"k1": b"new"})
    assert cache.get_many(["k1"]) == {"k1": b"new"}
    with pytest.raises(ConfigError, match="directory"):
        DiskCache(tmp_path)
