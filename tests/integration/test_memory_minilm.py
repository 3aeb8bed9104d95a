"""The packaged all-MiniLM-L6-v2 model in a real store: neighbours should make sense."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agentkit.errors import EmbedderMismatchError
from agentkit.memory.store import HashingEmbedder, SentenceTransformerEmbedder, VectorStore

pytestmark = pytest.mark.integration

CORPUS = {
    "cat": "The cat is sleeping on the sofa.",
    "stocks": "Stock markets fell sharply after the interest rate decision.",
    "baking": "The recipe needs two cups of flour, sugar and an egg.",
    "space": "The spacecraft entered orbit around Mars.",
    "football": "He scored the winning goal in the final minute.",
    "weather": "Heavy rain is expected tomorrow across the region.",
}
# Paraphrases that share (almost) no words with their targets.
QUERIES = {
    "A kitten naps on the couch": "cat",
    "Shares dropped when the central bank raised borrowing costs": "stocks",
    "Ingredients for making a cake": "baking",
    "A probe reached the red planet": "space",
    "The striker won the match late": "football",
    "Storms and showers forecast for the weekend": "weather",
}


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def test_model_shape_and_name(minilm: SentenceTransformerEmbedder) -> None:
    vectors = minilm.embed(["hello", "world", ""])
    assert minilm.dim == 384 and minilm.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_semantic_neighbours_make_sense(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    with VectorStore.open(tmp_path, minilm) as store:
        store.collection("facts").add(list(CORPUS.values()), ids=list(CORPUS))
    store = VectorStore.open(tmp_path, minilm, read_only=True)
    facts = store.collection("facts")
    for query, expected in QUERIES.items():
        hits = facts.search(query, top_k=2)
        assert hits[0].record.id == expected, (query, [h.record.id for h in hits])
        assert hits[0].score > hits[1].score + 0.05
    # The word-hashing baseline cannot bridge paraphrases this well.
    hashing = VectorStore(HashingEmbedder()).collection("facts")
    hashing.add(list(CORPUS.values()), ids=list(CORPUS))
    hashed_right = sum(hashing.search(q, 1)[0].record.id == e for q, e in QUERIES.items())
    assert hashed_right < len(QUERIES)
    with pytest.raises(EmbedderMismatchError, match="all-MiniLM-L6-v2"):
        VectorStore.open(tmp_path, HashingEmbedder(dim=384), read_only=True)
