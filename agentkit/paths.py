"""Where agentkit keeps models, server state and caches (override with AGENTKIT_HOME)."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("AGENTKIT_HOME", Path.home() / ".cache" / "agentkit")).expanduser()


def models_dir() -> Path:
    return Path(os.environ.get("AGENTKIT_MODELS", home() / "models")).expanduser()


def servers_dir() -> Path:
    return home() / "servers"


def data_dir() -> Path:
    """Downloaded data sets (e.g. the official HotpotQA dev file)."""
    return home() / "data"


def atomic_write_text(path: Path, text: str) -> Path:
    """Write `text` beside `path`, fsync it and rename it into place: a crash leaves the old
    file or the new one, never half of one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
