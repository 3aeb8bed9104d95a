"""Embedders: hashing determinism and quality floor, the HTTP embedder, normalisation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import numpy as np
import pytest

from agentkit.errors import (
    ConfigError,
    DimensionMismatchError,
    LLMError,
    ModelIntegrityError,
    ServerUnreachableError,
)
from agentkit.memory.store import Embedder, HashingEmbedder, VLLMEmbedder, normalize_rows
from agentkit.memory.store import embedders as embedders_module

TEXTS = ["The cat sat on the mat.", "A dog barked at the mailman.", "", "the CAT sat"]


def test_hashing_is_deterministic_within_and_across_processes() -> None:
    emb = HashingEmbedder(dim=64)
    first = emb.embed(TEXTS)
    assert first.dtype == np.float32 and first.shape == (4, 64)
    np.testing.assert_array_equal(first, HashingEmbedder(dim=64).embed(TEXTS))
    code = (
        "import json; from agentkit.memory.store import HashingEmbedder; "
        f"print(json.dumps(HashingEmbedder(dim=64).embed({TEXTS!r}).tolist()))"
    )
    # A fresh interpreter has a different str-hash salt; the vectors must not change.
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    np.testing.assert_array_equal(first, np.array(json.loads(out.stdout), dtype=np.float32))


def test_hashing_rows_are_unit_or_zero_and_track_shared_words() -> None:
    vectors = HashingEmbedder(dim=256).embed(TEXTS)
    norms = np.linalg.norm(vectors, axis=1)
    np.testing.assert_allclose(norms, [1, 1, 0, 1], atol=1e-6)
    sims = vectors @ vectors.T
    # "the CAT sat" shares words (case-folded) with the cat sentence, none with the dog one.
    assert sims[3, 0] > 0.5 > abs(sims[3, 1])


def test_hashing_name_encodes_its_settings_and_bad_settings_fail() -> None:
    assert HashingEmbedder(dim=32).name != HashingEmbedder(dim=64).name
    assert HashingEmbedder(ngrams=(1, 1)).name != HashingEmbedder(ngrams=(1, 2)).name
    assert isinstance(HashingEmbedder(), Embedder)
    with pytest.raises(ValueError):
        HashingEmbedder(ngrams=(2, 1))
    with pytest.raises(ValueError):
        HashingEmbedder(dim=0)


def test_normalize_rows_reuses_unit_input_and_rejects_nan() -> None:
    unit = np.eye(3, dtype=np.float32)
    assert normalize_rows(unit) is unit
    scaled = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(scaled, [[0.6, 0.8], [0.0, 0.0]], atol=1e-7)
    with pytest.raises(ConfigError, match="NaN"):
        normalize_rows(np.array([[np.nan, 1.0]]))


def _server(dim: int, calls: list[list[str]]) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        inputs = json.loads(request.content)["input"]
        calls.append(inputs)
        # Answer out of order: the client must sort by "index".
        data = [
            {"index": i, "embedding": [float(len(t)), 1.0] + [0.0] * (dim - 2)}
            for i, t in enumerate(inputs)
        ]
        return httpx.Response(200, json={"data": data[::-1]})

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_vllm_embedder_probes_dim_batches_orders_and_normalises() -> None:
    calls: list[list[str]] = []
    emb = VLLMEmbedder("bge", batch_size=2, client=_server(4, calls))
    assert emb.dim == 4 and emb.name == "openai-embeddings:bge"
    out = emb.embed(["a", "bbb", "cc"])
    assert [len(c) for c in calls] == [1, 2, 1]  # the probe, then batches of 2
    expected = normalize_rows(np.array([[1, 1, 0, 0], [3, 1, 0, 0], [2, 1, 0, 0]]))
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert emb.embed([]).shape == (0, 4)


def test_vllm_embedder_errors_are_typed() -> None:
    with pytest.raises(DimensionMismatchError):
        VLLMEmbedder("bge", dim=8, client=_server(4, [])).embed(["x"])
    failing = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(404, text="no such model"))
    )
    with pytest.raises(LLMError, match="404"):
        VLLMEmbedder("bge", dim=4, client=failing).embed(["x"])

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServerUnreachableError, match="vllm serve bge"):
        VLLMEmbedder("bge", client=httpx.Client(transport=httpx.MockTransport(refuse)))


def test_packaged_model_is_checked_against_its_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (embedders_module.packaged_model_path() / "model.safetensors").is_file()
    monkeypatch.setattr(embedders_module, "PACKAGED_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelIntegrityError, match="force-reinstall"):
        embedders_module.packaged_model_path()
