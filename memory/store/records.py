"""What a collection hands back: records (typed metadata) and scored search hits."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M")
"""The metadata type of a collection: a pydantic model class, or `dict[str, Any]`."""

Metadata = dict[str, Any]


class Record(BaseModel, Generic[M]):
    """One stored item. `embedding` is filled only when asked for (it is 384+ floats)."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    metadata: M
    created_at: datetime
    updated_at: datetime
    embedding: list[float] | None = None


class SearchHit(BaseModel, Generic[M]):
    """A record and its cosine similarity to the query (higher is closer)."""

    model_config = ConfigDict(frozen=True)

    record: Record[M]
    score: float
