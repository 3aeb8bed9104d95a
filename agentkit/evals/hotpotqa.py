"""HotpotQA dev questions in the official format (200 ship with agentkit), and its two
retrieval settings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from agentkit.errors import ConfigError

Setting = Literal["distractor", "open"]
FILE = "hotpot_dev_distractor_200.jsonl"


class HotpotQuestion(BaseModel):
    id: str
    question: str
    answer: str
    type: str
    level: str
    supporting_facts: list[tuple[str, int]]
    context: list[tuple[str, list[str]]]


SHIPPED = Path(__file__).parent / "data" / FILE
"""The 200 dev questions that ship with agentkit (see data/README.md: CC BY-SA 4.0)."""
SHIPPED_LABEL = "HotpotQA dev distractor (shipped, 200)"


def default_path() -> Path:
    """AGENTKIT_HOTPOTQA when set, else the shipped 200 questions."""
    return Path(env) if (env := os.environ.get("AGENTKIT_HOTPOTQA")) else SHIPPED


def data_label(path: str | Path | None = None) -> str:
    """What a table or plot title calls the data: the file's name, or the shipped sample."""
    p = Path(path) if path else default_path()
    return SHIPPED_LABEL if p.resolve() == SHIPPED.resolve() else p.name


def load(
    path: str | Path | None = None, n: int | None = None, offset: int = 0
) -> list[HotpotQuestion]:
    """Questions from a file in the official format: the official single JSON array
    (hotpot_dev_distractor_v1.json) or one record per line (JSON Lines)."""
    p = Path(path) if path else default_path()
    if not p.is_file():
        raise ConfigError(
            f"HotpotQA file not found at {p}. Pass --data PATH (official dev-distractor JSON or "
            "JSONL) or set AGENTKIT_HOTPOTQA; without either the shipped 200 questions are used."
        )
    out: list[HotpotQuestion] = []
    for k, (where, row) in enumerate(_records(p)):
        if len(out) == n:
            break
        if k >= offset:
            out.append(_question(row, f"{p}:{where}"))
    return out


def _records(p: Path) -> Iterator[tuple[int, Any]]:
    """(1-based line or array position, parsed record); a JSON array is read whole."""
    with p.open(encoding="utf-8") as fh:
        first = fh.read(1)
        while first.isspace():
            first = fh.read(1)
        fh.seek(0)
        if first == "[":
            try:
                rows = json.load(fh)
            except ValueError as exc:
                raise ConfigError(f"{p} is not valid JSON: {exc}") from exc
            yield from enumerate(rows, 1)
            return
        for i, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield i, json.loads(line)
                except ValueError as exc:
                    raise ConfigError(f"{p}:{i} is not an official HotpotQA record: {exc}") from exc


def _question(row: Any, where: str) -> HotpotQuestion:
    try:
        return HotpotQuestion(id=row["_id"], **{k: row[k] for k in _FIELDS})
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{where} is not an official HotpotQA record: {exc!r}") from exc


_FIELDS = ("question", "answer", "type", "level", "supporting_facts", "context")


def open_corpus(questions: list[HotpotQuestion]) -> list[tuple[str, list[str]]]:
    """All distinct paragraphs (by title) of the given questions: the 'open' setting."""
    seen: dict[str, list[str]] = {}
    for q in questions:
        for title, sentences in q.context:
            seen.setdefault(title, sentences)
    return list(seen.items())
