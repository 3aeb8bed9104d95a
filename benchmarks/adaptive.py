"""Difficulty-adaptive answering on HotpotQA: the budgeted reader and `auto` against the
one-call reader (direct), ReWOO and CodeAgents, in the distractor and open settings.

    python benchmarks/adaptive.py [--rows SETTING=ROWS.jsonl] [--escalations SETTING=ROWS.jsonl]
        [--n-test 50] [--parts fit,test] [--settings distractor,open]

- fit: for each setting, on questions 51-200 of the shipped set (the training split), every
  question is read once (two-hop BM25 evidence, 350 tokens, in the distractor setting; the
  graph's selection, 500 tokens, in the open one: see FITS) and escalated once (CodeAgents,
  with that setting's search); a logistic policy learns when the read is right, with the
  threshold that gives the best F1 within 600 tokens per question on those questions. Each
  policy is saved where `agentkit eval --compare auto` finds it for that setting and search
  (`policy_path`: agentkit/evals/data/auto_<model>[.open-graph].json): a policy is specific
  to what its reads read, and `auto` reads with the budget its policy was fitted with.
  `--rows` reuses a setting's rows from an earlier fit; `--escalations` only their
  escalations (they do not depend on the read), reading every question again.
- test: the first 50 questions, never fitted on. Distractor setting (each question's 10
  pages, BM25): direct, reader, ReWOO, CodeAgents, auto. Open setting (one corpus of the
  1,971 pages of the 200 questions): direct with BM25; reader (at its default 350 tokens)
  and auto (at its policy's 500) on the graph's selection (PPR over sentences and entities).

Writes benchmarks/results/adaptive.{json,md,png}; per-question JSONL under runs/.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from agentkit.evals import hotpotqa, report, retrieval
from agentkit.evals.auto_fit import cascade, collect, fit, load_rows
from agentkit.evals.compare import compare
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import QuestionResult, Summary
from agentkit.evals.systems import policy_path
from agentkit.llm import connect
from agentkit.models import DEFAULT_MODEL
from agentkit.planners import Policy

RESULTS = Path(__file__).parent / "results"
MAX_TOKENS = 600


# Each setting's policy: the search its reads read with and their evidence budget. Open:
# 500, chosen on questions 51-200 (graph reads at 350 / 500 / 650 tokens gave F1 53.6 / 56.3
# / 57.2 at 434 / 582 / 732 tokens per question; the smallest within 1 F1 of the best).
FITS = {"distractor": ("bm25", 350), "open": ("graph", 500)}


def _by_setting(items: list[str] | None) -> dict[str, Path]:
    """ "--rows open=PATH" items as {setting: path}."""
    out = {}
    for item in items or []:
        setting, _, path = item.partition("=")
        if setting not in FITS or not path:
            raise SystemExit(f"{item!r}: give SETTING=PATH with SETTING one of {', '.join(FITS)}")
        out[setting] = Path(path)
    return out


def fit_part(
    args: argparse.Namespace, llm: Any, runs: Path, console: Console, setting: str
) -> dict[str, Any]:
    """Fit the policy of one setting on questions 51-200 and ship it (`policy_path`)."""
    search, read_tokens = FITS[setting]
    train = hotpotqa.load(n=150, offset=50)
    reuse = _by_setting(args.escalations).get(setting)
    given = _by_setting(args.rows).get(setting)
    if given:
        rows = load_rows(given)
    else:
        corpus = hotpotqa.load() if setting == "open" else train
        found = retrieval.build(search, setting, train, corpus)
        earlier = {r.id: r for r in load_rows(reuse)} if reuse else None
        out = runs / f"fit_rows_{setting}.jsonl"
        rows = llm.run_sync(
            collect(llm, train, found, out, escalations=earlier, read_tokens=read_tokens)
        )
    fitted_on = (
        f"{hotpotqa.SHIPPED_LABEL} questions 51-200, {setting} setting, {search} evidence "
        f"({read_tokens} tokens), {args.model}, escalation codeagents; threshold: best F1 "
        f"within {MAX_TOKENS} tokens per question"
    )
    source = given or reuse
    if source:
        fitted_on += f"; rows or escalations from {source.name} (same questions)"
    policy, chosen = fit(rows, max_tokens=MAX_TOKENS, fitted_on=fitted_on, read_tokens=read_tokens)
    policy.save(policy_path(args.model, setting, search))
    console.print(f"{setting} policy: threshold {chosen.threshold}, on the training split {chosen}")
    n = len(rows)
    return {
        "n": n,
        "questions": "51-200",
        "search": search,
        "read_tokens": read_tokens,
        "reader": {
            "f1": round(100 * sum(r.reader_f1 for r in rows) / n, 1),
            "tokens_per_question": round(sum(r.reader_tokens for r in rows) / n, 1),
        },
        "codeagents": {
            "f1": round(100 * sum(r.escalated_f1 for r in rows) / n, 1),
            "tokens_per_question": round(sum(r.escalated_tokens for r in rows) / n, 1),
        },
        "auto": chosen.model_dump(),
        "never_escalate": cascade(rows, policy, 0.0).model_dump(),
        "always_escalate": cascade(rows, policy, 1.01).model_dump(),
        "policy": policy.model_dump(),
    }


def _shares(out: Path, name: str) -> dict[str, float] | None:
    """Auto's share of questions kept after the read and escalated, from its plans."""
    if name != "auto":
        return None
    rows = [
        QuestionResult.model_validate_json(x) for x in (out / "auto.jsonl").read_text().splitlines()
    ]
    escalated = sum("escalated to" in (r.plan or "") for r in rows) / len(rows)
    return {"reader": round(1 - escalated, 3), "codeagents": round(escalated, 3)}


