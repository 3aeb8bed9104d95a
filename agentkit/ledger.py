"""Every model call, with its labels and the engine's exact usage, summed any way you need."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from agentkit.types import CallLabels, Completion, Usage


class CallRecord(BaseModel):
    labels: CallLabels
    usage: Usage
    model: str
    latency_s: float
    overhead_s: float
    started_at: float = Field(default_factory=time.time)


class Totals(BaseModel):
    """Sums over a set of calls."""

    calls: int = 0
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0

    def add(self, rec: CallRecord) -> None:
        self.calls += 1
        self.usage = self.usage + rec.usage
        self.latency_s += rec.latency_s


class Ledger:
    """Thread-safe list of call records. Listeners (e.g. a trace writer) see each record."""

    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()
        self._listeners: list[Callable[[CallRecord, dict[str, object]], None]] = []

    def subscribe(self, fn: Callable[[CallRecord, dict[str, object]], None]) -> None:
        self._listeners.append(fn)

    def record(self, completion: Completion, **detail: object) -> CallRecord:
        rec = CallRecord(
            labels=completion.labels,
            usage=completion.usage,
            model=completion.model,
            latency_s=completion.latency_s,
            overhead_s=completion.overhead_s,
        )
        with self._lock:
            self._records.append(rec)
        for fn in self._listeners:
            fn(rec, detail)
        return rec

    def records(self, run: str | None = None) -> list[CallRecord]:
        with self._lock:
            recs = list(self._records)
        return [r for r in recs if run is None or r.labels.run == run]

    def total(self, run: str | None = None) -> Totals:
        return _sum(self.records(run))

    def by(self, key: str, run: str | None = None) -> dict[str, Totals]:
        """Totals grouped by a label field: 'run', 'role', 'step' or 'purpose'."""
        if key not in CallLabels.model_fields:
            raise ValueError(f"unknown label {key!r}; use one of {list(CallLabels.model_fields)}")
        groups: dict[str, list[CallRecord]] = defaultdict(list)
        for r in self.records(run):
            groups[str(getattr(r.labels, key))].append(r)
        return {k: _sum(v) for k, v in groups.items()}


def _sum(records: Iterable[CallRecord]) -> Totals:
    t = Totals()
    for r in records:
        t.add(r)
    return t
