"""The planners on the GAIA-style tasks shipped with agentkit (or a GAIA copy, --data): one
run, one server, every system on the same tasks and tools.

    python benchmarks/gaia.py [--data PATH] [--systems direct,react,rewoo,codeagents] [-n N]

Accuracy (GAIA's scoring rules) overall and per level, tokens, LLM and tool calls and wall
seconds per task, and where each system fails: its errors by kind, its failed tool calls by
tool, and the wrong answers that came with no error. Writes benchmarks/results/gaia.{json,
md,png}; per-task JSONL, submissions and the trace go to runs/. The shipped tasks were
written for agentkit (agentkit/evals/data/gaia_tasks/README.md); nothing was tuned on them.
Results on a GAIA copy must not be committed with its questions or answers: this file
writes only task ids, levels, predictions and whether they were right.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console

from agentkit.evals.gaia.compare import GaiaOptions, TaskResult, markdown_table, run_gaia
from agentkit.models import DEFAULT_MODEL

RESULTS = Path(__file__).parent / "results"


def failures(rows: list[TaskResult]) -> dict[str, Any]:
    """Where a system fails: error kinds, failed tool calls by tool, silent wrong answers."""
    kinds = Counter((r.error or "").split(":")[0] for r in rows if r.error)
    tools: Counter[str] = Counter()
    for r in rows:
        tools.update(r.tools_failed)
    wrong = [r for r in rows if r.correct is False]
    return {
        "errors_by_kind": dict(kinds.most_common()),
        "failed_tool_calls_by_tool": dict(tools.most_common()),
        "wrong_without_error": sum(r.error is None for r in wrong),
        "empty_answers": sum(not r.prediction.strip() for r in rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--systems", default="direct,react,rewoo,codeagents")
    ap.add_argument("-n", type=int, default=None)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--out", type=Path, default=RESULTS / "gaia.json")
    args = ap.parse_args()
    runs = Path("runs") / f"gaia-bench-{time.strftime('%Y%m%d-%H%M%S')}"
    opts = GaiaOptions(
        data=args.data, systems=args.systems.split(","), n=args.n, model=args.model,
        concurrency=args.concurrency, out=runs,
    )  # fmt: skip
    t0 = time.perf_counter()
    rep = run_gaia(opts, Console())
    info = json.loads((runs / "summary.json").read_text())["run"]
    systems: dict[str, Any] = {}
    for s in rep.summaries:
        rows = [TaskResult.model_validate_json(line)
                for line in (runs / f"{s.system}.jsonl").read_text().splitlines()]  # fmt: skip
        systems[s.system] = {
            **s.model_dump(exclude={"system"}),
            "failures": failures(rows),
            "tasks": [
                {"task_id": r.task_id, "level": r.level, "prediction": r.prediction,
                 "correct": r.correct, "tokens": r.prompt_tokens + r.completion_tokens,
                 "error": r.error}
                for r in sorted(rows, key=lambda r: r.task_id)
            ] if args.data is None else [],  # a GAIA copy's tasks are not written here
        }  # fmt: skip
    result = {
        "n": rep.summaries[0].n if rep.summaries else 0,
        "title": rep.title,
        "systems": systems,
        "total_wall_s": round(time.perf_counter() - t0, 1),
        "per_task_jsonl": str(runs),
        "run": info,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    md = [f"# {rep.title}", "", markdown_table(rep.summaries), "## Where each system fails", ""]
    md += ["| system | errors by kind | failed tool calls | wrong, no error | empty |",
           "|---|---|---|---|---|"]  # fmt: skip
    for name, s in systems.items():
        f = s["failures"]
        kinds = ", ".join(f"{k}: {v}" for k, v in f["errors_by_kind"].items()) or "-"
        tools = ", ".join(f"{k}: {v}" for k, v in f["failed_tool_calls_by_tool"].items()) or "-"
        md.append(f"| {name} | {kinds} | {tools} | {f['wrong_without_error']} | "
                  f"{f['empty_answers']} |")  # fmt: skip
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n")
    if rep.plot is not None:
        args.out.with_suffix(".png").write_bytes(rep.plot.read_bytes())


if __name__ == "__main__":
    main()
