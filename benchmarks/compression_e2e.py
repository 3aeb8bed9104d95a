"""Part 2 of the context-compression benchmark: end to end with the LLM.

ReWOO with BM25 passages vs ReWOO with the graph's search tool vs SMR (its own state
machine over BM25, then one answer call), same questions, model and token cap per search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentkit.evals import hotpotqa
from agentkit.evals.runner import progress_bar, run_system, summarise
from agentkit.evals.systems import planner_system
from agentkit.llm import LLM
from agentkit.memory.graph.query import GraphRetriever
from agentkit.memory.lexical import Corpus
from agentkit.planners import SMR, ReWOO
from agentkit.text import Paragraph
from agentkit.tools import search_tool
from agentkit.tools.graph_search import graph_search_tool

SEARCH_TOKENS = 300


async def end_to_end(
    llm: LLM,
    questions: list[hotpotqa.HotpotQuestion],
    corpus: list[Paragraph],
    retriever: GraphRetriever,
    runs: Path,
) -> dict[str, Any]:
    bm25 = Corpus((p.title, p.text) for p in corpus)
    bm25_tool = search_tool(bm25, k=2, max_tokens=SEARCH_TOKENS)
    graph_tool = graph_search_tool(retriever, max_tokens=SEARCH_TOKENS)
    systems = {
        "rewoo_bm25_passages": planner_system(llm, ReWOO(), lambda q: bm25_tool),
        "rewoo_graph_ppr": planner_system(llm, ReWOO(), lambda q: graph_tool),
        "smr_bm25": planner_system(llm, SMR(bm25), lambda q: bm25_tool),
    }
    out = {}
    with progress_bar() as progress:
        for name, system in systems.items():
            results = await run_system(
                name,
                system,
                questions,
                llm.ledger,
                concurrency=8,
                jsonl=runs / f"{name}.jsonl",
                progress=progress,
            )
            roles: dict[str, dict[str, int]] = {}
            for r in results:
                for role, t in r.tokens_by_role.items():
                    agg = roles.setdefault(role, {"prompt": 0, "completion": 0, "calls": 0})
                    agg["prompt"] += t.prompt
                    agg["completion"] += t.completion
                    agg["calls"] += t.calls
            summary = summarise(name, results).model_dump(exclude={"system"})
            out[name] = {**summary, "tokens_by_role_total": roles}
    return out
