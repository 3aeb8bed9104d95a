"""Leaderboard submissions (`task_id`, `model_answer`, `reasoning_trace` per JSON line),
and the `FINAL ANSWER:` the authors' prompt asks for, which the submitter extracts."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

_FINAL = re.compile(r"FINAL ANSWER\s*:", re.IGNORECASE)


class SubmissionLine(BaseModel):
    task_id: str
    model_answer: str
    reasoning_trace: str | None = None


def final_answer(text: str) -> str:
    """What follows the last `FINAL ANSWER:` (its first line, trimmed), else the text."""
    found = list(_FINAL.finditer(text))
    if not found:
        return text.strip()
    lines = text[found[-1].end() :].strip().splitlines()
    return lines[0].strip() if lines else ""


def write_submission(path: str | Path, lines: Iterable[SubmissionLine]) -> Path:
    """Write the JSONL atomically (a temporary file, fsync, rename): a crash leaves the old
    file or the new one, never half of one."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(line.model_dump(exclude_none=True), ensure_ascii=False))
                out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def read_submission(path: str | Path) -> list[SubmissionLine]:
    with Path(path).open(encoding="utf-8") as fh:
        return [SubmissionLine.model_validate_json(line) for line in fh if line.strip()]
