"""Part 1 of the context-compression benchmark: recall under a token budget, no LLM.

Every method ranks units (a passage is a group of sentences, a sentence or triplet a group
of one) and the same greedy filler packs them (agentkit.packing), so the
methods differ only in their ranking.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import networkx as nx
import numpy as np
from rich.console import Console
from rich.progress import track

from agentkit.evals import hotpotqa
from agentkit.evals.metrics import normalize
from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.ppr import PageRank
from agentkit.memory.graph.query import GraphRetriever
from agentkit.memory.lexical import Corpus
from agentkit.memory.store import SentenceTransformerEmbedder, VectorStore
from agentkit.memory.store.embedders import Embedder
from agentkit.packing import select_under_budget
from agentkit.text import Paragraph, Passage

BUDGETS = (100, 200, 400, 800)
Ranker = Callable[[hotpotqa.HotpotQuestion], Iterable[Sequence[Passage]]]
Count = Callable[[str], int]
console = Console()


class QueryMemo:
    """Embeds each question once: every method and variant asks for the same vectors."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self.inner.embed(missing), strict=True))
        return np.stack([self._memo[t] for t in texts])


def passage_units(p: Paragraph) -> list[Passage]:
    return p.split()


class Baselines:
    """The three rankings the graph is compared with, over the same corpus and embedder."""

    def __init__(self, paragraphs: list[Paragraph], index: KnowledgeIndex, bulk: Embedder):
        self.by_title = {p.title: p for p in paragraphs}
        self.index = index
        self.bm25 = Corpus((p.title, p.text) for p in paragraphs)
        self.passages = VectorStore(dim=bulk.dim).collection("passages")
        vectors = bulk.embed([f"{p.title}: {p.text}" for p in paragraphs])
        self.passages.add(
            [p.text for p in paragraphs], ids=[p.title for p in paragraphs], embeddings=vectors
        )

    def bm25_passages(self, q: hotpotqa.HotpotQuestion) -> Iterator[list[Passage]]:
        for hit in self.bm25.search(q.question, k=25):
            yield passage_units(self.by_title[hit.passage.title])

    def dense_passages(self, q: hotpotqa.HotpotQuestion) -> Iterator[list[Passage]]:
        vector = self.index.embedder.embed([q.question])[0]
        for hit in self.passages.search(vector, top_k=25):
            yield passage_units(self.by_title[hit.record.id])

    def dense_sentences(self, q: hotpotqa.HotpotQuestion) -> Iterator[list[Passage]]:
        vector = self.index.embedder.embed([q.question])[0]
        for hit in self.index.chunk_vectors.search(vector, top_k=150):
            yield [self.index.chunks[hit.record.id]]


def graph_ranker(retriever: GraphRetriever) -> Ranker:
    return lambda q: retriever.units(retriever.rank(q.question))


def contains_answer(text: str, answer: str) -> bool:
    return f" {normalize(answer)} " in f" {normalize(text)} "


def score(
    questions: list[hotpotqa.HotpotQuestion], ranker: Ranker, count: Count, label: str
) -> dict[str, dict[str, float]]:
    """Mean sp recall, answer recall (yes/no questions left out) and tokens per budget."""
    rows: dict[int, list[tuple[float, float | None, int]]] = {b: [] for b in BUDGETS}
    for q in track(questions, description=f"{label:>24}", console=console, transient=True):
        ranked = list(ranker(q))
        gold = {(t, i) for t, i in q.supporting_facts}
        for budget in BUDGETS:
            sel = select_under_budget(ranked, budget, count)
            answer = (
                None
                if normalize(q.answer) in ("yes", "no")
                else float(contains_answer(sel.text, q.answer))
            )
            rows[budget].append((len(gold & sel.sentences()) / len(gold), answer, sel.tokens))
    out = {}
    for budget, values in rows.items():
        answers = [a for _, a, _ in values if a is not None]
        out[str(budget)] = {
            "sp_recall": round(statistics.fmean(v[0] for v in values), 3),
            "answer_recall": round(statistics.fmean(answers), 3) if answers else 0.0,
            "tokens": round(statistics.fmean(v[2] for v in values), 1),
        }
    return out


def ppr_timing(
    retriever: GraphRetriever, questions: list[hotpotqa.HotpotQuestion]
) -> dict[str, Any]:
    """networkx.pagerank (scipy inside, matrix rebuilt per call) vs our cached sparse matrix."""
    graph, damping = retriever.index.graph, retriever.settings.damping
    t0 = time.perf_counter()
    pagerank = PageRank(graph)
    build_ms = 1000 * (time.perf_counter() - t0)
    ours_ms, nx_ms, diffs, agree = [], [], [], []
    for q in questions:
        seeds = retriever.seeds(q.question)
        t0 = time.perf_counter()
        mine = pagerank.run(seeds, damping=damping, tol=1e-8)
        ours_ms.append(1000 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        theirs = nx.pagerank(graph, alpha=damping, personalization=seeds, tol=1e-8, weight="weight")
        nx_ms.append(1000 * (time.perf_counter() - t0))
        ref = np.array([theirs[n] for n in pagerank.nodes])
        diffs.append(float(np.abs(ref - mine).max()))
        agree.append(len(set(np.argsort(-ref)[:20]) & set(np.argsort(-mine)[:20])) / 20)
    return {
        "questions": len(questions),
        "matrix_build_ms_once": round(build_ms, 1),
        "sparse_power_iteration_ms": round(statistics.median(ours_ms), 2),
        "networkx_pagerank_ms": round(statistics.median(nx_ms), 2),
        "speedup": round(statistics.median(nx_ms) / statistics.median(ours_ms), 1),
        "max_abs_diff": max(diffs),
        "top20_agreement": round(statistics.fmean(agree), 3),
    }


def failures(
    questions: list[hotpotqa.HotpotQuestion],
    retriever: GraphRetriever,
    count: Count,
    budget: int = 400,
    examples: int = 10,
) -> dict[str, Any]:
    """Where the graph's selection misses supporting sentences at `budget`: was the page
    shown at all, was it the page's first sentence, how far down the page ranking was it."""
    tally: dict[str, int] = {}
    shown: list[dict[str, Any]] = []
    for q in questions:
        ranking = retriever.rank(q.question)
        pages = list(dict.fromkeys(retriever.index.chunks[c].title for c, _ in ranking.chunks))
        selection = select_under_budget(retriever.units(ranking), budget, count)
        got, got_pages = selection.sentences(), {u.title for u in selection.units}
        for title, i in q.supporting_facts:
            if (title, i) in got:
                continue
            kinds = (
                "page_shown" if title in got_pages else "page_not_shown",
                "lead_sentence" if i == 0 else "later_sentence",
                f"{q.type}_question",
            )
            for kind in kinds:
                tally[kind] = tally.get(kind, 0) + 1
            if len(shown) < examples:
                rank = pages.index(title) + 1 if title in pages else None
                shown.append({"id": q.id, "title": title, "sentence": i, "page_rank": rank})
    facts = sum(len(q.supporting_facts) for q in questions)
    return {"budget": budget, "facts": facts, "missed": tally, "examples": shown}
