"""VectorStore and Collection: CRUD, typed metadata, filters, errors (in memory)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel

from agentkit.errors import (
    ConfigError,
    DimensionMismatchError,
    DuplicateIdError,
)
from agentkit.memory.store import HashingEmbedder, IndexSettings, VectorStore

DOCS = {
    "faiss": "FAISS is a library for similarity search over dense vectors",
    "sqlite": "SQLite is a small embedded SQL database engine",
    "cats": "Cats sleep for most of the day",
    "dogs": "Dogs bark at the mail carrier",
}


class Note(BaseModel):
    topic: str
    stars: int = 0
    tags: list[str] = []


@pytest.fixture
def store() -> VectorStore:
    return VectorStore(HashingEmbedder(dim=128))


def test_add_get_search_count(store: VectorStore) -> None:
    notes = store.collection("notes")
    ids = notes.add(list(DOCS.values()), ids=list(DOCS))
    assert ids == list(DOCS) and notes.count() == 4
    record = notes.get("sqlite")
    assert record is not None and record.text == DOCS["sqlite"] and record.metadata == {}
    assert record.created_at == record.updated_at
    assert notes.get("nope") is None
    hits = notes.search("similarity search with dense vectors", top_k=2)
    assert hits[0].record.id == "faiss"
    assert hits[0].score > hits[1].score
    assert [r.id for r in notes.get_many(["dogs", "nope", "cats"])] == ["dogs", "cats"]
    assert len(notes.search("anything", top_k=50)) == 4


def test_fresh_ids_are_unique_and_ordered_within_a_batch(store: VectorStore) -> None:
    notes = store.collection("notes")
    first = notes.add(["a", "b", "c"])
    second = notes.add(["d"])
    assert len(set(first + second)) == 4 and first == sorted(first)


def test_single_text_form(store: VectorStore) -> None:
    notes = store.collection("notes", Note)
    [note_id] = notes.add("one text", ids="x", metadata=Note(topic="t"))
    assert note_id == "x" and notes.get("x").metadata == Note(topic="t")  # type: ignore[union-attr]


def test_upsert_replaces_and_keeps_created_at(store: VectorStore) -> None:
    notes = store.collection("notes")
    notes.add(["old text", "other"], ids=["a", "b"], metadata=[{"v": 1}, {"v": 1}])
    before = notes.get("a", with_embedding=True)
    notes.upsert(["new text about dogs", "brand new"], ids=["a", "c"], metadata=[{"v": 2}, {}])
    after = notes.get("a", with_embedding=True)
    assert before is not None and after is not None
    assert after.text == "new text about dogs" and after.metadata == {"v": 2}
    assert after.created_at == before.created_at < after.updated_at
    assert after.embedding != before.embedding
    assert notes.count() == 3 and notes.index.ntotal == 3
    assert notes.search("new text about dogs", top_k=1)[0].record.id == "a"


def test_delete_really_removes(store: VectorStore) -> None:
    notes = store.collection("notes")
    notes.add(list(DOCS.values()), ids=list(DOCS))
    assert notes.delete(["cats", "missing"]) == 1
    assert notes.delete("cats") == 0
    assert notes.get("cats") is None and notes.count() == 3 and notes.index.ntotal == 3
    hits = notes.search(DOCS["cats"], top_k=10)
    assert "cats" not in {h.record.id for h in hits}


def test_duplicate_ids_write_nothing(store: VectorStore) -> None:
    notes = store.collection("notes")
    notes.add(["a"], ids=["a"])
    with pytest.raises(DuplicateIdError, match="upsert"):
        notes.add(["b", "a2"], ids=["b", "a"])
    with pytest.raises(DuplicateIdError, match="more than once"):
        notes.add(["c", "c"], ids=["c", "c"])
    with pytest.raises(DuplicateIdError, match="more than once"):
        notes.upsert(["c", "c"], ids=["c", "c"])
    assert notes.count() == 1 and notes.get("b") is None and notes.index.ntotal == 1


def test_typed_metadata_validates_and_round_trips(store: VectorStore) -> None:
    notes = store.collection("notes", Note)
    notes.add(["x", "y"], ids=["x", "y"], metadata=[Note(topic="a", tags=["k"]), {"topic": "b"}])
    got = notes.get("x")
    assert got is not None and isinstance(got.metadata, Note) and got.metadata.tags == ["k"]
    with pytest.raises(ConfigError, match="topic"):
        notes.add(["z"], metadata=[{"stars": 3}])  # topic is required
    with pytest.raises(ConfigError, match="topic"):
        notes.add(["z"])  # no metadata at all is also missing the topic
    with pytest.raises(ConfigError, match="one item per text"):
        notes.add(["z", "w"], metadata={"topic": "a"})  # type: ignore[arg-type]
    assert notes.count() == 2


def test_filters(store: VectorStore) -> None:
    notes = store.collection("notes")
    meta = [
        {"topic": "db", "stars": 5, "ok": True, "owner": {"team": "core"}},
        {"topic": "db", "stars": 2, "ok": False},
        {"topic": "pets", "stars": 4, "ok": True},
        {"topic": "pets", "stars": 1, "note": None},
    ]
    notes.add(list(DOCS.values()), ids=list(DOCS), metadata=meta)

    def ids(where: dict[str, object]) -> set[str]:
        found = {h.record.id for h in notes.search("x", 10, where=where)}
        assert notes.count(where) == len(found)
        return found

    assert ids({"topic": "db"}) == {"faiss", "sqlite"}
    assert ids({"topic": "db", "stars": {"$gte": 3}}) == {"faiss"}
    assert ids({"stars": {"$gt": 1, "$lt": 5}}) == {"sqlite", "cats"}
    assert ids({"topic": {"$in": ["pets", "x"]}, "stars": {"$lte": 1}}) == {"dogs"}
    assert ids({"topic": {"$nin": ["pets"]}}) == {"faiss", "sqlite"}
    assert ids({"ok": True}) == {"faiss", "cats"}
    assert ids({"topic": {"$ne": "db"}}) == {"cats", "dogs"}
    assert ids({"note": None}) == {"faiss", "sqlite", "cats", "dogs"}  # missing or null
    assert ids({"ok": {"$ne": None}}) == {"faiss", "sqlite", "cats"}
    assert ids({"owner.team": "core"}) == {"faiss"}
    assert ids({"topic": {"$in": []}}) == set()
    hits = notes.search(DOCS["dogs"], top_k=1, where={"topic": "db"})
    assert [h.record.id for h in hits] != ["dogs"] and len(hits) == 1


@pytest.mark.parametrize(
    "where",
    [{"a": {"$regex": "x"}}, {"a": [1, 2]}, {"a": {"$in": "abc"}}, {'a"b': 1}, {"a..b": 1}],
)
def test_bad_filters_are_config_errors(store: VectorStore, where: dict[str, object]) -> None:
    notes = store.collection("notes")
    notes.add(["x"])
    with pytest.raises(ConfigError):
        notes.search("x", where=where)


def test_collections_are_separate(store: VectorStore) -> None:
    a, b = store.collection("a"), store.collection("b")
    a.add(["shared id text"], ids=["same"])
    b.add(["other text"], ids=["same"])
    assert a.get("same").text == "shared id text"  # type: ignore[union-attr]
    assert [h.record.text for h in b.search("shared id text")] == ["other text"]
    store.drop_collection("a")
    assert store.collections() == ["b"] and store.collection("a").count() == 0


def test_dimension_errors_name_the_fix(store: VectorStore) -> None:
    notes = store.collection("notes")
    with pytest.raises(DimensionMismatchError, match="128-d"):
        notes.add(["x"], embeddings=np.ones((1, 64)))
    with pytest.raises(DimensionMismatchError):
        notes.search(np.ones(64))
    with pytest.raises(ConfigError, match="one per text"):
        notes.add(["x", "y"], embeddings=np.ones((1, 128)))
    with pytest.raises(DimensionMismatchError, match="leave out dim"):
        VectorStore(HashingEmbedder(dim=128), dim=64)
    assert notes.count() == 0


def test_store_without_embedder_takes_vectors_only() -> None:
    store = VectorStore(dim=3)
    vectors = store.collection("v")
    vectors.add(["x", "y"], ids=["x", "y"], embeddings=[[1, 0, 0], [0, 2, 0]])
    assert vectors.search([0, 1, 0.1], top_k=1)[0].record.id == "y"
    assert vectors.get("y", with_embedding=True).embedding == [0.0, 1.0, 0.0]  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="no embedder"):
        vectors.search("text query")
    with pytest.raises(ConfigError, match="dim="):
        VectorStore()


def test_bad_arguments(store: VectorStore) -> None:
    notes = store.collection("notes")
    with pytest.raises(ConfigError):
        notes.search("x", top_k=0)
    with pytest.raises(ConfigError):
        store.collection("")
    with pytest.raises(ConfigError):
        notes.add([1, 2])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="in memory"):
        store.save()


def test_switches_to_ivf_through_the_store() -> None:
    store = VectorStore(dim=16, settings=IndexSettings(exact_max=200))
    col = store.collection("c")
    vectors = np.random.default_rng(0).standard_normal((300, 16))
    ids = col.add([str(i) for i in range(300)], embeddings=vectors)
    assert col.index.kind == "ivf"
    # With every list probed IVF is exact, so the best hit for a stored vector is itself.
    assert col.search(vectors[7], top_k=1, nprobe=col.index.nlist)[0].record.id == ids[7]
    col.delete(ids[:250])
    assert col.index.kind == "exact" and col.count() == 50


def test_search_bounds_what_a_caller_can_make_it_allocate():
    store = VectorStore(HashingEmbedder(dim=16))
    col = store.collection("c")
    col.add(["alpha", "beta", "gamma"])
    assert len(col.search("alpha", top_k=10_000)) == 3  # clamped to the collection's size
    for bad in (0, -1, 10**9):
        with pytest.raises(ConfigError, match="top_k must be from 1 to 10000"):
            col.search("alpha", top_k=bad)
    with pytest.raises(ConfigError, match="nprobe"):
        col.search("alpha", nprobe=0)


@pytest.mark.parametrize(
    ("metadata", "complaint"),
    [
        ({"x": float("nan")}, "finite"),
        ({"x": [1.0, float("inf")]}, "finite"),
        ({1: "a"}, "not valid"),
        ({"x": object()}, "not valid"),
    ],
)
def test_metadata_json_cannot_hold_is_refused_and_nothing_is_written(metadata, complaint):
    col = VectorStore(HashingEmbedder(dim=16)).collection("c")
    with pytest.raises(ConfigError, match=complaint):
        col.add(["t"], metadata=[metadata])
    assert col.count() == 0


@pytest.mark.parametrize(
    ("where", "complaint"),
    [
        ({1: 2}, "strings"),
        ({"x": float("nan")}, "finite"),
        ({f"k{i}": i for i in range(2000)}, "at most 64 conditions"),
        ({"x": {"$in": list(range(5000))}}, "at most 1000"),
        ("x = 1", "mapping"),
    ],
)
def test_filters_sqlite_cannot_compile_are_config_errors(where, complaint):
    col = VectorStore(HashingEmbedder(dim=16)).collection("c")
    col.add(["t"], metadata=[{"x": 1}])
    with pytest.raises(ConfigError, match=complaint):
        col.search("t", where=where)
