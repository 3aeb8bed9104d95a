"""ReWOO (Xu et al. 2023): plan every tool call in one model call, run the calls, then
answer in one more call, so the model never re-reads a growing history.

The plan is constrained through vLLM's structured outputs (a flat regex by default; see
`constraint`), so even a small model writes a plan that parses, calls only registered tools
and has at most `max_steps` steps.
Evidence is focused before it is read (the sentences that match what a step asks, within
`ref_tokens` for a result used by a later step and `evidence_tokens` for the solver): the
passages a search returns are most of a run's tokens, and mostly beside the point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agentkit.errors import ConfigError
from agentkit.llm import Message, StructuredOutput
from agentkit.packing import fair_shares
from agentkit.planners.answer import solve
from agentkit.planners.base import PlanError, PlannerOutput
from agentkit.planners.code import unusable
from agentkit.planners.context import RunContext, Step
from agentkit.planners.plan import (
    Plan,
    PlanStep,
    parse_plan,
    plan_grammar,
    plan_regex,
    without_unread,
)
from agentkit.planners.routing import Router, RoutingSession
from agentkit.planners.settings import Constraint, ReWOOSettings
from agentkit.planners.syntax import REF
from agentkit.planners.worker import execute
from agentkit.prompts import PromptTemplates
from agentkit.tools import Tool
from agentkit.tools.focus import focus

TEMPLATES = {
    "rewoo_plan": ("tools", "max_steps", "examples", "question"),
    "rewoo_examples": (),
    "rewoo_replan": ("error",),
    "rewoo_solve": ("evidence", "question"),
}


class ReWOO:
    name = "rewoo"

    def __init__(
        self,
        *,
        max_steps: int = 4,
        constraint: Constraint = "regex",
        plan_tokens: int = 240,
        answer_tokens: int = 32,
        evidence_tokens: int | None = 200,
        ref_tokens: int | None = 80,
        skip_unread: tuple[str, ...] = ("llm",),
        prompt_templates: Mapping[str, str] | None = None,
        router: Router | None = None,
        learned_examples: bool = False,
    ) -> None:
        """`constraint` is how decoding keeps the plan parseable: "regex" (the default: the
        cheapest on vLLM-CPU, see benchmarks/results/planner_speed.md), "grammar" (the same
        plans as an EBNF grammar) or "none" (free text, parsed leniently and re-planned once
        on failure: for comparison, or for servers without structured outputs).
        `evidence_tokens=None` / `ref_tokens=None` pass results on whole. Steps of the
        `skip_unread` tools are not run when no later step reads their result: small models
        end plans with `llm[...]` steps that only redo the solver's job. Settings are checked
        as ReWOOSettings. `prompt_templates` replaces any of the templates (each must keep its
        placeholders): "rewoo_plan" ({tools}, {max_steps}, {examples}, {question}),
        "rewoo_examples" (the worked examples, none), "rewoo_replan" (after an unusable plan:
        {error}) and "rewoo_solve" ({evidence}, {question}). With `learned_examples`, worked
        examples a memory recalls (Exemplars: plans of similar questions that were right)
        stand in for "rewoo_examples"; by default they are notes beside them (the measured
        form: README, "Learned memories"). `router`
        (agentkit.planners.routing) decides what the planner (instead of the notes) and the
        solver (instead of the evidence) read; with its `max_rounds` above 1, an answer that
        says nothing is written back as feedback and the run plans again from the routed
        memory, until an answer, a round that writes nothing new, or the limit."""
        self.settings = ReWOOSettings.from_arguments(locals())
        self.prompts = PromptTemplates("ReWOO", "agentkit.planners", TEMPLATES, prompt_templates)
        self.router = router
        self.takes_examples = learned_examples

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        tools = [t for t in ctx.tools if not t.terminal]
        if not tools:
            raise ConfigError("ReWOO needs at least one tool besides finish, e.g. search_tool()")
        if self.router is not None:
            return await self._rounds(question, tools, RoutingSession(self.router, question, ctx))
        plan = await self.plan(question, tools, ctx)
        run = without_unread(plan, self.settings.skip_unread)
        results = await execute(run, ctx, ref_tokens=self.settings.ref_tokens)
        answer = await self.solve(question, run, results, ctx)
        return PlannerOutput(answer=answer, plan=plan.render())

    async def _rounds(
        self, question: str, tools: list[Tool], session: RoutingSession
    ) -> PlannerOutput:
        """Plan, execute, solve, each round's plan and results written to the memory; again
        while the answer says nothing and the round wrote something new."""
        ctx, plans = session.ctx, []
        results: dict[int, Step] = {}
        for round_ in range(session.rounds(1)):
            plan = await self.plan(question, tools, ctx, session)
            run = _renumbered(
                without_unread(plan, self.settings.skip_unread), max(results, default=0)
            )
            plans.append(run.render())
            results |= await execute(run, ctx, ref_tokens=self.settings.ref_tokens)
            for s in run.steps:
                session.add_plan(s.plan)
                session.add_steps(
                    [results[s.id]], {results[s.id].observation.text.strip(): f"#E{s.id}"}
                )
            answer = await self.solve(question, run, results, ctx, session)
            if not unusable(answer) or not session.next_round():
                break
            session.add_feedback(
                f"round {round_ + 1} found no answer ({answer!r}): search other words"
            )
        return PlannerOutput(answer=answer, plan="\n".join(plans))

    async def plan(
        self,
        question: str,
        tools: list[Tool],
        ctx: RunContext,
        session: RoutingSession | None = None,
    ) -> Plan:
        """One planner call; if its plan cannot be used, one re-plan told why, then PlanError.
        With a routing `session`, the routed context stands where the notes would."""
        text = self.plan_prompt(question, tools, ctx.examples)
        prompt = (
            ctx.with_notes(text)
            if session is None
            else session.with_context(text, "planner", "plan")
        )
        messages = [Message(role="user", content=prompt)]
        options: dict[str, Any] = {"max_tokens": self.settings.plan_tokens}
        names, steps = [t.name for t in tools], self.settings.max_steps
        if self.settings.constraint == "regex":
            options["structured"] = StructuredOutput(regex=plan_regex(names, steps))
        elif self.settings.constraint == "grammar":
            options["structured"] = StructuredOutput(grammar=plan_grammar(names, steps))
        for attempt in ("plan", "replan"):
            reply = await ctx.generate(messages, role="planner", purpose=attempt, **options)
            try:  # a free-text plan may run past max_steps: its first steps are run
                return parse_plan(reply.text).first(self.settings.max_steps)
            except PlanError as exc:
                error = exc
            messages += [
                Message(role="assistant", content=reply.text),
                Message(role="user", content=self.prompts.render("rewoo_replan", error=error)),
            ]
        raise PlanError(f"the planner wrote no usable plan after one re-plan: {error}")

    def plan_prompt(self, question: str, tools: list[Tool], examples: str = "") -> str:
        """What the planner is asked: the tools as the model sees them, worked examples (the
        packaged ones unless `examples` are given), then the question."""
        return self.prompts.render(
            "rewoo_plan",
            tools="\n".join(t.render() for t in tools),
            max_steps=self.settings.max_steps,
            examples=(examples or self.prompts.render("rewoo_examples")).strip(),
            question=question,
        )

    async def solve(
        self,
        question: str,
        plan: Plan,
        results: dict[int, Step],
        ctx: RunContext,
        session: RoutingSession | None = None,
    ) -> str:
        """One call answers from each plan line paired with its own step's evidence, or from
        what a routing `session` gives the solver."""
        if session is None:
            evidence = _evidence(question, plan, results, self.settings.evidence_tokens, ctx.count)
        else:  # what to read for: the question and what the plan set out to find
            query = "\n".join([question, *(s.plan for s in plan.steps)])
            evidence = session.context("solver", "solve", query)
        prompt = self.prompts.render("rewoo_solve", evidence=evidence, question=question)
        return await solve(ctx, prompt, self.settings.answer_tokens)


def _renumbered(plan: Plan, offset: int) -> Plan:
    """The plan with its steps (and the #E references between them) numbered after
    `offset`, so a later round's steps do not reuse an earlier round's ids."""
    if not offset:
        return plan

    def shift(text: str) -> str:
        return REF.sub(lambda m: f"#E{int(m.group(1)) + offset}", text)

    return Plan(
        steps=[
            s.model_copy(update={"id": s.id + offset, "input": shift(s.input)}) for s in plan.steps
        ]
    )


def _evidence(
    question: str,
    plan: Plan,
    results: dict[int, Step],
    max_tokens: int | None,
    count: Callable[[str], int],
) -> str:
    """Each plan line with its own step's evidence, by #E number. The tool calls are left
    out: a small model takes the words it guessed for a search as facts. A line already shown
    (the same passage found twice) is not repeated; a step with nothing new is left out. With
    `max_tokens`, the steps share it fairly (a short result leaves its share to the others)
    and each step's text is focused on the question, its plan line and its input."""
    seen: set[str] = set()
    kept: list[tuple[PlanStep, str]] = []
    for s in plan.steps:
        new = [ln for ln in results[s.id].observation.text.splitlines() if ln not in seen]
        seen.update(new)
        if new:
            kept.append((s, "\n".join(new)))
    if max_tokens is not None:
        shares = fair_shares([count(text) for _, text in kept], max_tokens)
        kept = [
            (s, focus(text, f"{question} {s.plan} {results[s.id].input}", share, count))
            for (s, text), share in zip(kept, shares, strict=True)
        ]
    return "\n\n".join(f"Plan: {s.plan}\nEvidence: {text}" for s, text in kept)
