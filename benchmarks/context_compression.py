"""Context compression on HotpotQA (open setting): graph PPR selection vs passages/sentences.

    flock /tmp/agentkit-heavy.lock .venv/bin/python benchmarks/context_compression.py \
        [--parts retrieval,index,e2e] [--n 200] [--extract-minutes 0] [--e2e-n 50]

One corpus: the 1,971 unique paragraphs of the 200 questions. Each part runs on its own and
its results are merged into benchmarks/results/context_compression.json (other parts' keys
are kept), then the markdown table and the plot are redrawn from the whole file.

- retrieval (no LLM at query time): for budgets of 100/200/400/800 Qwen tokens,
  supporting-sentence recall and answer-string recall of BM25 passages, dense passages,
  dense sentences and the graph's PPR selection, all packed by the same greedy filler;
  graph variants (one setting changed each), the tuned/held-out halves, recall with and
  without triplets on the questions whose paragraphs all have triplets, PPR timing.
- index: triplet extraction for at most --extract-minutes (cached, so later runs pay only
  for what is missing; each run's ledger is appended), coverage, graph size, build time.
- e2e: qwen2.5-coder-1.5b on the first --e2e-n questions: ReWOO + BM25 passages, ReWOO +
  graph search, SMR; F1 and tokens per question.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from compression_e2e import end_to_end
from compression_index import (
    EXTRACTION,
    MODEL,
    build_index,
    coverage,
    extract,
    index_part,
    triples_of,
)
from compression_report import markdown, plot
from compression_retrieval import (
    Baselines,
    QueryMemo,
    Ranker,
    console,
    failures,
    graph_ranker,
    ppr_timing,
    score,
)

from agentkit import models
from agentkit.evals import hotpotqa
from agentkit.evals.provenance import run_info
from agentkit.llm import connect
from agentkit.memory.graph.build import KnowledgeIndex
from agentkit.memory.graph.query import GraphRetriever, QuerySettings
from agentkit.memory.store import SentenceTransformerEmbedder
from agentkit.memory.store.disk_cache import DiskCache, cache_path
from agentkit.memory.store.embedding_cache import CachedEmbedder
from agentkit.text import Paragraph, as_paragraphs
from agentkit.tokens import HFTokenCounter

RESULTS = Path(__file__).parent / "results"
PARTS = ("retrieval", "index", "e2e")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, path)


def retrieval_part(
    questions: list[hotpotqa.HotpotQuestion],
    paragraphs: list[Paragraph],
    index: KnowledgeIndex,
    covered: list[hotpotqa.HotpotQuestion],
    count: Any,
) -> dict[str, Any]:
    embedder = index.embedder
    baselines = Baselines(
        paragraphs, index, CachedEmbedder(embedder, DiskCache(cache_path("embeddings")))
    )
    retriever = GraphRetriever(index)
    graph = graph_ranker(retriever)
    rankers = {
        "bm25_passages": baselines.bm25_passages,
        "dense_passages": baselines.dense_passages,
        "dense_sentences": baselines.dense_sentences,
        "graph_ppr": graph,
    }
    retrieval = {name: score(questions, r, count, name) for name, r in rankers.items()}
    plain, _ = build_index(paragraphs, {}, embedder)
    no_triplets = graph_ranker(GraphRetriever(plain))
    variant_settings = {
        "graph_ppr_sentences_only": QuerySettings(triplets_in_context=False),
        "graph_ppr_page_weight_0": QuerySettings(page_weight=0),
        "graph_ppr_lead_bonus_1": QuerySettings(lead_bonus=1),
        "graph_ppr_page_decay_1": QuerySettings(page_decay=1),
        "graph_ppr_pure_rank_order": QuerySettings(lead_bonus=1, page_decay=1),
        "graph_ppr_damping_0.5": QuerySettings(damping=0.5),
        "graph_ppr_damping_0.85": QuerySettings(damping=0.85),
    }
    variant_rankers = {"graph_ppr_no_triplets": no_triplets} | {
        name: graph_ranker(GraphRetriever(index, settings))
        for name, settings in variant_settings.items()
    }
    variants = {name: score(questions, r, count, name) for name, r in variant_rankers.items()}
    at400 = retrieval["graph_ppr"]["400"]["sp_recall"]
    return {
        "n": len(questions),
        "retrieval": retrieval,
        "retrieval_variants": variants,
        "graph_ppr_by_half": {
            "tuned_on_odd": score(questions[1::2], graph, count, "graph, odd half"),
            "held_out_even": score(questions[0::2], graph, count, "graph, even half"),
        },
        "covered_subset": covered_scores(
            covered,
            {
                "graph_ppr": graph,
                "graph_ppr_no_triplets": no_triplets,
                "dense_sentences": baselines.dense_sentences,
            },
            count,
        ),
        "bar": {
            "graph_ppr_at_400": at400,
            "dense_passages_at_800": retrieval["dense_passages"]["800"]["sp_recall"],
            "met": at400 >= 0.83,
        },
        "graph_ppr_failures": failures(questions, retriever, count),
        "ppr_timing": ppr_timing(retriever, questions[:20]),
        "retrieval_settings": {
            "tokenizer": f"{MODEL} (HF tokenizer)",
            "embedder": embedder.name,
            "packing": "greedy fill in rank order, a passage keeps the leading sentences that "
            "fit, the rendered text is counted exactly",
            "graph": index.settings.model_dump(),
            "query": retriever.settings.model_dump(),
        },
    }


def covered_scores(
    covered: list[hotpotqa.HotpotQuestion], rankers: dict[str, Ranker], count: Any
) -> dict[str, Any]:
    """With vs without triplets on the questions whose paragraphs all have them; none when
    the triplet cache holds too little (a fresh machine): skipped, with a note saying so."""
    if not covered:
        note = (
            "no question has LLM triplets for all its paragraphs (extract some with "
            "--parts index --extract-minutes N)"
        )
        console.print(f"[yellow]covered subset skipped:[/] {note}")
        return {"n": 0, "skipped": note}
    scores = {name: score(covered, r, count, f"covered, {name}") for name, r in rankers.items()}
    return {"n": len(covered), **scores}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--extract-minutes", type=float, default=0.0)
    ap.add_argument("--e2e-n", type=int, default=50)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=RESULTS / "context_compression.json")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        ap.error(f"unknown part(s) {sorted(parts - set(PARTS))}; choose from {', '.join(PARTS)}")
    if args.n < 2:
        ap.error("--n must be at least 2 (the retrieval part scores two halves)")
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    questions = hotpotqa.load(args.data, n=args.n)
    paragraphs = as_paragraphs(hotpotqa.open_corpus(questions))
    minutes = args.extract_minutes if "index" in parts else 0.0
    rep, run = asyncio.run(extract(paragraphs, minutes))
    triples = triples_of(rep)
    embedder = QueryMemo(SentenceTransformerEmbedder())
    cached_vectors = len(DiskCache(cache_path("embeddings")))
    index, build_s = build_index(paragraphs, triples, embedder)
    fresh = len(DiskCache(cache_path("embeddings"))) - cached_vectors
    cov, covered = coverage(questions, rep, paragraphs)
    console.print(
        f"triplet coverage: {cov['paragraphs_with_triplets']:,} of {cov['paragraphs']:,} "
        f"paragraphs have LLM triplets; {cov['questions_fully_covered']} of {len(questions)} "
        "questions have them for all their paragraphs"
    )
    if "index" in parts:
        indexing = result.setdefault("indexing", {})
        runs = indexing.get("extraction_runs", []) + ([run] if run else [])
        indexing.update(index_part(paragraphs, triples, embedder, index, build_s, fresh))
        indexing.update(coverage=cov, extraction_runs=runs, extraction_settings=EXTRACTION)
    if "retrieval" in parts:
        count = functools.lru_cache(maxsize=None)(
            HFTokenCounter.load(models.resolve(MODEL)).count_text
        )
        result.update(retrieval_part(questions, paragraphs, index, covered, count))
        result["retrieval_triplet_coverage"] = cov
    if "e2e" in parts:
        llm = connect(MODEL)
        runs_dir = Path("runs") / f"context-compression-{time.strftime('%Y%m%d-%H%M%S')}"
        runs_dir.mkdir(parents=True, exist_ok=True)
        e2e_q = questions[: args.e2e_n]
        e2e = llm.run_sync(end_to_end(llm, e2e_q, paragraphs, GraphRetriever(index), runs_dir))
        llm.close()
        result["end_to_end"] = e2e
        result["e2e_settings"] = {"n": len(e2e_q), "model": MODEL, "triplet_coverage": cov}
    info = run_info(
        data=str(args.data or hotpotqa.default_path()),
        data_label=hotpotqa.data_label(args.data),
        n=len(questions),
        corpus_paragraphs=len(paragraphs),
        model=MODEL,
        embedder=embedder.name,
        extract_minutes=minutes,
        e2e_n=args.e2e_n,
    )
    result["machine"] = info["machine"]
    result.setdefault("measured_at", {}).update({p: info["measured_at"] for p in parts})
    result.setdefault("runs", {}).update({p: info for p in parts})  # what each part ran with
    write_atomic(args.out, json.dumps(result, indent=2) + "\n")
    write_atomic(args.out.with_suffix(".md"), markdown(result))
    if "retrieval" in result:
        plot(result, args.out.with_suffix(".png"))
    print(markdown(result))


if __name__ == "__main__":
    main()
