"""CodeAgents against direct, ReAct and ReWOO on HotpotQA (distractor): same model, same BM25
search tool, one run, one server.

    python benchmarks/codeagents.py [-n 50] [--parts costs,e2e] [--systems ...]

- costs (no server): what the plan and patch grammars cost xgrammar with the model's
  tokenizer (compile ms, token-mask ms per token over real programs, as
  benchmarks/planner_speed.py measures the ReWOO constraints), and each CodeAgents prompt
  in the model's tokens.
- e2e: the first n questions through every system, `--concurrency` in flight: EM, F1,
  tokens per question (prompt and completion, and by role), LLM and tool calls, CodeAgents'
  re-plans and interpreter errors, wall seconds per question.

Writes benchmarks/results/codeagents.{json,md,png}; per-question JSONL goes to runs/ (it
holds dataset text, which is not committed). Run it on a quiet machine: anything else on
the cores moves the wall times.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from agentkit.evals import hotpotqa, report
from agentkit.evals.compare import compare_on_server
from agentkit.evals.provenance import run_info
from agentkit.evals.runner import QuestionResult, Summary
from agentkit.memory.lexical import Corpus
from agentkit.planners import CodeAgents
from agentkit.planners.code import patch_grammar, program_grammar
from agentkit.planners.code.language import function_names
from agentkit.tools import llm_tool, search_tool

RESULTS = Path(__file__).parent / "results"
MODEL = "qwen2.5-coder-1.5b"
SYSTEMS = "direct,react,rewoo,codeagents"
ROLES = ("reader", "react", "smr", "planner", "replanner", "worker", "solver")
console = Console()

# Programs as the planner and replanner write them (from the unit tests' examples): what
# the masks are timed over.
PROGRAMS = [
    'film: str = search("Jaws director")\ndirector: str = llm("Who directed Jaws?", film)\n'
    'answer(llm(question, search(f"{director} university")))\n',
    'a: str = llm("When was Ada Lovelace born?", search("Ada Lovelace born"))\n'
    'b: str = llm("When was Charles Babbage born?", search("Charles Babbage born"))\n'
    'answer(llm(question, f"Ada Lovelace: {a}\\nCharles Babbage: {b}"))\n',
    'names: list = [n.strip() for n in search("Rush members").split(",") if n]\ncount = 0\n'
    'for n in names:\n    if len(n) > 3 and n != "x":\n        count += 1\n'
    '    else:\n        assert count >= 0, "negative"\nanswer(str(count))\n',
]
PATCHES = [
    '# lines 2-3\ndirector: str = llm("Who directed the film Jaws?", film)\n'
    'if director == "":\n    director = search("Jaws 1975 film")\n',
]


# -- part 1: constraint and prompt costs, no server ----------------------------------------
def costs(model_dir: str) -> dict[str, Any]:
    import xgrammar as xgr
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    info = xgr.TokenizerInfo.from_huggingface(tok)
    out: dict[str, Any] = {"backend": f"xgrammar {importlib.metadata.version('xgrammar')}"}
    grammars = {
        "program": (program_grammar(["search", "llm"]), PROGRAMS),
        "patch": (patch_grammar(["search", "llm"]), PATCHES),
    }
    out["grammars"] = {}
    for name, (grammar, samples) in grammars.items():
        compiler = xgr.GrammarCompiler(info, cache_enabled=False)
        t0 = time.perf_counter()
        compiled = compiler.compile_grammar(xgr.Grammar.from_lark(grammar))
        compile_ms = (time.perf_counter() - t0) * 1e3
        times = _mask_times(xgr, compiled, info, tok, samples)
        out["grammars"][name] = {
            "compile_ms": round(compile_ms, 1),
            "mask_ms_per_token_mean": round(statistics.fmean(times), 3),
            "mask_ms_per_token_median": round(statistics.median(times), 3),
            "mask_ms_per_token_max": round(max(times), 3),
            "tokens": len(times),
            "grammar_chars": len(grammar),
        }
        console.print(name, out["grammars"][name])
    out["prompt_tokens"] = prompt_tokens(tok)
    console.print(out["prompt_tokens"])
    return out


def _mask_times(xgr: Any, compiled: Any, info: Any, tok: Any, samples: list[str]) -> list[float]:
    """Per token, the fastest of three passes (a busy machine delays single passes)."""
    times: list[float] = []
    for sample in samples:
        ids = tok(sample, add_special_tokens=False)["input_ids"]
        best = [float("inf")] * len(ids)
        for _ in range(3):
            matcher = xgr.GrammarMatcher(compiled)
            mask = xgr.allocate_token_bitmask(1, info.vocab_size)
            for i, token in enumerate(ids):
                t = time.perf_counter()
                matcher.fill_next_token_bitmask(mask)
                best[i] = min(best[i], (time.perf_counter() - t) * 1e3)
                if not matcher.accept_token(token):
                    raise AssertionError(f"the grammar refuses its own sample: {sample!r}")
        times += best
    return times


def prompt_tokens(tok: Any) -> dict[str, int]:
    """Each CodeAgents template, and a whole plan prompt, in the model's tokens (chat
    template included for the plan prompt, as the engine counts it)."""
    planner = CodeAgents()
    out = {name: len(tok(text)["input_ids"]) for name, text in planner.prompts.items()}
    question = hotpotqa.load(None, n=1)[0]
    tools = [search_tool(Corpus.from_hotpot(question.context)), llm_tool()]
    prompt = planner.plan_prompt(question.question, function_names(tools))
    messages = [{"role": "system", "content": ""}, {"role": "user", "content": prompt}]
    chat = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    out["plan_prompt_question_1_with_chat_template"] = len(
        tok(chat, add_special_tokens=False)["input_ids"]
    )
    return out


# -- part 2: the systems on HotpotQA -------------------------------------------------------
def e2e(args: argparse.Namespace) -> tuple[dict[str, Any], list[Summary], Path, str]:
    questions = hotpotqa.load(args.data, n=args.n)
    runs = Path("runs") / f"codeagents-{time.strftime('%Y%m%d-%H%M%S')}"
    runs.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    names = args.systems.split(",")
    summaries, note = compare_on_server(args.model, names, questions, runs, args.concurrency)
    systems = {}
    for s in summaries:
        rows = [QuestionResult.model_validate_json(line) for line in
                (runs / f"{s.system}.jsonl").read_text().splitlines()]  # fmt: skip
        systems[s.system] = {**s.model_dump(exclude={"system"}), **_details(rows)}
    result = {
        "n": len(questions),
        "model": args.model,
        "setting": "distractor",
        "systems": systems,
        "total_wall_s": round(time.perf_counter() - t0, 1),
        "per_question_jsonl": str(runs),
        "run": run_info(
            model=args.model,
            data=str(args.data or hotpotqa.default_path()),
            data_label=hotpotqa.data_label(args.data),
            setting="distractor",
            search=note,
            concurrency=args.concurrency,
            system_message="empty",
            codeagents=CodeAgents().settings.model_dump(mode="json"),
        ),
    }
    label = hotpotqa.data_label(args.data)
    title = f"{label}: first {len(questions)} questions, distractor setting, {args.model}"
    return result, summaries, runs, title


def _details(rows: list[QuestionResult]) -> dict[str, Any]:
    """By role: prompt and completion tokens and calls per question; for CodeAgents the
    rounds its programs failed (each a re-plan, or the solver after the last)."""
    n = max(len(rows), 1)
    roles: dict[str, dict[str, float]] = {}
    for role in sorted({r for row in rows for r in row.tokens_by_role}):
        used = [row.tokens_by_role[role] for row in rows if role in row.tokens_by_role]
        roles[role] = {
            "prompt_tokens_per_question": round(sum(u.prompt for u in used) / n, 1),
            "completion_tokens_per_question": round(sum(u.completion for u in used) / n, 1),
            "calls_per_question": round(sum(u.calls for u in used) / n, 3),
        }
    failed = [(row.plan or "").count("\n# round ") for row in rows]
    return {
        "by_role": roles,
        "replans_per_question": roles.get("replanner", {}).get("calls_per_question", 0.0),
        "interpreter_errors_per_question": round(sum(failed) / n, 3),
        "questions_with_interpreter_errors": sum(f > 0 for f in failed),
        "planner_calls_per_question": roles.get("planner", {}).get("calls_per_question", 0.0),
    }


def targets(s: dict[str, dict[str, Any]]) -> dict[str, dict[str, object]]:
    """The issue's bar, checked on what was measured."""
    out: dict[str, dict[str, object]] = {}
    ca = s.get("codeagents")
    if ca is None:
        return out
    if "rewoo" in s:
        bar = s["rewoo"]["f1"] + 5
        out["codeagents_f1_at_least_rewoo_plus_5"] = {
            "met": ca["f1"] >= bar, "detail": f"{ca['f1']} vs {bar:.1f}"}  # fmt: skip
    if "direct" in s:
        reader = s["direct"]["f1"]
        out["codeagents_f1_at_least_direct (moonshot)"] = {
            "met": ca["f1"] >= reader, "detail": f"{ca['f1']} vs {reader}"}  # fmt: skip
    if "react" in s:
        ratio = ca["tokens_per_question"] / max(s["react"]["tokens_per_question"], 1)
        out["codeagents_tokens_at_most_fifth_of_react"] = {
            "met": ratio <= 0.2, "detail": f"ratio {ratio:.3f}"}  # fmt: skip
        mine, theirs = ca["wall_s_per_question"], s["react"]["wall_s_per_question"]
        out["codeagents_wall_at_most_react"] = {
            "met": mine <= theirs, "detail": f"{mine} s vs {theirs} s per question"}  # fmt: skip
    return out


