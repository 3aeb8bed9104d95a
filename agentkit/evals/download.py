"""The official HotpotQA dev-distractor file, fetched on request into agentkit's data dir.

The 200 shipped questions need no network; this is for runs on more of the dev set. The
file is checked against its published sha256 and moved into place only when it matches,
so an interrupted or altered download never becomes the data a run reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from agentkit.errors import DownloadError
from agentkit.evals.hotpotqa import SHIPPED
from agentkit.models import file_sha256
from agentkit.paths import data_dir

URL = "http://curtis.ml.cmu.edu/datasets/hotpot/hotpot_dev_distractor_v1.json"
SHA256 = "4e9ecb5c8d3b719f624d66b60f8d56bf227f03914f5f0753d6fa1b359d7104ea"
NAME = "hotpot_dev_distractor_v1.json"  # 7,405 questions, 46,320,117 bytes
OnProgress = Callable[[int, int | None], None]  # (bytes so far, total or None)


def official_path() -> Path:
    return data_dir() / "hotpotqa" / NAME


def download(*, force: bool = False, progress: OnProgress | None = None) -> Path:
    """The official file's path, downloaded first unless a verified copy is there."""
    dest = official_path()
    if dest.is_file() and not force and file_sha256(dest) == SHA256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{NAME}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(URL, out, progress)
            out.flush()
            os.fsync(out.fileno())
        if digest != SHA256:
            raise DownloadError(
                f"{URL} sent a file with sha256 {digest}, not the published {SHA256}; it was "
                "not kept. Try again later, or pass --data PATH with a copy you trust."
            )
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def _fetch(url: str, out: IO[bytes], progress: OnProgress | None) -> str:
    """Stream `url` into `out`; its sha256. Network failures become one DownloadError."""
    h = hashlib.sha256()
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=30.0) as reply:
            reply.raise_for_status()
            size = reply.headers.get("content-length")
            total, done = (int(size) if size else None), 0
            for chunk in reply.iter_bytes(1 << 20):
                h.update(chunk)
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"could not download {url} ({type(exc).__name__}: {exc}). Offline? Pass --data PATH "
            f"with a copy of {NAME} (or any file in the official format), or leave out "
            "--download to use the 200 questions that ship with agentkit."
        ) from None
    return h.hexdigest()


def check_shipped(official: Path) -> tuple[int, int]:
    """(shipped records identical to the official record with the same id, shipped records)."""
    by_id = {row["_id"]: row for row in json.loads(official.read_text(encoding="utf-8"))}
    shipped = [json.loads(line) for line in SHIPPED.read_text(encoding="utf-8").splitlines()]
    same = sum(by_id.get(row["_id"]) == row for row in shipped)
    return same, len(shipped)


def download_with_bar(*, force: bool = False) -> Path:
    """`download` with a rich progress bar (bytes, speed) while it fetches."""
    columns = (TextColumn(NAME), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(NAME, total=None)
        return download(
            force=force, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
