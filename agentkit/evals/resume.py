"""A run's per-question JSONL as its checkpoint: what is in it is done, so a run started
again with the same file skips those questions (after a crash, a lost cluster, Ctrl-C)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from agentkit.evals.runner import QuestionResult
from agentkit.paths import atomic_write_text


def finished(jsonl: Path) -> dict[str, QuestionResult]:
    """The results already in `jsonl`, by question id (the first of any repeat). A line a
    crash tore is dropped, and the file rewritten atomically without it, so that what is
    appended next starts on a line of its own."""
    if not jsonl.is_file():
        return {}
    done: dict[str, QuestionResult] = {}
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    for line in lines:
        try:
            result = QuestionResult.model_validate_json(line)
        except ValidationError:
            continue
        done.setdefault(result.id, result)
    kept = [r.model_dump_json() for r in done.values()]
    if kept != lines:
        atomic_write_text(jsonl, "".join(line + "\n" for line in kept))
    return done


def append(jsonl: Path, result: QuestionResult) -> None:
    """One result as one line, written as soon as the question is done."""
    with jsonl.open("a", encoding="utf-8") as fh:
        fh.write(result.model_dump_json() + "\n")
