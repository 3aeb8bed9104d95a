"""Does a recalled item help more when it is closer to the task? Read a memory_learning run
and its kept store; no model call.

    python benchmarks/recall_similarity.py RUN_DIR STORE [--planner rewoo] [--memory exemplars]
        [--name recall_similarity]

For every test question: the similarity of the nearest stored item (what the memory recalls
first), the question's F1 and tokens with and without the memory. Then, for thresholds t,
the system that recalls only when that similarity is at least t (and otherwise runs as with
no memory, taking that run's result): what `MemorySettings.min_similarity = t` would give,
read off the two runs instead of run again. Use it on a --dev run: a threshold chosen here
is then measured for real on the test questions.

Writes benchmarks/results/NAME.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from memory_learning import RESULTS, memory_for

from agentkit.memory.learned import Memory
from agentkit.memory.store import SentenceTransformerEmbedder, VectorStore
from agentkit.paths import atomic_write_text

THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        raise SystemExit(f"{path} is missing: pass the runs/memory-learning-* folder of a run")
    return {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}


def nearest(memory: Memory, question: str) -> float:
    """Similarity of the stored item nearest to `question` (-1 when the memory is empty)."""
    hits = memory.items.search(question, top_k=1)  # type: ignore[attr-defined]
    return hits[0].score if hits else -1.0


def sweep(
    none: dict[str, dict[str, Any]], mem: dict[str, dict[str, Any]], sims: dict[str, float]
) -> list[dict[str, Any]]:
    def mean(rows: list[dict[str, Any]], key: str) -> float:
        return statistics.fmean(r[key] for r in rows)

    base_f1, base_tokens = mean(list(none.values()), "f1"), mean(list(none.values()), "tokens")
    out = []
    for t in THRESHOLDS:
        picked = [mem[q] if sims[q] >= t else none[q] for q in mem]
        f, tokens = mean(picked, "f1"), mean(picked, "tokens")
        out.append(
            {
                "min_similarity": t,
                "recalled": sum(sims[q] >= t for q in mem),
                "f1": round(100 * f, 1),
                "f1_vs_none": round(100 * (f - base_f1), 1),
                "tokens_per_question": round(tokens, 1),
                "tokens_vs_none_pct": round(100 * (tokens / base_tokens - 1), 1),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("store", type=Path)
    ap.add_argument("--planner", default="rewoo")
    ap.add_argument("--memory", default="exemplars")
    ap.add_argument("--name", default="recall_similarity")
    args = ap.parse_args()
    none = _rows(args.run / f"{args.planner}+none.jsonl")
    mem = _rows(args.run / f"{args.planner}+{args.memory}.jsonl")
    if set(none) != set(mem):
        raise SystemExit("the two runs answered different questions")
    memory = memory_for(args.memory, VectorStore.open(args.store, SentenceTransformerEmbedder()))
    if memory is None or not hasattr(memory, "items"):
        raise SystemExit(f"--memory {args.memory}: choose one kind (not none or all)")
    sims = {q: nearest(memory, r["question"]) for q, r in mem.items()}
    changed = [
        {"id": q, "similarity": round(sims[q], 3), "f1_none": none[q]["f1"], "f1": mem[q]["f1"]}
        for q in sorted(mem, key=sims.__getitem__)
        if none[q]["f1"] != mem[q]["f1"]
    ]
    result = {
        "run": str(args.run),
        "store": str(args.store),
        "system": f"{args.planner}+{args.memory}",
        "n": len(mem),
        "similarity_quartiles": [round(x, 3) for x in statistics.quantiles(sims.values(), n=4)],
        "changed": changed,
        "thresholds": sweep(none, mem, sims),
    }
    md = (
        f"# Recall by similarity: {result['system']}\n\n{args.run} against {args.store}; "
        f"{len(mem)} questions, nearest-item similarity quartiles "
        f"{result['similarity_quartiles']}; F1 changed by the memory on {len(changed)}: "
        + ", ".join(f"{c['f1_none']:.2f}->{c['f1']:.2f} at {c['similarity']}" for c in changed)
        + "\n\n| min_similarity | recalled | F1 | vs none | tokens/q | vs none |\n"
        + "|---" * 6
        + "|\n"
        + "".join(
            f"| {s['min_similarity']} | {s['recalled']} | {s['f1']} | {s['f1_vs_none']:+} | "
            f"{s['tokens_per_question']} | {s['tokens_vs_none_pct']:+}% |\n"
            for s in result["thresholds"]
        )
    )
    atomic_write_text(RESULTS / f"{args.name}.json", json.dumps(result, indent=2) + "\n")
    atomic_write_text(RESULTS / f"{args.name}.md", md)
    print(md)


if __name__ == "__main__":
    main()
