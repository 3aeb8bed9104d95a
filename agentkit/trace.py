"""JSONL traces: one line per model call (labels, prompt, output, usage, timings).

Lines are appended and flushed whole, so a trace read mid-run is never torn.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from agentkit.ledger import CallRecord, Ledger


class TraceWriter:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._detach: list[Callable[[], None]] = []

    def attach(self, ledger: Ledger) -> TraceWriter:
        """Write every call `ledger` records from now on, until `detach()`."""
        self._detach.append(ledger.subscribe(self.on_call))
        return self

    def detach(self) -> None:
        """Stop writing the calls of every ledger this writer was attached to."""
        while self._detach:
            self._detach.pop()()

    def on_call(self, record: CallRecord, detail: dict[str, Any]) -> None:
        self.write(call_event(record, detail))

    def write(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()


def call_event(record: CallRecord, detail: dict[str, Any]) -> dict[str, Any]:
    """A model call as a trace line holds it (also what a Ray worker sends back)."""
    return {"kind": "llm_call", **record.model_dump(mode="json"), **detail}


def read_trace(path: str | Path) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
