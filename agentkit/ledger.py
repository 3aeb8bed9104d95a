"""Every model call, with its labels and the engine's exact usage, summed any way you need."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from agentkit.types import CallLabels, Completion, Usage

_ROLLED_KEYS = ("role", "purpose", "endpoint")
KEYS = (*CallLabels.model_fields, "endpoint")


class CallRecord(BaseModel):
    labels: CallLabels
    usage: Usage
    model: str
    latency_s: float
    overhead_s: float
    started_at: float = Field(default_factory=time.time)
    usage_counted: bool = False
    endpoint: str | None = None  # which server answered (an endpoint pool has several)

    def key(self, name: str) -> str:
        """The record's value for a `Ledger.by` key: a label field or "endpoint"."""
        return str(self.endpoint if name == "endpoint" else getattr(self.labels, name))


Listener = Callable[[CallRecord, dict[str, object]], None]


class Totals(BaseModel):
    """Sums over a set of calls."""

    calls: int = 0
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0

    def add(self, rec: CallRecord) -> None:
        self.calls += 1
        self.usage = self.usage + rec.usage
        self.latency_s += rec.latency_s

    def merge(self, other: Totals) -> None:
        self.calls += other.calls
        self.usage = self.usage + other.usage
        self.latency_s += other.latency_s


class Ledger:
    """Thread-safe call records by run. Listeners (e.g. a trace writer) see each record.

    A long-lived process makes runs without end, so only the newest `max_runs` runs keep
    their records; older runs are rolled up into totals by role and purpose. `total()` and
    `by("role" | "purpose" | "endpoint")` stay exact over everything recorded; `records()`, a `run=`
    filter and `by("run" | "step")` see the runs still kept.
    """

    def __init__(self, *, max_runs: int | None = 10_000) -> None:
        if max_runs is not None and max_runs < 1:
            raise ValueError(f"max_runs must be at least 1 or None, got {max_runs}")
        self.max_runs = max_runs
        self._runs: OrderedDict[str, list[CallRecord]] = OrderedDict()
        self._rolled = Totals()
        self._rolled_by: dict[str, defaultdict[str, Totals]] = {
            key: defaultdict(Totals) for key in _ROLLED_KEYS
        }
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call `fn(record, detail)` for each new record; returns the function that stops it."""
        with self._lock:
            self._listeners.append(fn)
        return lambda: self.unsubscribe(fn)

    def unsubscribe(self, fn: Listener) -> None:
        with self._lock:
            if fn in self._listeners:
                self._listeners.remove(fn)

    def record(self, completion: Completion, **detail: object) -> CallRecord:
        rec = CallRecord(
            labels=completion.labels,
            usage=completion.usage,
            model=completion.model,
            latency_s=completion.latency_s,
            overhead_s=completion.overhead_s,
            usage_counted=completion.usage_counted,
            endpoint=completion.endpoint,
        )
        with self._lock:
            self._runs.setdefault(rec.labels.run, []).append(rec)
            while self.max_runs is not None and len(self._runs) > self.max_runs:
                self._roll_up(self._runs.popitem(last=False)[1])
            listeners = list(self._listeners)
        for fn in listeners:
            fn(rec, detail)
        return rec

    def _roll_up(self, records: list[CallRecord]) -> None:
        for r in records:
            self._rolled.add(r)
            for key in _ROLLED_KEYS:
                self._rolled_by[key][r.key(key)].add(r)

    def records(self, run: str | None = None) -> list[CallRecord]:
        """The kept records of `run`, or of every kept run in the order they were made."""
        with self._lock:
            if run is not None:
                return list(self._runs.get(run, ()))
            recs = [r for rs in self._runs.values() for r in rs]
        return sorted(recs, key=lambda r: r.started_at)

    def total(self, run: str | None = None) -> Totals:
        kept = _sum(self.records(run))
        if run is None:
            with self._lock:
                kept.merge(self._rolled)
        return kept

    def by(self, key: str, run: str | None = None) -> dict[str, Totals]:
        """Totals grouped by a label field ('run', 'role', 'step', 'purpose') or by the
        'endpoint' that answered ("None" for calls no server answered)."""
        if key not in KEYS:
            raise ValueError(f"unknown label {key!r}; use one of {list(KEYS)}")
        groups: dict[str, list[CallRecord]] = defaultdict(list)
        for r in self.records(run):
            groups[r.key(key)].append(r)
        out = {k: _sum(v) for k, v in groups.items()}
        if run is None and key in _ROLLED_KEYS:
            with self._lock:
                for value, rolled in self._rolled_by[key].items():
                    out.setdefault(value, Totals()).merge(rolled)
        return out


def _sum(records: Iterable[CallRecord]) -> Totals:
    t = Totals()
    for r in records:
        t.add(r)
    return t
