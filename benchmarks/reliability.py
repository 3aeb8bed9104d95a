"""Reliability: fault modes, crash trials and a soak, all on this machine (loopback only).

    python benchmarks/reliability.py [--parts faults,crash,soak,parsers] [--soak-minutes 3]

- faults: the vLLM client (plain and streamed) and Agent.run against every mode of
  agentkit.testing.faults.FaultServer; a failure is a raw exception, a result that should
  have been an error (or the reverse), a missed deadline, or a ledger or budget off by a token.
- crash: agentkit.testing.crash trials for every persistent target: a kill at each write
  point, random-time kills, and each file deleted, cut or flipped.
- soak: `--concurrency` agent runs in flight against one server double for
  `--soak-minutes`: no run lost or doubled, ledger equal to what the server reported, and
  the process's resident memory before and after (the ledger keeps `max_runs` runs).
- parsers: the ReAct action and ReWOO plan parsers on 64k-character hostile inputs.

Writes benchmarks/results/reliability.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from agentkit import Agent, Budget, Limits, ReWOO, search_tool
from agentkit.errors import AgentkitError
from agentkit.evals.provenance import run_info
from agentkit.ledger import Ledger
from agentkit.llm import LLM
from agentkit.planners import parse_action, parse_plan
from agentkit.testing import WordCounter
from agentkit.testing.crash import corrupt_trials, kill_trials, scratch, targets
from agentkit.testing.faults import FAULT_MODES, FaultServer

RESULTS = Path(__file__).parent / "results"
WORKS = {"ok", "status_5xx", "no_usage", "dropped_stream"}
TIMEOUT_S = 3.0
DOCS = [("Paris", "Paris is the capital of France.")]
PLAN = "Plan: find it\n#E1 = search[Paris]"
console = Console()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- faults ------------------------------------------------------------------------------
async def _one_mode(mode: str, stream: bool) -> str | None:
    """None if the mode ended as it must; else what went wrong."""
    server = FaultServer(mode)
    budget = Budget(run=Limits(total_tokens=10_000)).tracker()
    shown: list[str] = []
    with server.running() as url:
        llm = LLM(url, "m", tokenizer=WordCounter(), timeout_s=TIMEOUT_S, max_retries=2)
        t0 = time.monotonic()
        try:
            done = await llm.generate(
                "What is the capital of France?",
                budget=budget,
                on_token=shown.append if stream else None,
            )
        except AgentkitError:
            done = None
        except Exception as exc:
            return f"raw {type(exc).__name__}: {exc}"
        finally:
            await llm.aclose()
        elapsed = time.monotonic() - t0
    if elapsed > 3 * TIMEOUT_S + 1:
        return f"took {elapsed:.1f}s"
    records = llm.ledger.records()
    if (done is not None) != (mode in WORKS):
        return "wrong outcome"
    if done is None:
        return None if not records and budget.spent.total_tokens == 0 else "charged a failure"
    if stream and "".join(shown) != done.text:
        return "stream shown twice or cut"
    return None if budget.spent == records[0].usage else "budget differs from ledger"


async def _agent_mode(mode: str) -> str | None:
    with FaultServer(mode, reply=PLAN).running() as url:
        llm = LLM(url, "m", tokenizer=WordCounter(), timeout_s=TIMEOUT_S, max_retries=2)
        agent = Agent(llm, planner=ReWOO(constraint="none"), tools=[search_tool(DOCS)])
        try:
            result = await agent.run("What is the capital of France?")
        except AgentkitError:
            return None if mode == "dead" else "raised out of Agent.run"
        except Exception as exc:
            return f"raw {type(exc).__name__}: {exc}"
        finally:
            await llm.aclose()
    if result.ok != (mode in WORKS):
        return f"status {result.status.value}"
    return None if result.total.usage == llm.ledger.total(run=result.run_id).usage else "ledger"


def faults() -> dict[str, Any]:
    cases: dict[str, str | None] = {}
    for mode in FAULT_MODES:
        cases[f"{mode}/plain"] = asyncio.run(_one_mode(mode, False))
        cases[f"{mode}/stream"] = asyncio.run(_one_mode(mode, True))
        cases[f"{mode}/agent"] = asyncio.run(_agent_mode(mode))
        console.print(mode, {k: v for k, v in cases.items() if k.startswith(mode + "/")})
    failures = {k: v for k, v in cases.items() if v is not None}
    return {"fault_modes": len(FAULT_MODES), "fault_cases": len(cases),
            "fault_failures": len(failures), "failed": failures}  # fmt: skip


# -- crash -------------------------------------------------------------------------------
def crash(random_trials: int) -> dict[str, Any]:
    out: dict[str, Any] = {"targets": {}}
    trials = lost = 0
    failures: list[str] = []
    for target in targets():
        with scratch() as tmp, Progress(console=console) as progress:
            task = progress.add_task(f"crash {target.name}", total=None)

            def advance(task: Any = task, progress: Progress = progress) -> None:
                progress.advance(task)

            kills = kill_trials(
                target, Path(tmp) / "kill", random_trials=random_trials, on_trial=advance
            )
            damage = corrupt_trials(target, Path(tmp) / "damage")
        out["targets"][target.name] = {
            "kill_trials": kills.trials, "damage_trials": damage.trials,
            "records_lost": kills.records_lost + damage.records_lost,
        }  # fmt: skip
        trials += kills.trials + damage.trials
        lost += kills.records_lost + damage.records_lost
        failures += kills.failures + damage.failures
    out.update(crash_trials=trials, records_lost=lost, crash_failures=failures[:20])
    return out


# -- soak --------------------------------------------------------------------------------
async def _soak(minutes: float, concurrency: int) -> dict[str, Any]:
    server = FaultServer("ok", reply=PLAN)
    with server.running() as url:
        llm = LLM(url, "m", tokenizer=WordCounter(), ledger=Ledger(max_runs=2_000),
                  timeout_s=60, max_connections=concurrency)  # fmt: skip
        agent = Agent(llm, planner=ReWOO(constraint="none"), tools=[search_tool(DOCS)])
        results: dict[str, int] = {}
        errors: list[str] = []
        stop_at = time.monotonic() + minutes * 60
        counter = iter(range(10**9))
        rss: list[float] = []

        async def worker() -> None:
            while time.monotonic() < stop_at:
                run_id = f"soak-{next(counter)}"
                result = await agent.run("What is the capital of France?", run_id=run_id)
                results[run_id] = results.get(run_id, 0) + 1
                if not result.ok:
                    errors.append(result.error or "?")

        async def sample() -> None:
            while time.monotonic() < stop_at:
                rss.append(_rss_mb())
                await asyncio.sleep(5)

        await asyncio.gather(sample(), *(worker() for _ in range(concurrency)))
        await llm.aclose()
    started = next(counter)  # ids handed out
    total = llm.ledger.total()
    reported = server.usage_sent
    warm = rss[min(2, len(rss) - 1)] if rss else 0.0  # after imports and the first runs
    return {
        "soak_minutes": minutes,
        "soak_concurrency": concurrency,
        "soak_runs": len(results),
        "soak_lost": started - len(results),
        "soak_doubled": sum(1 for c in results.values() if c > 1),
        "soak_errors": len(errors),
        "ledger_equals_server_usage": [total.usage.prompt_tokens, total.usage.completion_tokens]
        == reported,
        "ledger_calls": total.calls,
        "server_completions": server.completions,
        "rss_mb_after_warmup": round(warm, 1),
        "rss_mb_end": round(rss[-1], 1) if rss else 0.0,
        "rss_growth_mb": round((rss[-1] - warm) if rss else 0.0, 1),
    }


# -- parsers -----------------------------------------------------------------------------
def parsers() -> dict[str, Any]:
    n = 65_536
    cases = {
        "action: blanks after Action": ("action", "Action" + " " * n),
        "action: blanks after Thought": ("action", "Thought" + " " * n + "\nAction: s[x]"),
        "action: tabs": ("action", "\t" * n),
        "plan: blanks after Plan": ("plan", "#E1 = s[x]\nPlan" + " " * n),
        "plan: open bracket": ("plan", "#E1 = s[" + " " * n),
        "plan: many steps": ("plan", "".join(f"#E{i} = s[x]\n" for i in range(1, 5000))),
    }
    out = {}
    for name, (kind, text) in cases.items():
        t0 = time.perf_counter()
        with contextlib.suppress(AgentkitError):
            parse_action(text, ["s"]) if kind == "action" else parse_plan(text)
        out[name] = round((time.perf_counter() - t0) * 1e3, 2)
    return {"parser_ms_on_64k_inputs": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parts", default="faults,crash,soak,parsers")
    ap.add_argument("--random-trials", type=int, default=100)
    ap.add_argument("--soak-minutes", type=float, default=3.0)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--out", type=Path, default=RESULTS / "reliability.json")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    if "faults" in parts:
        result.update(faults())
    if "crash" in parts:
        result.update(crash(args.random_trials))
    if "soak" in parts:
        result.update(asyncio.run(_soak(args.soak_minutes, args.concurrency)))
    if "parsers" in parts:
        result.update(parsers())
    result["run"] = run_info(parts=sorted(parts))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    keys = ["fault_modes", "fault_failures", "crash_trials", "records_lost", "soak_runs",
            "soak_lost", "soak_doubled", "ledger_equals_server_usage", "rss_growth_mb"]  # fmt: skip
    md = ["# Reliability (loopback only)", "", "| measure | value |", "|---|---|"]
    md += [f"| {k} | {result.get(k, '-')} |" for k in keys]
    md += ["", "Parser time on 64k-character hostile inputs (ms):", ""]
    md += [f"- {k}: {v}" for k, v in result.get("parser_ms_on_64k_inputs", {}).items()]
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n")
    console.print({k: result.get(k) for k in keys})


if __name__ == "__main__":
    main()
