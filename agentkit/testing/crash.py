"""Crash trials for persistent state: kill a writer, reopen, count what was lost.

A *target* is a writer script and a reader. The writer runs in a child process and prints
`ACK <id>` for each record once the write that holds it has returned (what a caller was
told is saved); the parent kills it, then the reader reopens the state and reports which
ids it holds. A trial fails when an acknowledged id is missing, the reopen raises anything
but a typed agentkit error, or a file agentkit did not write (a sentinel) is gone.

Kills land at each *write point* (before or after the n-th call of os.rename, os.replace,
os.fsync or shutil.rmtree in the child: the steps that publish or delete data) and at
random times. `corrupt_trials` damages each file of a saved state instead (deleted,
truncated, one byte flipped) and checks that opening it either works or raises a typed
error, and deletes nothing.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agentkit.errors import AgentkitError

WRITE_POINTS = ("rename", "replace", "fsync", "rmtree")

# Runs before the writer: hooks the write points, SIGKILLs itself at the one asked for,
# and with AGENTKIT_CRASH_COUNT prints how often each point was reached.
_PRELUDE = """
import atexit, os, shutil, signal, sys
_spec = os.environ.get("AGENTKIT_CRASH_AT", "")
_calls = {}
def _hook(mod, name):
    real = getattr(mod, name)
    def hooked(*args, **kwargs):
        _calls[name] = _calls.get(name, 0) + 1
        here = f"{name}:{_calls[name]}"
        if _spec == "before:" + here:
            os.kill(os.getpid(), signal.SIGKILL)
        out = real(*args, **kwargs)
        if _spec == "after:" + here:
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    setattr(mod, name, hooked)
for _mod, _name in ((os, "rename"), (os, "replace"), (os, "fsync"), (shutil, "rmtree")):
    _hook(_mod, _name)
if os.environ.get("AGENTKIT_CRASH_COUNT"):
    atexit.register(lambda: print("COUNTS", *[f"{k}={v}" for k, v in _calls.items()]))
"""


@dataclass(frozen=True)
class Target:
    """What to crash. `writer` is Python source run as `python -c PRELUDE+writer PATH`;
    `reader(path)` returns the ids the reopened state holds (raising on failure)."""

    name: str
    writer: str
    reader: Callable[[Path], set[str]]
    recomputable: bool = False
    """A cache: when its file is deleted, an empty reopen is right (it is rebuilt)."""


@dataclass
class Report:
    target: str
    trials: int = 0
    records_lost: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        self.trials += other.trials
        self.records_lost += other.records_lost
        self.failures += other.failures


def _sentinels(root: Path) -> list[Path]:
    """Files agentkit never wrote, placed where a careless cleanup would remove them."""
    root.mkdir(parents=True, exist_ok=True)
    paths = [root / "user-notes.txt", root / "gen-backup" / "keep.txt"]
    for p in paths:
        p.parent.mkdir(exist_ok=True)
        p.write_text("not agentkit's")
    return paths


def _run_writer(target: Target, root: Path, env: dict[str, str], kill_after_s: float | None):
    """Run the writer to its end or until killed; returns (acked ids, stdout lines)."""
    child = subprocess.Popen(
        [sys.executable, "-c", _PRELUDE + target.writer, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **env},
    )
    if kill_after_s is not None:
        time.sleep(kill_after_s)
        child.send_signal(signal.SIGKILL)
    out, _ = child.communicate()
    lines = out.splitlines()
    acked = {ln.split(" ", 1)[1] for ln in lines if ln.startswith("ACK ")}
    return acked, lines


def _check(target: Target, root: Path, acked: set[str], sentinels: list[Path], what: str):
    report = Report(target.name, trials=1)
    try:
        held = target.reader(root)
    except AgentkitError as exc:
        report.records_lost += len(acked)
        report.failures.append(f"{what}: reopen failed: {type(exc).__name__}: {exc}")
        return report
    except Exception as exc:  # an untyped error is a failure in itself
        report.records_lost += len(acked)
        report.failures.append(f"{what}: raw {type(exc).__name__} on reopen: {exc}")
        return report
    lost = acked - held
    if lost:
        report.records_lost += len(lost)
        report.failures.append(f"{what}: {len(lost)} acknowledged records lost")
    gone = [str(p) for p in sentinels if not p.exists()]
    if gone:
        report.failures.append(f"{what}: deleted files it did not write: {gone}")
    return report


def write_points(target: Target, workdir: Path) -> dict[str, int]:
    """How often an uninterrupted run of the writer reaches each write point."""
    _, lines = _run_writer(target, workdir / "count", {"AGENTKIT_CRASH_COUNT": "1"}, None)
    counts: list[str] = next((ln.split()[1:] for ln in lines if ln.startswith("COUNTS")), [])
    return {k: int(v) for k, v in (c.split("=") for c in counts)}


def kill_trials(
    target: Target,
    workdir: Path,
    *,
    random_trials: int = 0,
    max_point_trials: int | None = None,
    seed: int = 0,
    on_trial: Callable[[], None] | None = None,
) -> Report:
    """One trial per write point (before and after each call; at most `max_point_trials`,
    spread evenly), then `random_trials` kills at random times within a full run's length."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    points = write_points(target, workdir)
    full_run_s = time.perf_counter() - t0
    plan = [f"{when}:{name}:{n}" for name, count in sorted(points.items())
            for n in range(1, count + 1) for when in ("before", "after")]  # fmt: skip
    if max_point_trials is not None and len(plan) > max_point_trials:
        plan = [plan[round(i * (len(plan) - 1) / max(1, max_point_trials - 1))]
                for i in range(max_point_trials)]  # fmt: skip
    report = Report(target.name)
    for i, spec in enumerate(plan):
        root = workdir / f"point-{i}"
        sentinels = _sentinels(root)
        acked, _ = _run_writer(target, root, {"AGENTKIT_CRASH_AT": spec}, None)
        report.add(_check(target, root, acked, sentinels, f"kill {spec}"))
        if on_trial:
            on_trial()
    for i in range(random_trials):
        root = workdir / f"random-{i}"
        sentinels = _sentinels(root)
        delay = rng.uniform(0.0, full_run_s)
        acked, _ = _run_writer(target, root, {}, delay)
        report.add(_check(target, root, acked, sentinels, f"kill at {delay:.2f}s"))
        if on_trial:
            on_trial()
    return report


