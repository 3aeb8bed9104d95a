"""What a run ran with, written beside its numbers so a reader can tell what they measure.

Every benchmark JSON and every `agentkit eval` summary carries this block: the code's git
commit (and whether the tree had uncommitted changes), the machine, the time, and the
caller's own settings (model, data file, setting, ...).
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def git_commit(repo: Path = REPO) -> dict[str, Any]:
    """{"commit", "dirty"} of the checkout agentkit runs from; commit None outside git."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


LOADED = git_commit()
"""The checkout when this process imported agentkit: the code a run ran is the code it loaded,
even when the checkout moves on during a long benchmark."""


def run_info(**settings: Any) -> dict[str, Any]:
    """The provenance block: git (as loaded, and `git_at_end` when the checkout has changed
    since), machine and time, plus `settings` as given."""
    now = git_commit()
    return {
        **settings,
        "git": LOADED,
        **({"git_at_end": now} if now != LOADED else {}),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
