"""HotpotQA side by side: the one-call reader against the planners, on the same questions
and search tool: direct (top-2 passages, one call), reader (two-hop linked sentences, one
call), auto (the reader, escalated to CodeAgents when it is unsure), CodeAgents, ReWOO and
the ReAct baseline.

    python demos/hotpotqa_side_by_side.py              # 5 questions; `make demo` runs this
    python demos/hotpotqa_side_by_side.py --n 20 --compare direct,rewoo,smr --search graph

It runs on the embedded default model (qwen2.5-coder-1.5b): a local vLLM server is started
(about a minute on 2 CPU cores) or a running one is reused, and one this script started is
stopped at the end. The questions are the 200 HotpotQA dev questions that ship with
agentkit (CC BY-SA 4.0; see agentkit/evals/data/README.md), so nothing is downloaded.

For each system it prints exact match, F1 and the exact tokens per question (prompt +
completion, as the engine counted them), and writes per-question JSONL, a summary and a
tokens-vs-F1 plot under runs/. It is the same run as `agentkit eval hotpotqa`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from agentkit.cli_errors import run_main
from agentkit.evals.compare import EvalOptions, names, run_hotpotqa

DEFAULT = "direct,reader,auto,codeagents,rewoo,react"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5, help="number of questions")
    ap.add_argument("--compare", default=DEFAULT, help="comma list; also: smr")
    ap.add_argument("--search", default="bm25", help="bm25 or graph")
    ap.add_argument("--setting", default="distractor", help="distractor or open")
    ap.add_argument("--out", type=Path, default=None, help="default: runs/hotpotqa-<time>")
    args = ap.parse_args()
    console = Console()
    options = EvalOptions(
        n=args.n,
        systems=names(args.compare),
        search=args.search,
        setting=args.setting,
        out=args.out,
    )
    # Load the questions, build the search tool, run each system in turn, print the table.
    report = run_hotpotqa(options, console)
    # One line to read the table by: what each system paid per F1 point.
    cost = [f"{s.system} {s.tokens_per_question / s.f1:,.0f}" for s in report.summaries if s.f1 > 0]
    if cost:
        console.print("tokens per question per F1 point: " + ", ".join(cost))


if __name__ == "__main__":
    run_main(main)
