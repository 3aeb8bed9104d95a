"""How much of the evidence a routed solver still sees: supporting-sentence recall of the
solver's context under RCR at several budgets, without a model call (HotpotQA 51-200).

    python benchmarks/routing_recall.py [--budgets 90,140,200,300] [--offset 50 -n 150]

Each question's shared memory holds what a two-hop ReWOO plan would have found: BM25's top
2 paragraphs for the question and for each supporting page's title (the entities a plan
searches by name). The solver is routed from it as in a run (question as the query) by
RCRRouter with word hashing and with MiniLM, and by the full-context baseline. Reported:
the share of HotpotQA's supporting sentences in the routed text, the share of questions
whose gold answer string is in it, and routed tokens (the model's tokenizer). It explains
benchmarks/results/routing.md: what a budget cuts, the solver never reads.

Writes benchmarks/results/routing_recall.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from rich.progress import track

from agentkit.evals import hotpotqa
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.provenance import run_info
from agentkit.memory.lexical import Corpus
from agentkit.memory.store.embedders import HashingEmbedder, SentenceTransformerEmbedder
from agentkit.models import resolve
from agentkit.paths import atomic_write_text
from agentkit.planners.routing import FullRouter, RCRRouter, Router
from agentkit.tokens import counter_for

RESULTS = Path(__file__).parent / "results"
MODEL = "qwen2.5-coder-1.5b"


def found(q: HotpotQuestion) -> list[str]:
    """The results of a two-hop plan's searches, each as the search tool renders it."""
    corpus = Corpus(q.context)
    queries = [q.question, *sorted({title for title, _ in q.supporting_facts})]
    return [
        "\n".join(f"{h.passage.title}: {h.passage.text}" for h in corpus.search(text, k=2))
        for text in queries
    ]


def recall(q: HotpotQuestion, text: str) -> float:
    """The share of the question's supporting sentences that appear whole in `text`."""
    pages = dict(q.context)
    facts = [
        pages[title][i].strip()
        for title, i in q.supporting_facts
        if title in pages and i < len(pages[title])
    ]
    return sum(f in text for f in facts) / len(facts) if facts else 0.0


def measure(router: Router, questions: list[HotpotQuestion], count) -> dict[str, float]:
    rows = []
    for q in questions:
        memory = router.memory(count)
        for text in found(q):
            memory.add("result", text, role="executor", stage="execute")
        routed = router.route(memory, "solver", "solve", q.question)
        rows.append(
            (recall(q, routed.text), q.answer.lower() in routed.text.lower(), routed.record.tokens)
        )
    return {
        "supporting_recall": round(statistics.fmean(r[0] for r in rows), 3),
        "answer_in_context": round(statistics.fmean(float(r[1]) for r in rows), 3),
        "routed_tokens": round(statistics.fmean(r[2] for r in rows), 1),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# What a routed solver still sees: HotpotQA {result['questions']}, no model calls",
        "",
        "Memory: BM25 top 2 for the question and for each supporting page's title. Query: the "
        "question. Recall: supporting sentences present whole in the routed text.",
        "",
        "| router | solver budget | routed tokens | supporting recall | answer in context |",
        "|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['router']} | {row['budget'] or '-'} | {row['routed_tokens']} | "
            f"{row['supporting_recall']} | {row['answer_in_context']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--budgets", default="90,140,200,300")
    ap.add_argument("--offset", type=int, default=50)
    ap.add_argument("-n", type=int, default=150)
    ap.add_argument("--out", type=Path, default=RESULTS / "routing_recall.json")
    args = ap.parse_args()
    questions = hotpotqa.load(n=args.n, offset=args.offset)
    count = counter_for(resolve(MODEL)).count_text  # the model's own tokenizer
    embedders = {"hashing": HashingEmbedder(dim=256), "minilm": SentenceTransformerEmbedder()}
    runs: list[tuple[str, int | None, Router]] = [("full", None, FullRouter())]
    for name, embedder in embedders.items():
        for budget in (int(b) for b in args.budgets.split(",")):
            router = RCRRouter(budgets={"solver": budget}, embedder=embedder)
            runs.append((f"rcr ({name})", budget, router))
    rows = []
    for name, budget, router in track(runs, description="routing"):
        rows.append({"router": name, "budget": budget, **measure(router, questions, count)})
    result = {
        "questions": f"{args.offset + 1}-{args.offset + len(questions)}",
        "n": len(questions),
        "rows": rows,
        "run": run_info(model_tokenizer=MODEL, data=str(hotpotqa.default_path())),
    }
    atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")
    atomic_write_text(args.out.with_suffix(".md"), markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
