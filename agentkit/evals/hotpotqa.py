"""The HotpotQA dev file in its official format, and its two retrieval settings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

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


def default_path() -> Path:
    """AGENTKIT_HOTPOTQA, else ../shared/data/hotpotqa/ beside the repo or the working dir."""
    if env := os.environ.get("AGENTKIT_HOTPOTQA"):
        return Path(env)
    here = Path(__file__).resolve()
    for base in [Path.cwd(), *Path.cwd().parents, *here.parents]:
        candidate = base / "shared" / "data" / "hotpotqa" / FILE
        if candidate.is_file():
            return candidate
    return Path.cwd().parent / "shared" / "data" / "hotpotqa" / FILE


def load(
    path: str | Path | None = None, n: int | None = None, offset: int = 0
) -> list[HotpotQuestion]:
    p = Path(path) if path else default_path()
    if not p.is_file():
        raise ConfigError(
            f"HotpotQA file not found at {p}. Pass --data PATH (official dev-distractor JSONL) "
            "or set AGENTKIT_HOTPOTQA."
        )
    out: list[HotpotQuestion] = []
    with p.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i < offset or not line.strip():
                continue
            if n is not None and len(out) >= n:
                break
            try:
                row = json.loads(line)
                out.append(HotpotQuestion(id=row["_id"], **{k: row[k] for k in _FIELDS}))
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"{p}:{i + 1} is not an official HotpotQA record: {exc}") from exc
    return out


_FIELDS = ("question", "answer", "type", "level", "supporting_facts", "context")


def open_corpus(questions: list[HotpotQuestion]) -> list[tuple[str, list[str]]]:
    """All distinct paragraphs (by title) of the given questions: the 'open' setting."""
    seen: dict[str, list[str]] = {}
    for q in questions:
        for title, sentences in q.context:
            seen.setdefault(title, sentences)
    return list(seen.items())
