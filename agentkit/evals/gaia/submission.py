"""Leaderboard submissions (`task_id`, `model_answer`, `reasoning_trace` per JSON line),
and the `FINAL ANSWER:` the authors' prompt asks for, which the submitter extracts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from agentkit.paths import atomic_write_text

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
    text = "".join(
        json.dumps(line.model_dump(exclude_none=True), ensure_ascii=False) + "\n" for line in lines
    )
    return atomic_write_text(Path(path), text)


def read_submission(path: str | Path) -> list[SubmissionLine]:
    with Path(path).open(encoding="utf-8") as fh:
        return [SubmissionLine.model_validate_json(line) for line in fh if line.strip()]
