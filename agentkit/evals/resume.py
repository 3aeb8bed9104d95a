"""A run's per-question JSONL as its checkpoint: what is in it is done, so a run started
again with the same file skips those questions (after a crash, a lost cluster, Ctrl-C)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agentkit.evals.runner import QuestionResult
from agentkit.paths import atomic_write_text

Result = TypeVar("Result", bound=BaseModel)


def finished(
    jsonl: Path,
    result_type: type[Result] = QuestionResult,  # type: ignore[assignment]
    key: Callable[[Result], str] = attrgetter("id"),
) -> dict[str, Result]:
    """The results already in `jsonl` (HotpotQA's by default; GAIA's with their type and
    `attrgetter("task_id")`), by id, the first of any repeat. A line a crash tore is dropped,
    and the file rewritten atomically without it, so that what is appended next starts on a
    line of its own."""
    if not jsonl.is_file():
        return {}
    done: dict[str, Result] = {}
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    for line in lines:
        try:
            result = result_type.model_validate_json(line)
        except ValidationError:
            continue
        done.setdefault(key(result), result)
    kept = [r.model_dump_json() for r in done.values()]
    if kept != lines:
        atomic_write_text(jsonl, "".join(line + "\n" for line in kept))
    return done


def append(jsonl: Path, result: BaseModel) -> None:
    """One result as one line, written as soon as the question is done."""
    with jsonl.open("a", encoding="utf-8") as fh:
        fh.write(result.model_dump_json() + "\n")
