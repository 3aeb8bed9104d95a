"""A router at work in one run: the planner writes each role's output into the shared
memory and asks, for each role call, what that role reads; every routing is kept on the
run (`RunContext.routing`) and sent as a `Routed` event.

Rounds: `next_round()` closes a round and says whether it wrote anything new; a planner
stops on an answer, on a round that changed nothing (routing again would give the same
contexts), or at `rounds(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from agentkit.planners.context import Routed, RunContext, Step
from agentkit.planners.routing.memory import MemoryItem
from agentkit.planners.routing.router import Router

ANSWER_TOOLS = ("llm",)
"""Tools whose result is a sub-answer (a worker's answer), not retrieved text."""


class RoutingSession:
    def __init__(self, router: Router, question: str, ctx: RunContext) -> None:
        self.router = router
        self.ctx = ctx
        self.question = question
        self.memory = router.memory(ctx.count)
        self.memory.add("task", question, role="user", stage="plan", importance=1.0)
        self.memory.add_notes(ctx.notes)
        self._steps: set[int] = set()
        self.feedback: MemoryItem | None = None
        """the latest feedback item (a replanner's prompt states it already)"""

    def rounds(self, default: int) -> int:
        """The round limit: the router's, else the planner's own."""
        return self.router.max_rounds or default

    def context(self, role: str, stage: str, query: str = "", *, skip: Collection[int] = ()) -> str:
        """What `role` reads at `stage`, routed now (the question is the default query)."""
        routed = self.router.route(self.memory, role, stage, query or self.question, skip=skip)
        self.ctx.routing.append(routed.record)
        self.ctx.emit(Routed(routed.record))
        return routed.text

    def with_context(self, prompt: str, role: str, stage: str, query: str = "") -> str:
        """`prompt` with the role's routed context before it, as RunContext.with_notes puts
        the notes (unchanged when nothing is routed)."""
        text = self.context(role, stage, query)
        return f"{text.rstrip()}\n\n{prompt}" if text.strip() else prompt

    def ids(self, kind: str) -> list[int]:
        """The ids of the items of `kind` written so far."""
        return [item.id for item in self.memory.items if item.kind == kind]

    def add_plan(self, text: str, role: str = "planner", stage: str = "plan") -> None:
        self.memory.add("plan", text, role=role, stage=stage, importance=0.3)

    def add_feedback(self, text: str, stage: str = "execute") -> MemoryItem | None:
        item = self.memory.add("feedback", text, role="executor", stage=stage, importance=1.0)
        self.feedback = item or self.memory.find("feedback", text)
        return item

    def add_steps(
        self,
        steps: Iterable[Step],
        names: Mapping[str, str] | None = None,
        *,
        usable: Callable[[str], bool] = lambda text: bool(text.strip()),
    ) -> None:
        """Each new tool step that succeeded with a `usable` text: a sub-answer (ANSWER_TOOLS)
        or a result, titled by the variable that holds it (`names`: text -> name), else by its
        tool."""
        names = names or {}
        for step in sorted(steps, key=lambda s: s.id):
            if step.id in self._steps or not step.ok or not usable(step.observation.text):
                continue
            self._steps.add(step.id)
            text = step.observation.text
            answer = step.tool.lower() in ANSWER_TOOLS
            self.memory.add(
                "subanswer" if answer else "result",
                text,
                role="worker" if answer else "executor",
                stage="execute",
                importance=0.7 if answer else 0.5,
                title=names.get(text.strip(), step.tool),
            )

    def add_subanswer(self, name: str, text: str, role: str = "executor") -> None:
        self.memory.add("subanswer", text, role=role, stage="execute", importance=0.7, title=name)

    def next_round(self) -> bool:
        return self.memory.next_round()
