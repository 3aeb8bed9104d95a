"""Crash-safe directory layout: immutable generation folders and a swapped pointer.

    <root>/CURRENT        names the live generation; replaced with os.replace
    <root>/gen-000007/    manifest.json (sizes + CRC32 of the other files) and data files
    <root>/writer.lock    flock held by the one process that may save

A save writes `.gen-000008.tmp/`, fsyncs each file and the folder, renames it to
`gen-000008`, then swaps CURRENT. A process killed at any point leaves CURRENT naming a
complete generation, so the last good state opens. Readers hold a shared flock on the
manifest of the generation they load; the writer deletes only old generations it can
lock exclusively, so nobody reads a half-deleted folder.

What it keeps: the live generation and the one that was live when it was written (its
manifest's `previous`). A folder renamed into place by a writer killed before the pointer
swap is never live, so the next save removes it rather than keeping it as the rollback copy.
Only folders named exactly `gen-NNNNNN` with a manifest are ever deleted. A missing or empty
CURRENT beside saved generations stands for the newest of them, never for an empty store;
a CURRENT naming anything else is refused.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from agentkit.errors import ConfigError, CorruptStoreError, StoreLockedError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_POINTER = "CURRENT"
_PREFIX = "gen-"
_GENERATION = re.compile(r"gen-\d{6}")
_LAST = 999_999


class FileInfo(BaseModel):
    size: int
    crc32: int


class CollectionInfo(BaseModel):
    file: str
    count: int


class Manifest(BaseModel):
    """What a generation holds; written last, so its presence means the rest is complete."""

    format: Literal[1] = 1
    embedder: str
    dim: int
    saved_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    collections: dict[str, CollectionInfo]
    files: dict[str, FileInfo] = {}
    previous: str | None = Field(default=None, description="the live generation when written")


def _crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 23):
            crc = zlib.crc32(chunk, crc)
    return crc


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StoreDir:
    """The generations of one store directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        if root.exists() and not root.is_dir():
            raise ConfigError(f"{root} is a file; a store needs a directory path")

    def current(self) -> str | None:
        """The live generation; None for a new store. A pointer that is missing or empty
        beside saved generations stands for the newest of them (a first save killed before
        its pointer was written, or a pointer lost): it is never read as an empty store. A
        pointer naming anything but a generation is refused."""
        try:
            name = (self.root / _POINTER).read_bytes().decode("utf-8", "replace").strip()
        except FileNotFoundError:
            name = ""
        if not name:
            saved = self.generations()
            if saved:
                log.warning("%s: %s is missing or empty; using %s", self.root, _POINTER, saved[-1])
            return saved[-1] if saved else None
        if not _GENERATION.fullmatch(name):
            raise self.corrupt(f"{_POINTER} names {name[:80]!r}, not a generation", live=None)
        return name

    def generations(self) -> list[str]:
        """Saved generations, oldest first; other folders are not ours and are left alone."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if _GENERATION.fullmatch(p.name) and (p / MANIFEST).is_file()
        )

    def lock_writer(self) -> int:
        """Take the writer lock and clear what a killed writer left; returns its fd."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLockedError(
                f"another writer (in this or another process) has {self.root} open; close it, "
                "or open this one with read_only=True"
            ) from None
        for leftover in self.root.glob(f".{_PREFIX}*"):
            if leftover.is_dir():
                shutil.rmtree(leftover)
        return fd

    @contextmanager
    def reading(self, generation: str | None = None) -> Iterator[Path | None]:
        """The generation folder to load (None for a new store), locked while in use."""
        if generation is not None and generation not in self.generations():
            raise ConfigError(
                f"no generation {generation!r} in {self.root}; on disk: {self.generations()}"
            )
        for _ in range(1000):
            name = generation or self.current()
            if name is None:
                yield None
                return
            folder = self.root / name
            try:
                fd = os.open(folder / MANIFEST, os.O_RDONLY)
            except FileNotFoundError:
                if generation is None and self.current() != name:
                    continue  # a writer moved on and removed it; follow the pointer
                raise self.corrupt(f"generation {name} is missing its {MANIFEST}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
                if (folder / MANIFEST).exists():
                    yield folder
                    return
            finally:
                os.close(fd)
        raise StoreLockedError(f"{self.root} changed under 1000 attempts to read it; retry")

    def corrupt(self, problem: str, *, live: str | None = "") -> CorruptStoreError:
        """An error naming the generations that can be opened instead (`live` is the
        generation to leave out; by default the current one)."""
        live = self.current() if live == "" else live
        others = [g for g in self.generations() if g != live]
        fix = (
            f"open an earlier generation with VectorStore.open(..., generation={others[-1]!r})"
            f" (on disk: {', '.join(others)})"
            if others
            else "restore the directory from a backup"
        )
        return CorruptStoreError(f"store {self.root}: {problem}; {fix}. Nothing was deleted.")

    @contextmanager
    def writing(self, manifest: Manifest) -> Iterator[Path]:
        """A temp folder to fill with data files; on exit it becomes the live generation."""
        try:
            live = self.current()
        except CorruptStoreError:  # the caller opened a generation by name to repair this
            live = None
        number = max((int(g[len(_PREFIX) :]) for g in self.generations()), default=0) + 1
        if number > _LAST:
            raise CorruptStoreError(
                f"store {self.root} has used its last generation number ({_PREFIX}{_LAST}); "
                "copy its records into a new store. Nothing was written or deleted."
            )
        name = f"{_PREFIX}{number:06d}"
        manifest.previous = live
        tmp = self.root / f".{name}.tmp"
        tmp.mkdir()
        try:
            yield tmp
            for path in sorted(tmp.iterdir()):
                _fsync(path)
                manifest.files[path.name] = FileInfo(size=path.stat().st_size, crc32=_crc32(path))
            (tmp / MANIFEST).write_text(manifest.model_dump_json(indent=1))
            _fsync(tmp / MANIFEST)
            _fsync(tmp)
            os.rename(tmp, self.root / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer = self.root / f".{_POINTER}.tmp"
        pointer.write_text(name + "\n")
        _fsync(pointer)
        os.replace(pointer, self.root / _POINTER)
        _fsync(self.root)
        self._collect()

    def _previous(self, live: str) -> str | None:
        """The rollback copy: what was live when `live` was written (older stores: the
        newest generation before it)."""
        try:
            previous = Manifest.model_validate_json((self.root / live / MANIFEST).read_bytes())
        except (OSError, ValidationError):
            previous = None
        if previous is not None and previous.previous is not None:
            return previous.previous
        return max((g for g in self.generations() if g < live), default=None)

    def read_manifest(self, folder: Path) -> Manifest:
        """The manifest, after checking every file it lists against its size and CRC32."""
        try:
            manifest = Manifest.model_validate_json((folder / MANIFEST).read_bytes())
        except (OSError, ValidationError) as exc:
            raise self.corrupt(f"{folder / MANIFEST} is unreadable ({exc})") from exc
        for file, info in manifest.files.items():
            path = folder / file
            if not path.is_file() or path.stat().st_size != info.size or _crc32(path) != info.crc32:
                raise self.corrupt(f"{path} is missing or damaged (size or CRC32 differs)")
        return manifest

    def _collect(self) -> None:
        live = self.current()
        if live is None:
            return
        keep = {live, self._previous(live)}
        for name in self.generations():
            if name in keep:
                continue
            trash = self.root / f".{name}.trash"
            try:
                fd = os.open(self.root / name / MANIFEST, os.O_RDONLY)
            except FileNotFoundError:
                continue  # not a folder this code wrote; leave it alone
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.rename(self.root / name, trash)
            except BlockingIOError:
                continue  # a reader is loading it; a later save removes it
            finally:
                os.close(fd)
            shutil.rmtree(trash)
