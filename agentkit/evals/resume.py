"""A run's per-question JSONL as its checkpoint: what is in it is done, so a run started
again with the same file skips those questions (after a crash, a lost cluster, Ctrl-C)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agentkit.errors import ConfigError
from agentkit.paths import atomic_write_text

Result = TypeVar("Result", bound=BaseModel)


def check_out(keep: bool, out: Path | None) -> None:
    """A resumed run needs the directory of the run it continues."""
    if keep and out is None:
        raise ConfigError("--resume continues a run: give its directory with --out")


def finished(
    jsonl: Path, result_type: type[Result], key: Callable[[Result], str]
) -> dict[str, Result]:
    """The results of `result_type` already in `jsonl`, by `key`, the first of any repeat. A
    line a crash tore is dropped, and the file rewritten atomically without it, so that what
    is appended next starts on a line of its own."""
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
