"""GAIA tasks in the official layout: `metadata.jsonl` (or its Parquet twin) with the
attachments beside it. No GAIA data ships with agentkit; a copy is the user's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from agentkit.errors import ConfigError

METADATA = ("metadata.jsonl", "metadata.parquet")
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "gaia_tasks"
"""The GAIA-style tasks written for agentkit (see its README.md): not GAIA's own."""


class GaiaTask(BaseModel):
    task_id: str
    question: str = Field(alias="Question")
    level: int = Field(alias="Level")
    final_answer: str | None = Field(default=None, alias="Final answer")
    file_name: str = ""
    file_path: Path | None = None  # the attachment on disk, when there is one
    annotator_metadata: dict[str, Any] = Field(default_factory=dict, alias="Annotator Metadata")

    model_config = {"populate_by_name": True}

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> int:
        """An int in most copies, a string ("1") in some."""
        return int(str(value).strip())

    @field_validator("annotator_metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        """An object; some Parquet copies hold it as a JSON string, or leave it empty."""
        if value is None or value == "":
            return {}
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("final_answer", mode="before")
    @classmethod
    def _answer(cls, value: Any) -> str | None:
        """The test split hides answers ("?" or empty): None, so nothing is scored on them."""
        text = None if value is None else str(value)
        return None if text is None or text.strip() in ("", "?") else text


def load(
    path: str | Path | None = None, *, levels: set[int] | None = None, n: int | None = None
) -> list[GaiaTask]:
    """Tasks from a folder holding metadata.jsonl or metadata.parquet (or one of those files),
    default the shipped set; `levels` keeps some levels, `n` the first n after that."""
    meta = _metadata(Path(path) if path else SHIPPED)
    rows = _parquet(meta) if meta.suffix == ".parquet" else _jsonl(meta)
    tasks = []
    for where, row in rows:
        task = _task(row, meta.parent, f"{meta}:{where}")
        if levels is None or task.level in levels:
            tasks.append(task)
    return tasks[:n] if n is not None else tasks


def _metadata(p: Path) -> Path:
    if p.is_dir():
        found = [p / name for name in METADATA if (p / name).is_file()]
        if not found:
            raise ConfigError(
                f"no metadata.jsonl or metadata.parquet in {p}. Point at the folder of one "
                "split of your GAIA copy, e.g. .../GAIA/2023/validation"
            )
        return found[0]
    if not p.is_file():
        raise ConfigError(
            f"GAIA data not found at {p}: pass the folder holding metadata.jsonl (e.g. "
            ".../2023/validation) or the file itself"
        )
    return p


def _jsonl(meta: Path) -> list[tuple[int, Any]]:
    rows = []
    with meta.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append((i, json.loads(line)))
            except ValueError as exc:
                raise ConfigError(
                    f"{meta}:{i} is not a JSON line ({exc}); each line of metadata.jsonl must "
                    "be one task object: check the file is a complete, unedited copy"
                ) from exc
    return rows


def _parquet(meta: Path) -> list[tuple[int, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            f"reading {meta.name} needs pyarrow: pip install 'agentkit[gaia]', or use "
            "metadata.jsonl"
        ) from None
    try:
        table = pq.read_table(meta)
    except Exception as exc:
        raise ConfigError(f"{meta} is not a readable Parquet file: {exc}") from exc
    return list(enumerate(table.to_pylist(), 1))


def _task(row: Any, folder: Path, where: str) -> GaiaTask:
    if not isinstance(row, dict):
        raise ConfigError(f"{where} is not a GAIA task: a JSON object was expected")
    try:
        task = GaiaTask.model_validate({**row, "file_path": None})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise ConfigError(
            f"{where} is not a GAIA task: {field}: {err['msg']} (official keys: task_id, "
            "Question, Level, Final answer, file_name, Annotator Metadata)"
        ) from exc
    if task.file_name:
        task.file_path = _attachment(row, folder, task.file_name, where)
    return task


def _attachment(row: dict[str, Any], folder: Path, name: str, where: str) -> Path:
    """Beside the metadata under file_name; Parquet copies also give file_path (relative to
    the copy's root or absolute), tried after."""
    tries = [folder / name]
    if fp := row.get("file_path"):
        tries += [Path(fp), *(parent / fp for parent in (folder, *folder.parents))]
    for p in tries:
        if p.is_file():
            return p.resolve()
    raise ConfigError(
        f"{where}: attachment {name!r} is missing; it should sit beside the metadata file in "
        f"{folder} (download the split with its files)"
    )
