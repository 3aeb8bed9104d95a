"""A folder of text, markdown and PDF files as titled paragraphs, ready to index.

Each file is cut into chunks of about `CHUNK_WORDS` words at blank lines (a markdown heading
always starts a chunk), so a search returns a passage about one thing rather than a whole
file. A chunk's title is the file's path in the folder, numbered when the file has several
(`notes/setup.md #2`): titles must be unique, and they tell the model where a fact is from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from agentkit.errors import ConfigError
from agentkit.text import Paragraph

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".pdf"}
CHUNK_WORDS = 120
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_BLOCKS = re.compile(r"\n\s*\n")


def doc_files(folder: Path) -> list[Path]:
    """The readable files under `folder`, hidden ones left out, in a stable order."""
    folder = folder.expanduser()
    if not folder.is_dir():
        raise ConfigError(f"--docs {folder} is not a folder")
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    if not files:
        kinds = ", ".join(sorted(SUFFIXES))
        raise ConfigError(f"no documents in {folder}: it has no files ending in {kinds}")
    return files


def read_text(path: Path) -> str:
    """A file's text; a PDF's pages joined. Unreadable: ConfigError naming the file."""
    try:
        if path.suffix.lower() != ".pdf":
            return path.read_text(encoding="utf-8", errors="replace")
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            return "\n\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        except (PdfReadError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot read the PDF {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def chunks(text: str, max_words: int = CHUNK_WORDS) -> Iterator[str]:
    """Blocks (blank-line separated) joined while they stay within `max_words`."""
    current: list[str] = []
    words = 0
    for block in _BLOCKS.split(text):
        block = " ".join(block.split())
        if not block:
            continue
        size = len(block.split())
        if current and (words + size > max_words or block.startswith("#")):
            yield "\n".join(current)
            current, words = [], 0
        current.append(block)
        words += size
    if current:
        yield "\n".join(current)


def read_folder(
    folder: Path, on_file: Callable[[Path], None] | None = None
) -> tuple[list[Paragraph], list[str]]:
    """Paragraphs of every document under `folder`, and the files that could not be read
    (each with why); `on_file` is told of each file as it is read (for progress)."""
    folder = folder.expanduser()
    paragraphs: list[Paragraph] = []
    skipped: list[str] = []
    for path in doc_files(folder):
        if on_file is not None:
            on_file(path)
        try:
            parts = list(chunks(read_text(path)))
        except ConfigError as exc:
            skipped.append(str(exc))
            continue
        name = path.relative_to(folder).as_posix()
        for i, part in enumerate(parts, 1):
            title = name if len(parts) == 1 else f"{name} #{i}"
            sentences = tuple(s for line in part.splitlines() for s in _SENTENCE_END.split(line))
            paragraphs.append(Paragraph(title=title, sentences=sentences))
    return paragraphs, skipped