def test_part(args: argparse.Namespace, runs: Path, console: Console) -> dict[str, Any]:
    questions = hotpotqa.load(n=args.n_test)
    everything = hotpotqa.load()
    settings: dict[str, Any] = {}
    plan = {
        "distractor": [("bm25", args.distractor.split(","))],
        "open": [("bm25", ["direct"]), ("graph", args.open.split(","))],
    }
    summaries: list[Summary] = []
    for setting, groups in plan.items():
        if setting not in args.settings.split(","):
            continue
        systems: dict[str, Any] = {}
        for search, names in groups:
            llm = connect(args.model, system="")  # a ledger per group: run ids repeat across them
            out = runs / f"{setting}-{search}"
            out.mkdir(parents=True, exist_ok=True)
            corpus = everything if setting == "open" else questions
            found = retrieval.build(search, setting, questions, corpus)
            console.print(f"[bold]{setting}[/] {found.note}")
            policy = None
            if "auto" in names:
                policy = Policy.load(policy_path(args.model, setting, FITS[setting][0]))
            try:
                done = llm.run_sync(compare(llm, names, questions, found, out, 8, policy))
            finally:
                llm.close()
            for s in done:
                systems[s.system] = {
                    **s.model_dump(exclude={"system"}),
                    "search": search,
                    "strategy_share": _shares(out, s.system),
                }
                if setting == "distractor":
                    summaries.append(s)
        settings[setting] = {"systems": systems}
    if summaries:
        report.plot(summaries, args.out.with_suffix(".png"), "HotpotQA first 50, distractor")
    return settings


