"""A document folder as a search index: BM25 over its chunks, optionally a graph too.

What was read is saved under the agentkit cache (`cache/docs/<folder key>/index.json`)
with each file's size and modification time, so the next session over an unchanged folder
starts at once; a changed folder is read again. The graph (`--graph`) is built through the
same content-keyed cache as `agentkit eval --search graph`, so it too is built once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentkit.chat.docs import doc_files, read_folder
from agentkit.errors import ConfigError
from agentkit.evals.runner import progress_bar
from agentkit.memory.lexical import Corpus, Hit
from agentkit.paths import atomic_write_text, home
from agentkit.text import Paragraph
from agentkit.tools import Tool, search_tool

FORMAT = 1


def docs_cache() -> Path:
    return home() / "cache" / "docs"


@dataclass
class DocIndex:
    folder: Path
    paragraphs: list[Paragraph]
    skipped: list[str]
    corpus: Corpus
    graph: Any = None  # a GraphRetriever; Any keeps FAISS out of this module's imports
    loaded: bool = False

    def search(self, text: str, k: int = 5) -> list[Hit]:
        hits: list[Hit] = self.retriever.search(text, k)
        return hits

    def search_tool(self) -> Tool:
        if self.graph is None:
            return search_tool(self.corpus)
        from agentkit.tools.graph_search import graph_search_tool

        return graph_search_tool(self.graph)

    @property
    def retriever(self) -> Any:
        """What SMR searches: the graph when there is one, else BM25."""
        return self.graph or self.corpus

    def describe(self) -> str:
        files = len({p.title.split(" #")[0] for p in self.paragraphs})
        kind = "BM25 + graph" if self.graph is not None else "BM25"
        where = "loaded from the cache" if self.loaded else "indexed now"
        return f"{self.folder}: {files} files, {len(self.paragraphs)} chunks ({kind}; {where})"


def fingerprint(folder: Path, files: list[Path]) -> str:
    stats = [
        (p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files
    ]
    return hashlib.sha256(json.dumps([FORMAT, stats]).encode()).hexdigest()


def cache_folder(folder: Path) -> Path:
    return docs_cache() / hashlib.sha256(str(folder).encode()).hexdigest()[:16]


def open_index(
    folder: Path, *, graph: bool = False, rebuild: bool = False, embedder: Any = None
) -> DocIndex:
    """The folder's index: loaded when its files are unchanged since it was saved, else
    read again (with a progress bar) and saved. The graph embeds with `embedder`, by
    default the packaged MiniLM."""
    folder = folder.expanduser().resolve()
    files = doc_files(folder)
    stamp = fingerprint(folder, files)
    saved = cache_folder(folder) / "index.json"
    paragraphs, skipped = ([], []) if rebuild else _load(saved, stamp)
    loaded = bool(paragraphs)
    if not loaded:
        paragraphs, skipped = _read(folder, len(files))
        _save(saved, folder, stamp, paragraphs, skipped)
    if not paragraphs:
        raise ConfigError(f"no text in the documents of {folder}: {'; '.join(skipped)[:300]}")
    corpus = Corpus(p.passage() for p in paragraphs)
    index = DocIndex(folder, paragraphs, skipped, corpus, loaded=loaded)
    if graph:
        index.graph = _graph(paragraphs, embedder)
    return index


def _read(folder: Path, total: int) -> tuple[list[Paragraph], list[str]]:
    with progress_bar(width=14) as bar:
        task = bar.add_task("reading files", total=total)
        return read_folder(folder, on_file=lambda _: bar.advance(task))


def _load(path: Path, stamp: str) -> tuple[list[Paragraph], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("fingerprint") != stamp:
            return [], []
        paragraphs = [Paragraph.model_validate(p) for p in data["paragraphs"]]
        return paragraphs, list(data.get("skipped", []))
    except (OSError, ValueError, KeyError, TypeError):
        return [], []  # none yet, or unreadable: read the folder again


def _save(
    path: Path, folder: Path, stamp: str, paragraphs: list[Paragraph], skipped: list[str]
) -> None:
    """Written beside its place and renamed into it: a reader never sees half a file."""
    data = {
        "format": FORMAT,
        "folder": str(folder),
        "fingerprint": stamp,
        "paragraphs": [p.model_dump(mode="json") for p in paragraphs],
        "skipped": skipped,
    }
    atomic_write_text(path, json.dumps(data, ensure_ascii=False))


def _graph(paragraphs: list[Paragraph], embedder: Any) -> Any:
    from agentkit.evals.graph_index import build_indexes
    from agentkit.memory.graph import GraphRetriever
    from agentkit.memory.store.embedders import SentenceTransformerEmbedder

    [index], _ = build_indexes([paragraphs], embedder or SentenceTransformerEmbedder())
    return GraphRetriever(index)