# -- report --------------------------------------------------------------------------------
def _role_cell(r: dict[str, float]) -> str:
    prompt, completion = r["prompt_tokens_per_question"], r["completion_tokens_per_question"]
    return f"{prompt:.0f} / {completion:.0f} ({r['calls_per_question']})"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
        "",
    ]


def markdown(result: dict[str, Any], summaries: list[Summary], title: str) -> str:
    md = [f"# {title}", ""]
    if summaries:
        md += [report.markdown_table(summaries)]
        md += ["## Tokens per question by role: prompt / completion (calls)", ""]
        rows = [
            [name, *(_role_cell(s["by_role"][r]) if r in s["by_role"] else "" for r in ROLES),
             s["replans_per_question"], s["interpreter_errors_per_question"]]
            for name, s in result["systems"].items()
        ]  # fmt: skip
        md += _table(["system", *ROLES, "re-plans/q", "interpreter errors/q"], rows)
    c = result.get("costs")
    if c:
        md += [f"## Constraint cost without a server ({c['backend']}, Qwen tokenizer)", ""]
        keys = ["compile_ms", "mask_ms_per_token_mean", "mask_ms_per_token_median",
                "mask_ms_per_token_max", "tokens"]  # fmt: skip
        rows = [[name, *(g[k] for k in keys)] for name, g in c["grammars"].items()]
        md += _table(["grammar", *keys], rows)
        md += _table(["prompt", "Qwen tokens"], [list(kv) for kv in c["prompt_tokens"].items()])
    if result.get("targets"):
        rows = [[k, "yes" if v["met"] else "NO", v["detail"]] for k, v in result["targets"].items()]
        md += ["## Targets", "", *_table(["target", "met", "measured"], rows)]
    return "\n".join(md) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--parts", default="costs,e2e")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--systems", default=SYSTEMS)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=RESULTS / "codeagents.json")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    summaries: list[Summary] = []
    title = result.get("title", f"HotpotQA: CodeAgents vs direct, ReAct, ReWOO ({args.model})")
    if "costs" in parts:
        from agentkit.models import resolve

        result["costs"] = costs(resolve(args.model))
    if "e2e" in parts:
        e2e_result, summaries, _, title = e2e(args)
        result.update(e2e_result)
        result["title"] = title
    if not summaries and result.get("systems"):  # a costs-only run keeps the last table
        summaries = [
            Summary(system=name, **{k: s[k] for k in Summary.model_fields if k != "system"})
            for name, s in result["systems"].items()
        ]
    result["targets"] = targets(result.get("systems", {}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result, summaries, title))
    if summaries:
        report.plot(summaries, args.out.with_suffix(".png"), title)
        console.print(report.rich_table(summaries, title))
    console.print(json.dumps(result["targets"], indent=2))


if __name__ == "__main__":
    main()
