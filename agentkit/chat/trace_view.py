"""A trace (agentkit.trace JSONL) as a tree: runs, their model calls and tool steps, with
tokens and latency. A call made inside a step (labelled with its number) sits under it.

Only the fields a TraceWriter writes are read, and a line of another kind is passed over,
so a trace of a whole evaluation (many runs, some without an agent result) renders too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from rich.tree import Tree

from agentkit.planners.syntax import write_call

Event = dict[str, Any]


def run_of(event: Event) -> str:
    kind = event.get("kind")
    if kind == "llm_call":
        return str(event.get("labels", {}).get("run", "?"))
    if kind == "tool_step":
        return str(event.get("run", "?"))
    return str(event.get("run_id", "?"))


def by_run(events: Iterable[Event]) -> dict[str, list[Event]]:
    runs: dict[str, list[Event]] = {}
    for e in events:
        if e.get("kind") in ("llm_call", "tool_step", "agent_result"):
            runs.setdefault(run_of(e), []).append(e)
    return runs


def trace_tree(events: Iterable[Event], title: str) -> Tree:
    runs = by_run(events)
    calls = sum(1 for evs in runs.values() for e in evs if e["kind"] == "llm_call")
    root = Tree(Text(f"{title}: {len(runs)} runs, {calls} model calls", style="bold"))
    for run, evs in runs.items():
        run_tree(root, run, evs)
    return root


def run_tree(parent: Tree, run: str, events: list[Event]) -> Tree:
    result = next((e for e in events if e["kind"] == "agent_result"), None)
    node = parent.add(_run_label(run, events, result))
    steps: dict[int, Tree] = {}
    for e in events:
        step = e.get("id") if e["kind"] == "tool_step" else e.get("labels", {}).get("step")
        if e["kind"] == "agent_result":
            continue
        if step is None:
            node.add(_call_label(e))
            continue
        if step not in steps:
            steps[step] = node.add(Text(f"step {step}", style="bold"))
        if e["kind"] == "tool_step":
            steps[step].label = _step_label(e)
        else:
            steps[step].add(_call_label(e))
    return node


def _run_label(run: str, events: list[Event], result: Event | None) -> Text:
    calls = [e for e in events if e["kind"] == "llm_call"]
    tokens = sum(_tokens(e) for e in calls)
    latency = sum(float(e.get("latency_s", 0.0)) for e in calls)
    label = Text.assemble(("run ", "bold"), (run, "bold"))
    if result is None:
        label.append("  no result (cancelled, or not an agent run)", style="yellow")
    else:
        ok = result.get("status") == "ok"
        label.append(f"  {result.get('planner', '')} ", style="cyan")
        label.append(str(result.get("status")), style="green" if ok else "red")
        question = str(result.get("question", "")).split("\n", 1)[0]
        label.append(f"  {question!r:.80} → {result.get('answer', '')!r:.60}")
    label.append(f"  · {len(calls)} calls · {tokens:,} tokens · {latency:.2f} s", style="dim")
    return label


def _call_label(e: Event) -> Text:
    labels, usage = e.get("labels", {}), e.get("usage", {})
    what = "/".join(x for x in (labels.get("role"), labels.get("purpose")) if x)
    label = Text.assemble(("call ", "dim"), (what or "call", "magenta"))
    label.append(
        f"  {usage.get('prompt_tokens', 0):,} + {usage.get('completion_tokens', 0):,} tokens"
        f" (cached {usage.get('cached_tokens', 0):,}) · {float(e.get('latency_s', 0.0)):.2f} s",
        style="dim",
    )
    if e.get("cancelled"):
        label.append("  cancelled", style="yellow")
    return label


def _step_label(e: Event) -> Text:
    obs = e.get("observation", {})
    ok = bool(obs.get("ok", True))
    call = write_call(str(e.get("tool", "")), str(e.get("input", "")))
    label = Text.assemble(
        ("✓ " if ok else "✗ ", "green" if ok else "red"), (f"#{e['id']} ", "bold")
    )
    label.append(call[:100], style="cyan")
    label.append(f"  {float(obs.get('latency_s', 0.0)):.2f} s", style="dim")
    if not ok:
        label.append(f"  {obs.get('error', '')}"[:120], style="red")
    return label


def _tokens(e: Event) -> int:
    usage = e.get("usage", {})
    return int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0))