def targets(result: dict[str, Any]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    d = result.get("settings", {}).get("distractor", {}).get("systems", {})
    if "auto" in d and "direct" in d:
        a, base = d["auto"], d["direct"]
        out["auto_f1_at_least_55_within_600_tokens"] = {
            "met": a["f1"] >= 55 and a["tokens_per_question"] <= MAX_TOKENS,
            "detail": f"F1 {a['f1']} at {a['tokens_per_question']} tokens",
        }
        out["auto_f1_at_least_direct_plus_5"] = {
            "met": a["f1"] >= base["f1"] + 5,
            "detail": f"{a['f1']} vs {base['f1'] + 5:.1f}",
        }
    o = result.get("settings", {}).get("open", {}).get("systems", {})
    if "auto" in o and "direct" in o:
        bar = o["direct"]["f1"] + 5
        out["open_auto_graph_f1_at_least_direct_bm25_plus_5"] = {
            "met": o["auto"]["f1"] >= bar, "detail": f"{o['auto']['f1']} vs {bar:.1f}"}  # fmt: skip
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = [f"# {result['title']}", ""]
    for setting, f in result.get("fit", {}).items():
        lines += [
            f"## Fitted on questions 51-200 (the training split), {setting} setting, "
            f"{f['search']} evidence ({f['read_tokens']} tokens a read)", "",
            "| system | F1 | tokens/q | share escalated |", "|---|---|---|---|",
            f"| reader | {f['reader']['f1']} | {f['reader']['tokens_per_question']} | 0 |",
            f"| codeagents | {f['codeagents']['f1']} | "
            f"{f['codeagents']['tokens_per_question']} | - |",
            f"| auto (threshold {f['auto']['threshold']}) | {f['auto']['f1']} | "
            f"{f['auto']['tokens_per_question']} | {f['auto']['escalated_share']} |",
            f"| always escalate | {f['always_escalate']['f1']} | "
            f"{f['always_escalate']['tokens_per_question']} | 1.0 |", "",
        ]  # fmt: skip
    for setting, block in result.get("settings", {}).items():
        lines += [f"## First {result['n']} questions, {setting} setting", ""]
        lines += [
            "| system | search | EM | F1 | tokens/q | LLM calls/q | wall s/q | auto's split |"
        ]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for name, s in block["systems"].items():
            share = ", ".join(f"{k} {v}" for k, v in (s.get("strategy_share") or {}).items())
            lines.append(
                f"| {name} | {s['search']} | {s['em']} | {s['f1']} | {s['tokens_per_question']} "
                f"| {s['llm_calls_per_question']} | {s['wall_s_per_question']} | {share} |"
            )
        lines.append("")
    lines += ["## Targets", "", "| target | met | measured |", "|---|---|---|"]
    for name, t in result.get("targets", {}).items():
        lines.append(f"| {name} | {'yes' if t['met'] else 'NO'} | {t['detail']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parts", default="fit,test")
    ap.add_argument(
        "--rows", action="append", metavar="SETTING=PATH", help="a setting's fit rows, reused"
    )
    ap.add_argument(
        "--escalations", action="append", metavar="SETTING=PATH",
        help="a setting's fit rows: keep their escalations, read every question again",
    )  # fmt: skip
    ap.add_argument("--n-test", type=int, default=50)
    ap.add_argument("--distractor", default="direct,reader,rewoo,codeagents,auto")
    ap.add_argument("--open", default="reader,auto")
    ap.add_argument("--settings", default="distractor,open")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=RESULTS / "adaptive.json")
    args = ap.parse_args()
    console = Console()
    runs = Path("runs") / f"adaptive-{time.strftime('%Y%m%d-%H%M%S')}"
    runs.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    parts = args.parts.split(",")
    t0 = time.perf_counter()
    if "fit" in parts:
        fits = {}
        for setting in args.settings.split(","):
            llm = connect(args.model, system="")  # a ledger per fit: run ids repeat across them
            try:
                fits[setting] = fit_part(args, llm, runs, console, setting)
            finally:
                llm.close()
        result["fit"] = {k: v for k, v in result.get("fit", {}).items() if k in FITS} | fits
    if "test" in parts:
        result.setdefault("settings", {}).update(test_part(args, runs, console))
        result["n"] = args.n_test
    result["title"] = f"Adaptive answering, HotpotQA (shipped 200), {args.model}"
    result["targets"] = targets(result)
    result["run"] = run_info(
        model=args.model, parts=parts, per_question_jsonl=str(runs),
        wall_s=round(time.perf_counter() - t0, 1), tuned_on="questions 51-200 only",
    )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result))
    console.print(markdown(result))


if __name__ == "__main__":
    main()
