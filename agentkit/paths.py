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