DAMAGE = ("deleted", "truncated", "flipped")


def _damage(path: Path, how: str) -> None:
    """Delete a file, cut it in half, or flip its middle byte."""
    data = path.read_bytes()
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif data:
        i = len(data) // 2
        path.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :])


def corrupt_trials(target: Target, workdir: Path) -> Report:
    """Save once, then for each file and each kind of damage: open must work (with every
    record) or raise a typed error, and the files on disk must stay as they were."""
    clean = workdir / "clean"
    acked, _ = _run_writer(target, clean, {}, None)
    files = sorted(p.relative_to(clean) for p in clean.rglob("*") if p.is_file())
    report = Report(target.name)
    for rel in files:
        if rel.suffix == ".lock":
            continue  # a lock file holds no data
        for how in DAMAGE:
            root = workdir / f"{str(rel).replace('/', '_')}-{how}"
            shutil.copytree(clean, root)
            _damage(root / rel, how)
            before = sorted(str(p) for p in root.rglob("*"))
            report.trials += 1
            what = f"{rel} {how}"
            try:
                held = target.reader(root)
            except AgentkitError:
                held = acked  # refused with a typed error: fine, if nothing was deleted
            except Exception as exc:
                report.failures.append(f"{what}: raw {type(exc).__name__}: {exc}")
                continue
            if acked - held and not (target.recomputable and how == "deleted"):
                report.records_lost += len(acked - held)
                report.failures.append(f"{what}: opened without {len(acked - held)} records")
            gone = sorted(set(before) - {str(p) for p in root.rglob("*")})
            if gone:
                report.failures.append(f"{what}: opening deleted {gone[:3]}")
    return report


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for trials (each trial writes its own copy of the state)."""
    return tempfile.TemporaryDirectory(prefix="agentkit-crash-")


_STORE_WRITER = """
import sys
from agentkit.memory.store import HashingEmbedder, VectorStore
store = VectorStore.open(sys.argv[1], HashingEmbedder(dim=32))
col = store.collection("notes")
for batch in range(4):
    ids = [f"b{batch}-{i}" for i in range(50)]
    col.add([f"note {i} of batch {batch}" for i in range(50)], ids=ids)
    store.save()
    print("\\n".join("ACK " + i for i in ids), flush=True)
store.close()
"""


def _store_ids(path: Path) -> set[str]:
    from agentkit.errors import ConfigError
    from agentkit.memory.store import HashingEmbedder, VectorStore

    try:
        store = VectorStore.open(path, HashingEmbedder(dim=32), read_only=True)
    except ConfigError:  # nothing saved yet: no record was acknowledged either
        return set()
    if "notes" not in store.collections():
        return set()
    col = store.collection("notes")
    ids = {f"b{b}-{i}" for b in range(4) for i in range(50)}
    return {r.id for r in col.get_many(sorted(ids))}


_CACHE_WRITER = """
import sys
from pathlib import Path
from agentkit.memory.store import DiskCache
cache = DiskCache(Path(sys.argv[1]) / "cache.sqlite")
for batch in range(20):
    items = {f"k{batch}-{i}": bytes(200) for i in range(100)}
    cache.put_many(items)
    print("\\n".join("ACK " + k for k in items), flush=True)
cache.close()
"""


def _cache_keys(path: Path) -> set[str]:
    from agentkit.memory.store import DiskCache

    if not (path / "cache.sqlite").exists():
        return set()
    cache = DiskCache(path / "cache.sqlite")
    try:
        return set(cache.get_many(f"k{b}-{i}" for b in range(20) for i in range(100)))
    finally:
        cache.close()


_GRAPH_WRITER = """
import sys
from pathlib import Path
from agentkit.memory.graph import KnowledgeIndex
from agentkit.memory.graph.persist import save
from agentkit.memory.store import HashingEmbedder
index = KnowledgeIndex(HashingEmbedder(dim=32))
for batch in range(3):
    titles = [f"Page {batch}-{i}" for i in range(5)]
    index.add_documents([(t, [f"{t} is a page.", "It has two sentences."]) for t in titles])
    save(index, Path(sys.argv[1]) / "graph")
    print("\\n".join("ACK " + t for t in titles), flush=True)
"""


def _graph_titles(path: Path) -> set[str]:
    from agentkit.memory.graph.persist import load
    from agentkit.memory.store import HashingEmbedder

    if not (path / "graph").exists() and not (path / ".graph.old").exists():
        return set()  # nothing saved yet: nothing was acknowledged either
    return set(load(path / "graph", HashingEmbedder(dim=32)).paragraphs)


def targets() -> list[Target]:
    """Every persistent thing agentkit writes: the vector store, the disk cache and a saved
    graph index."""
    return [
        Target("vector_store", _STORE_WRITER, _store_ids),
        Target("disk_cache", _CACHE_WRITER, _cache_keys, recomputable=True),
        Target("graph_index", _GRAPH_WRITER, _graph_titles, recomputable=True),
    ]
