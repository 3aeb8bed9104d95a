"""ReWOO's worker: run a plan's tool calls as a graph of references.

Each step starts as soon as the steps it refers to are done, so independent steps overlap
(the authors' code ran them one by one). A step that repeats an earlier call exactly (small
models repeat themselves) shares that call's observation instead of running it again. A
failed or unknown tool is an observation that later steps and the solver see; only an
exhausted budget stops the run. With `ref_tokens`, a result put into a later input is first
focused on that input's own words (`llm[Who directed Jaws? #E1]` reads the sentences about
the director, not two whole passages).
"""

from __future__ import annotations

import asyncio

from agentkit.planners.context import RunContext, Step
from agentkit.planners.plan import Plan, PlanStep, data_flow_order, substitute
from agentkit.planners.syntax import REF
from agentkit.tools.focus import focus


async def execute(plan: Plan, ctx: RunContext, *, ref_tokens: int | None = None) -> dict[int, Step]:
    """Run every step; returns each step's record by its #E number."""
    tasks: dict[int, asyncio.Task[Step]] = {}
    first_with: dict[tuple[str, str], int] = {}  # (tool, resolved input) -> first step id

    async def run(step: PlanStep) -> Step:
        done = await asyncio.gather(*(tasks[r] for r in step.refs))
        about = REF.sub(" ", step.input).strip() or step.plan
        evidence = {
            d.id: d.observation.text
            if ref_tokens is None
            else focus(d.observation.text, about, ref_tokens, ctx.count)
            for d in done
        }
        tool_input = substitute(step.input, evidence)
        first = first_with.setdefault((step.tool.lower(), tool_input), step.id)
        if first == step.id:
            return await ctx.call_tool(step.id, step.tool, tool_input, step.plan)
        same = (await tasks[first]).observation
        return ctx.record(
            Step(id=step.id, tool=step.tool, input=tool_input, observation=same, note=step.plan)
        )

    try:
        for step in data_flow_order(plan.steps):  # what a step reads is started before it
            tasks[step.id] = asyncio.create_task(run(step))
        return dict(zip(tasks, await asyncio.gather(*tasks.values()), strict=True))
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
