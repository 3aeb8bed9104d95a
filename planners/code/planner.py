"""CodeAgents (arXiv 2507.03254): the plan is a program. The task, the plan, the feedback and
the tool calls are all written as typed Python pseudocode, which costs a fraction of the
tokens of prose and can be checked by running it.

Roles, each with its own prompt and ledger role: the **planner** writes the program in one
call (under a lark grammar, so it parses); the **executor** is the interpreter (no tokens;
independent tool calls run concurrently); the **replanner**, when a run fails (an error, a
failed `assert`, a tool that returned nothing usable), reads codified feedback and writes a
patch of a few lines, for at most `max_replans` rounds; the **solver** answers from the
variables when the program ends without `answer()`, cannot be fixed, or answers with a
whole passage. Tool calls a patched program repeats come from a cache, so a round costs
only its patch and its new calls.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from agentkit.errors import ConfigError, PlanError, ProgramError, ToolResultError
from agentkit.llm import Message, StructuredOutput
from agentkit.packing import fair_shares
from agentkit.planners.answer import short_answer, solve
from agentkit.planners.base import PlannerOutput
from agentkit.planners.code.grammar import patch_grammar, program_grammar
from agentkit.planners.code.interpreter import Interpreter, Outcome, ToolFunction
from agentkit.planners.code.language import (
    Program,
    function_names,
    parse_program,
    py_name,
    render_value,
    signature,
    unfenced,
)
from agentkit.planners.code.patch import apply_patch, codified_feedback, parse_patch
from agentkit.planners.context import RunContext, Step
from agentkit.planners.routing import Router, RoutingSession
from agentkit.planners.settings import CodeAgentsSettings, CodeConstraint, ProgramLimits
from agentkit.prompts import PromptTemplates
from agentkit.tools import Tool
from agentkit.tools.focus import focus

__all__ = ["CodeAgents", "unusable"]

TEMPLATES = {
    "codeagents_plan": ("tools", "question"),
    "codeagents_replan": ("error",),
    "codeagents_patch": ("question", "program", "feedback", "line"),
    "codeagents_solve": ("variables", "question"),
}
_FEEDBACK_VARIABLES = 6
_ANSWER_WORDS = 20  # a longer answer() is a passage (answer(search(...))): the solver reads it
_LINE = re.compile(r"^line (\d+):")
# A result with nothing to go on: the replanner hears of it at its line, instead of the
# next line reading "unknown" as a fact.
_NOTHING = re.compile(
    r"\s*(?:none|null|n/?a|unknown|no answer"
    r"|not (?:found|known|available|mentioned|given|provided|specified|stated)"
    r"|no (?:passage matches|information|relevant|mention)\b.*"
    r"|(?:i|we) (?:do not|don't|cannot|can't) (?:know|find|determine|tell)\b.*"
    r"|(?:the )?(?:text|passage|context)s? (?:does|do) not "
    r"(?:say|mention|provide|contain|specify|state|include)\b.*"
    r"|there is no (?:information|mention)\b.*)?[.!]?\s*",
    re.IGNORECASE | re.DOTALL,
)


def unusable(text: str) -> bool:
    """Empty, or a short reply that says it found nothing ("Unknown.", "The text does not
    say."); a longer one may go on to say what it did find."""
    return not text.strip() or (len(text.split()) <= 12 and _NOTHING.fullmatch(text) is not None)


class CodeAgents:
    name = "codeagents"

    def __init__(
        self,
        *,
        constraint: CodeConstraint = "grammar",
        plan_tokens: int = 256,
        patch_tokens: int = 160,
        answer_tokens: int = 32,
        max_replans: int = 1,
        solver: bool = True,
        context_tokens: int | None = 160,
        evidence_tokens: int | None = 200,
        value_chars: int = 80,
        focus_tools: tuple[str, ...] = ("llm",),
        opening: str = "found: str = search(question)",
        limits: ProgramLimits | None = None,
        prompt_templates: Mapping[str, str] | None = None,
        router: Router | None = None,
    ) -> None:
        """`constraint` "grammar" decodes programs and patches under a lark grammar of the
        language (cheap: see benchmarks/codeagents.py); "none" reads free text leniently and
        re-plans once when it does not parse (servers without grammar support).
        `context_tokens` is what a `focus_tools` call (the `llm` tool) reads of a long text
        argument, focused on its other arguments (the question it asks); `evidence_tokens`
        what the solver reads of all variables. `opening` is the program's first lines,
        written for the planner, which continues them (vLLM's continue_final_message; ""
        for a server without it): searching the question itself first grounds the program
        in the question's own pages (a 1.5B planner left to choose its first query copied
        the prompt's example into unrelated questions, and one asked to continue a program
        in the user's message wrote prose); it is left out when the run lacks a function it
        calls. `max_replans` is 1: a round costs ~350
        tokens, and a 1.5B replanner that misses once tends to miss again. Settings are
        checked as CodeAgentsSettings; `limits` (ProgramLimits) bound every run.
        `prompt_templates` replaces any of:
        "codeagents_plan" ({tools}, {question}), "codeagents_replan" ({error}),
        "codeagents_patch" ({question}, {program}, {feedback}, {line}) and
        "codeagents_solve" ({variables}, {question}). `router`
        (agentkit.planners.routing) decides what the planner (instead of the notes), the
        replanner (instead of the variables in its feedback) and the solver (instead of the
        variables) read, from a memory the rounds write to; its `max_rounds` replaces
        `max_replans` + 1, and a round that writes nothing new ends the run."""
        limits = limits or ProgramLimits()
        self.settings = CodeAgentsSettings.from_arguments(locals())
        self.prompts = PromptTemplates(
            "CodeAgents", "agentkit.planners", TEMPLATES, prompt_templates
        )
        self.router = router

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        tools = [t for t in ctx.tools if not t.terminal]
        if not tools:
            raise ConfigError(
                "CodeAgents needs at least one tool besides finish, e.g. search_tool()"
            )
        functions = function_names(tools)
        session = RoutingSession(self.router, question, ctx) if self.router else None
        program = await self.plan(question, functions, ctx, session)
        calls = _ToolCalls(ctx, functions, self.settings)
        interpreter = Interpreter(calls.functions, self.settings.limits)
        source, failures = program.source, []
        rounds = self.settings.max_replans + 1
        if session is not None:
            session.add_plan(program.source)
            rounds = session.rounds(rounds)
        try:
            for round_ in range(rounds):
                source, outcome = await self.attempt(source, question, interpreter, calls)
                changed = session is None or _remember(session, outcome, ctx.steps)
                if outcome.error is None:
                    break
                failures.append(f"\n# round {round_ + 1}: {outcome.error}")
                if not changed:  # routing again would give the replanner the same context
                    break
                if round_ < rounds - 1:
                    source = await self.patch(question, source, outcome, functions, ctx, session)
        finally:
            await calls.close()
        trace = source + "".join(failures)  # the program that ran last, then what failed
        if outcome.answered and outcome.error is None:
            text = _answer_text(outcome.answer)
            if len(text.split()) <= _ANSWER_WORDS or not self.settings.solver:
                return PlannerOutput(answer=text, plan=trace)
            outcome.variables["answer"] = outcome.answer  # a passage, not an answer: read it
        if not self.settings.solver:
            raise outcome.error or PlanError("the program ended without answer()")
        answer = await self.solve(question, outcome, ctx, session)
        return PlannerOutput(answer=answer, plan=trace)

    async def plan(
        self,
        question: str,
        functions: Mapping[str, Tool],
        ctx: RunContext,
        session: RoutingSession | None = None,
    ) -> Program:
        """One planner call; a reply that is no program is re-planned once, told why. The
        `opening` is the start of the planner's reply (vLLM continues that message), so the
        model goes on writing code instead of prose about code. With a routing `session`,
        the routed context stands where the notes would."""
        opening = self.opening(functions)
        prompt_text = self.plan_prompt(question, functions)
        if session is None:
            text = ctx.with_notes(prompt_text)
        else:
            text = session.with_context(prompt_text, "planner", "plan")
        prompt = [Message(role="user", content=text)]
        options = self._decoding(program_grammar(functions), self.settings.plan_tokens)
        if opening:
            options["extra_body"] = {"continue_final_message": True, "add_generation_prompt": False}
        for attempt in ("plan", "replan"):
            started = [Message(role="assistant", content=opening + "\n")] if opening else []
            reply = await ctx.generate(prompt + started, role="planner", purpose=attempt, **options)
            source = f"{opening}\n{unfenced(reply.text)}" if opening else reply.text
            try:
                return parse_program(source, functions, self.settings.limits)
            except PlanError as exc:
                error = exc
            replan = self.prompts.render("codeagents_replan", error=error)
            prompt += [
                Message(role="assistant", content=source),
                Message(role="user", content=replan),
            ]
        raise PlanError(f"the planner wrote no program that can run, after one re-plan: {error}")

    def plan_prompt(self, question: str, functions: Mapping[str, Tool]) -> str:
        """The tools as typed signatures, examples, and the task as a line of code."""
        tools = "\n".join(signature(t) for t in functions.values())
        return self.prompts.render("codeagents_plan", tools=tools, question=_literal(question))

    def opening(self, functions: Mapping[str, Tool]) -> str:
        """The `opening` lines when this run's functions can run them, else nothing."""
        if not self.settings.opening.strip():
            return ""
        try:
            parse_program(self.settings.opening, functions, self.settings.limits)
        except PlanError:
            return ""
        return self.settings.opening.strip("\n")

    def _decoding(self, grammar: str, max_tokens: int) -> dict[str, Any]:
        options: dict[str, Any] = {"max_tokens": max_tokens, "tools": ()}
        if self.settings.constraint == "grammar":
            options["structured"] = StructuredOutput(grammar=grammar)
        return options

    async def attempt(
        self, source: str, question: str, interpreter: Interpreter, calls: _ToolCalls
    ) -> tuple[str, Outcome]:
        """Parse and run `source`: the program as parsed (lines numbered as the errors name
        them) and how it ended. A parse error, a refusal or an unusable answer is the
        outcome's error, as a failed line is."""
        try:
            program = parse_program(source, calls.functions, self.settings.limits)
        except PlanError as exc:
            return source, Outcome(error=exc)
        calls.lines = program.lines
        outcome = await interpreter.run(program, {"question": question})
        if outcome.answered and unusable(_answer_text(outcome.answer)):
            line = outcome.answer_line
            got = render_value(outcome.answer, self.settings.value_chars)
            outcome.error = ProgramError(f"line {line}: answer() got {got}: no answer", line)
        return program.source, outcome

    async def patch(
        self,
        question: str,
        source: str,
        outcome: Outcome,
        functions: Mapping[str, Tool],
        ctx: RunContext,
        session: RoutingSession | None = None,
    ) -> str:
        """One replanner call: codified feedback in, a patch of lines out, applied. With a
        routing `session`, the error and then the replanner's routed context."""
        error = outcome.error
        assert error is not None
        lines = source.splitlines()
        line = _line_of(error, len(lines))
        failing = lines[line - 1] if lines else ""
        if session is None:
            feedback = codified_feedback(
                error,
                outcome.variables,
                failing,
                chars=self.settings.value_chars,
                most=_FEEDBACK_VARIABLES,
            )
        else:
            query = f"{question}\n{error}\n{failing}"
            # the prompt shows the program and this error already
            skip = session.ids("plan") + ([session.feedback.id] if session.feedback else [])
            routed = session.context("replanner", "replan", query, skip=skip)
            feedback = "\n".join(t for t in (f"# error: {error}", routed) if t)
        prompt = self.prompts.render(
            "codeagents_patch",
            question=_literal(question),
            program="\n".join(f"{i} {text}" for i, text in enumerate(lines, 1)),
            feedback=feedback,
            line=line,
        )
        options = self._decoding(patch_grammar(functions), self.settings.patch_tokens)
        purpose = f"patch: {type(error).__name__}"
        reply = await ctx.generate(prompt, role="replanner", purpose=purpose, **options)
        patched = apply_patch(source, parse_patch(reply.text, default=(line, len(lines))))
        if session is not None:
            session.add_plan(patched, role="replanner", stage="replan")
        return patched

    async def solve(
        self,
        question: str,
        outcome: Outcome,
        ctx: RunContext,
        session: RoutingSession | None = None,
    ) -> str:
        """One call answers from the variables the program left (tool results focused on the
        question within `evidence_tokens`), or from what a routing `session` gives it."""
        if session is None:
            variables = _evidence(question, outcome, self.settings.evidence_tokens, ctx.count)
        else:
            _remember(session, outcome, ctx.steps, close=False)  # e.g. a passage answer()
            variables = session.context("solver", "solve")
        prompt = self.prompts.render("codeagents_solve", variables=variables, question=question)
        return await solve(ctx, prompt, self.settings.answer_tokens)


class _ToolCalls:
    """The run's tools as the interpreter calls them: arguments bound by name, long texts
    focused, each distinct call run once per run (a patched program re-running its first
    lines costs nothing), every call recorded as a Step with its program line."""

    def __init__(
        self, ctx: RunContext, functions: Mapping[str, Tool], settings: CodeAgentsSettings
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.lines: list[str] = []
        self.cache: dict[tuple[str, str], asyncio.Future[Step]] = {}
        self.next_step = 1
        self.functions = {name: self._function(tool) for name, tool in functions.items()}
        self.focus = {py_name(t).lower() for t in settings.focus_tools}

    def _function(self, tool: Tool) -> ToolFunction:
        async def call(args: list[Any], kwargs: dict[str, Any], line: int) -> str:
            return await self.call(tool, args, kwargs, line)

        return call

    async def call(self, tool: Tool, args: list[Any], kwargs: dict[str, Any], line: int) -> str:
        inputs = _bind(tool, args, kwargs, line)
        if py_name(tool.name).lower() in self.focus and self.settings.context_tokens:
            inputs = self._focused(inputs, self.settings.context_tokens)
        raw = _raw_input(tool, inputs)
        key = (tool.name.lower(), raw)
        task = self.cache.get(key)
        if task is None or task.cancelled():
            code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
            step, self.next_step = self.next_step, self.next_step + 1
            call = self.ctx.call_tool(step, tool.name, raw, f"line {line}: {code}")
            task = self.cache[key] = asyncio.ensure_future(call)
        done = await asyncio.shield(task)  # a cancelled reader leaves the call for others
        return _result(tool, done, line)

    def _focused(self, inputs: dict[str, Any], limit: int) -> dict[str, Any]:
        """Long text arguments cut to their sentences about the call's short ones."""
        count = self.ctx.count
        texts = {k: v for k, v in inputs.items() if isinstance(v, str)}
        long = {k for k, v in texts.items() if count(v) > limit}
        about = " ".join(v for k, v in texts.items() if k not in long)
        return {k: focus(v, about, limit, count) if k in long else v for k, v in inputs.items()}

    async def close(self) -> None:
        """Cancel the calls still running that no line waited for."""
        pending = [t for t in self.cache.values() if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def _bind(tool: Tool, args: list[Any], kwargs: dict[str, Any], line: int) -> dict[str, Any]:
    """A call's arguments by the tool's parameter names, as the tool takes them."""
    fields = tool.args_model.model_fields
    names, name = list(fields), py_name(tool.name)
    if len(args) > len(names):
        raise ProgramError(
            f"line {line}: {name}() takes {len(names)} arguments ({', '.join(names)}), "
            f"got {len(args)}",
            line,
        )
    inputs = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in fields or key in inputs:
            why = "twice" if key in inputs else f"; it takes {', '.join(names)}"
            raise ProgramError(f"line {line}: {name}() got argument {key!r} {why}", line)
        inputs[key] = value
    missing = [n for n, f in fields.items() if f.is_required() and n not in inputs]
    if missing:
        raise ProgramError(f"line {line}: {name}() needs its argument {missing[0]!r}", line)
    return {k: _as_text(v) if fields[k].annotation is str else v for k, v in inputs.items()}


def _as_text(value: Any) -> Any:
    """What a text parameter receives: lists joined by lines, numbers written out."""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return value if isinstance(value, str) or value is None else str(value)


def _raw_input(tool: Tool, inputs: dict[str, Any]) -> str:
    """The text a tool is called with: the text argument alone, else JSON of the arguments
    (how Tool.parse reads several)."""
    only = tool.text_field
    if only is not None and list(inputs) == [only] and isinstance(inputs[only], str):
        return inputs[only]
    return json.dumps(inputs, ensure_ascii=False, default=str)


def _result(tool: Tool, step: Step, line: int) -> str:
    name, obs = py_name(tool.name), step.observation
    if not obs.ok:
        raise ToolResultError(f"line {line}: {name}() failed: {obs.error}", line)
    if unusable(obs.text):
        shown = render_value(obs.text, 80)
        raise ToolResultError(f"line {line}: {name}() found nothing to go on: {shown}", line)
    return obs.text


def _remember(
    session: RoutingSession, outcome: Outcome, steps: list[Step], *, close: bool = True
) -> bool:
    """Write a round into the shared memory: its tool results and sub-answers (titled by
    the variables holding them), the other variables it set, and its error as feedback;
    then (`close`) end the round: False when it wrote nothing new."""
    values = {
        name: value if isinstance(value, str) else render_value(value, 2_000)
        for name, value in outcome.variables.items()
        if name != "question"
    }
    names = {text.strip(): name for name, text in reversed(values.items())}
    session.add_steps(steps, names, usable=lambda text: not unusable(text))
    observed = {s.observation.text.strip() for s in steps}
    for name, text in values.items():
        if text.strip() not in observed and not unusable(text):
            session.add_subanswer(name, text)
    if outcome.error is not None:
        session.add_feedback(str(outcome.error))
    return session.next_round() if close else True


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return short_answer("" if value is None else str(value))


def _literal(text: str) -> str:
    """Text as a Python string literal in double quotes (what the grammar writes)."""
    return json.dumps(text, ensure_ascii=False)


def _line_of(error: Exception, lines: int) -> int:
    line = getattr(error, "line", None)
    if line is None:
        match = _LINE.match(str(error))
        line = int(match.group(1)) if match else 1
    return min(max(int(line), 1), max(lines, 1))


def _evidence(
    question: str, outcome: Outcome, max_tokens: int | None, count: Callable[[str], int]
) -> str:
    """`name = value` for each variable the program set (and what it printed), each value
    written once; with `max_tokens`, values share it fairly, focused on the question."""
    seen: set[str] = set()
    named: list[tuple[str, str]] = []
    for key, value in outcome.variables.items():
        text = value if isinstance(value, str) else render_value(value, 2_000)
        if key != "question" and text not in seen:
            seen.add(text)
            named.append((key, text))
    named += [("print", text) for text in outcome.printed if text not in seen]
    if max_tokens is not None and named:
        shares = fair_shares([count(text) for _, text in named], max_tokens)
        named = [
            (key, focus(text, question, share, count))
            for (key, text), share in zip(named, shares, strict=True)
        ]
    return "\n".join(f"{key} = {text}" for key, text in named if text)
