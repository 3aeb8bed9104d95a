"""Save a KnowledgeIndex to a folder and load it back, so a big graph is built once.

Building the graph of the 1,971 HotpotQA paragraphs takes about 90 s even when every
embedding is cached; loading it takes a few seconds. The folder holds `index.json` (the
paragraphs, triplets, entities and the graph's nodes and edges in insertion order, so PPR
sees the same node order) and `vectors.npz` (the three FAISS collections' vectors). It is
written beside its final place and renamed into it, so a reader never sees half an index;
the copy it replaces stays as `.<name>.old` until the swap is done, and a reader (or the next
save) falls back to it when a kill landed between the two renames.
`cache_key` names a build by everything it depends on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agentkit.errors import ConfigError
from agentkit.memory.store.collection import Collection
from agentkit.memory.store.disk_cache import DiskCache
from agentkit.memory.store.embedders import Embedder
from agentkit.text import Paragraph

from .build import GraphSettings, KnowledgeIndex
from .entities import normalize_entity, title_surface
from .triplets import Triple, Triplet

FORMAT = 1


def cache_key(
    paragraphs: Sequence[Paragraph],
    triples: Mapping[str, Sequence[Triple]],
    embedder: Embedder,
    settings: GraphSettings,
) -> str:
    """sha256 of what a build depends on: the paragraphs in order, their triples, the
    embedder and the graph settings."""
    parts = [
        FORMAT,
        embedder.name,
        embedder.dim,
        settings.model_dump(),
        [p.key for p in paragraphs],
        {p.key: [list(t) for t in triples.get(p.key, ())] for p in paragraphs},
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _collections(index: KnowledgeIndex) -> dict[str, tuple[Collection[Any], list[str]]]:
    entities = [k for k in index.entity_names if k in index._embedded_entities]
    return {
        "chunks": (index.chunk_vectors, list(index.chunks)),
        "entities": (index.entity_vectors, entities),
        "triplets": (index.triplet_vectors, list(index.triplets)),
    }


def save(index: KnowledgeIndex, folder: str | Path) -> Path:
    """Write `index` to `folder` (replacing what is there); returns the folder."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    vectors: dict[str, Any] = {}
    texts: dict[str, list[list[str]]] = {}
    for name, (collection, ids) in _collections(index).items():
        records = collection.get_many(ids, with_embeddings=True)
        texts[name] = [[r.id, r.text] for r in records]
        vectors[name] = np.asarray([r.embedding for r in records], dtype=np.float32)
    state = {
        "format": FORMAT,
        "embedder": index.embedder.name,
        "settings": index.settings.model_dump(),
        "paragraphs": [[p.title, list(p.sentences)] for p in index.paragraphs.values()],
        "triplets": [t.model_dump() for t in index.triplets.values()],
        "entity_names": index.entity_names,
        "title_keys": sorted(index._title_keys),
        "nodes": [[n, kind] for n, kind in index.graph.nodes(data="kind")],
        "edges": [[a, b, d["weight"], d["kind"]] for a, b, d in index.graph.edges(data=True)],
        "texts": texts,
    }
    old = _old(folder)
    for leftover in folder.parent.glob(f".{folder.name}.tmp*"):  # of a killed save
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.tmp"))
    try:
        (staging / "index.json").write_text(json.dumps(state), encoding="utf-8")
        np.savez(staging / "vectors.npz", **vectors)
        if not folder.exists() and old.exists():  # a save killed between the two renames
            os.replace(old, folder)
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _old(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.old")


def _read(folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """index.json and every array of vectors.npz, read in full (a damaged file fails here)."""
    try:
        state = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        with np.load(folder / "vectors.npz") as npz:
            vectors = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"no readable saved graph in {folder} ({exc}); build it again") from exc
    return state, vectors


def load(
    folder: str | Path, embedder: Embedder, *, cache: DiskCache | None = None
) -> KnowledgeIndex:
    """The index saved in `folder`; `embedder` must be the one that built it (it embeds
    queries, and documents added later)."""
    folder = Path(folder)
    try:
        state, vectors = _read(folder)
    except ConfigError:
        if not _old(folder).exists():
            raise
        state, vectors = _read(_old(folder))  # a save was killed between its two renames
    if state.get("format") != FORMAT or state["embedder"] != embedder.name:
        raise ConfigError(
            f"{folder} holds a graph of format {state.get('format')} built with embedder "
            f"{state['embedder']!r}; this needs format {FORMAT} and {embedder.name!r}"
        )
    index = KnowledgeIndex(embedder, settings=GraphSettings(**state["settings"]), cache=cache)
    for title, sentences in state["paragraphs"]:
        p = Paragraph(title=title, sentences=tuple(sentences))
        index.paragraphs[title] = p
        index.mentions.add(title_surface(title), normalize_entity(title))
        index.chunks.update((c.id, c) for c in p.split())
    index.triplets = {t.id: t for t in (Triplet(**row) for row in state["triplets"])}
    index.entity_names = state["entity_names"]
    index._title_keys = set(state["title_keys"])
    index.graph.add_nodes_from((n, {"kind": kind}) for n, kind in state["nodes"])
    index.graph.add_edges_from((a, b, {"weight": w, "kind": k}) for a, b, w, k in state["edges"])
    for name, (collection, _) in _collections(index).items():
        rows = state["texts"][name]
        if rows:
            collection.add([t for _, t in rows], ids=[i for i, _ in rows], embeddings=vectors[name])
    index._embedded_entities = {i for i, _ in state["texts"]["entities"]}
    index.version = 1
    return index
