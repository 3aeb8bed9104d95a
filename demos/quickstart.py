"""Quickstart: an Agent with your own Python tool, on the embedded default model.

    python demos/quickstart.py
    python demos/quickstart.py --question "Who sits in room 2.07?"

The tool is a plain function made a tool by `@tool`: its name, type hints and docstring
are what the model is told. The facts it holds are made up, so the model cannot answer
without calling it. The default planner (ReWOO) writes a short plan that calls the tool,
then answers from what the tool returned. A local vLLM server is started (or a running
one reused) and stopped at the end if this script started it.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from agentkit import Agent, connect, tool
from agentkit.cli_errors import run_main

STAFF = {
    "grace hopper": "Grace Hopper: room 4.12, extension 4412, team Compilers",
    "alan turing": "Alan Turing: room 2.07, extension 2207, team Cryptanalysis",
    "ada lovelace": "Ada Lovelace: room 3.01, extension 3301, team Analytical Engines",
}


@tool
def staff(name: str) -> str:
    """Office room, phone extension and team of a colleague, looked up by full name
    (or by room number)."""
    key = name.strip().lower()
    found = [row for k, row in STAFF.items() if k in key or key in row.lower()]
    return "\n".join(found) or f"No colleague matches {name!r}; known: {', '.join(STAFF)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--question", default="What is Grace Hopper's phone extension?")
    args = ap.parse_args()
    console = Console()
    # connect() reuses a running local server for the default model, or starts one.
    llm = connect(system="")
    try:
        agent = Agent(llm, tools=[staff])  # the planner defaults to ReWOO
        result = agent.run_sync(args.question)
    finally:
        llm.close()  # stops the server if this script started it
    steps = Table("step", "tool call", "what the tool returned", title="What the agent did")
    for step in result.steps:
        steps.add_row(str(step.id), f"{step.tool}[{step.input}]", step.observation.text)
    console.print(steps)
    console.print(f"[bold]Question:[/] {args.question}\n[bold]Answer:[/] {result.answer}")
    usage = Table("role", "calls", "prompt tokens", "completion tokens", title="Exact usage")
    for role, t in result.usage.items():
        u = t.usage
        usage.add_row(role, str(t.calls), str(u.prompt_tokens), str(u.completion_tokens))
    console.print(usage)
    if result.error:
        console.print(f"[red]the run ended with an error:[/] {result.error}")


if __name__ == "__main__":
    run_main(main)
