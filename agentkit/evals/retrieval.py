"""What the systems of a HotpotQA run search: BM25 or the graph, per question or shared.

Distractor setting: each question searches its own 10 paragraphs. Open setting: one
corpus, the distinct paragraphs of every loaded question, shared by all of them (a question
must find its evidence among the other questions' paragraphs too). Every system of a run
gets the same retrieval: direct and the planners through the `search` tool, SMR through the
retriever itself (the tool's documents, searched by its own state machine).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from agentkit.errors import ConfigError
from agentkit.evals.graph_index import build_indexes
from agentkit.evals.hotpotqa import HotpotQuestion, Setting, open_corpus
from agentkit.memory.evidence import LinkedEvidence
from agentkit.memory.graph.query import GraphRetriever
from agentkit.memory.graph.triplets import Triple
from agentkit.memory.lexical import Corpus
from agentkit.memory.store.embedders import Embedder
from agentkit.planners.reader import Evidence
from agentkit.planners.smr import Retriever
from agentkit.text import as_paragraphs
from agentkit.tools import Tool, search_tool
from agentkit.tools.graph_search import graph_search_tool

Search = Literal["bm25", "graph"]
SEARCHES: tuple[str, ...] = get_args(Search)
SETTINGS: tuple[str, ...] = get_args(Setting)
SHARED = ""  # the key of the open setting's one corpus
Context = Sequence[tuple[str, list[str]]]


@dataclass(frozen=True)
class Retrieval:
    """The retriever and the `search` tool over it, for each question."""

    search: str
    setting: str
    retrievers: Mapping[str, Retriever]
    tools: Mapping[str, Tool]
    note: str
    evidences: Mapping[str, Evidence]

    def _key(self, q: HotpotQuestion) -> str:
        return SHARED if self.setting == "open" else q.id

    def retriever(self, q: HotpotQuestion) -> Retriever:
        return self.retrievers[self._key(q)]

    def tool(self, q: HotpotQuestion) -> Tool:
        return self.tools[self._key(q)]

    def evidence(self, q: HotpotQuestion) -> Evidence:
        """What a budgeted reader reads: two-hop BM25 sentences, or the graph's selection."""
        return self.evidences[self._key(q)]


def build(
    search: str,
    setting: str,
    questions: list[HotpotQuestion],
    corpus: list[HotpotQuestion] | None = None,
    *,
    embedder: Embedder | None = None,
    triples: Mapping[str, Sequence[Triple]] | None = None,
    k: int = 2,
    max_tokens: int = 300,
) -> Retrieval:
    """`corpus`: the questions whose paragraphs make the open corpus (default `questions`).
    `embedder`: the graph's (default: the packaged MiniLM, loaded only for graph search)."""
    if search not in SEARCHES or setting not in SETTINGS:
        raise ConfigError(
            f"search {search!r} / setting {setting!r}: valid searches {', '.join(SEARCHES)}, "
            f"settings {', '.join(SETTINGS)}"
        )
    contexts: dict[str, Context]
    if setting == "open":
        contexts = {SHARED: open_corpus(corpus or questions)}
    else:
        contexts = {q.id: q.context for q in questions}
    if search == "bm25":
        bm25 = {key: Corpus(context) for key, context in contexts.items()}
        tools = {key: search_tool(c, k=k, max_tokens=max_tokens) for key, c in bm25.items()}
        note = f"BM25 search: top {k} passages, at most {max_tokens} tokens per search"
        linked = {key: LinkedEvidence(context) for key, context in contexts.items()}
        return Retrieval(search, setting, bm25, tools, note, linked)
    corpora = [as_paragraphs(context) for context in contexts.values()]
    indexes, reused = build_indexes(corpora, embedder or _minilm(), triples)
    with_triplets = sum(ix.stats().paragraphs_with_triplets for ix in indexes)
    paragraphs = sum(len(c) for c in corpora)
    triplet_note = (
        f"LLM triplets for {with_triplets:,} paragraphs"
        if triples
        else "no LLM triplets (add --triplets to extract them with the model)"
    )
    note = (
        f"graph search (PPR over sentences and entities, at most {max_tokens} tokens per "
        f"search): {len(indexes)} {'index' if len(indexes) == 1 else 'indexes'} over "
        f"{paragraphs:,} paragraphs, {reused} loaded from the cache; {triplet_note}"
    )
    graphs = {key: GraphRetriever(ix) for key, ix in zip(contexts, indexes, strict=True)}
    tools = {key: graph_search_tool(g, max_tokens=max_tokens) for key, g in graphs.items()}
    return Retrieval(search, setting, graphs, tools, note, graphs)


def _minilm() -> Embedder:
    from agentkit.memory.store.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
