"""ReAct (Yao et al. 2023), the baseline: Thought / Action / Observation, re-sending the whole
history to the model at every step.

The history is a chat: the model's Thought + Action as an assistant turn, each Observation as
a user turn. Generation stops at "Observation:" so the model cannot invent one. Three helps
keep the baseline fair to small models: a reply without a readable action gets a corrective
observation (costing a step); an action repeated word for word gets a short reminder instead
of the same long observation; and when the steps run out the model is asked once more, with
the reply constrained to `finish[...]`, rather than leaving the question unanswered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from agentkit.llm import Message, StructuredOutput
from agentkit.planners.actions import Action, parse_action
from agentkit.planners.answer import short_answer
from agentkit.planners.base import PlannerError, PlannerOutput
from agentkit.planners.context import RunContext, Step
from agentkit.planners.settings import ReActSettings
from agentkit.planners.syntax import write_call
from agentkit.prompts import PromptTemplates
from agentkit.tools import Observation, Tool, finish_tool

TEMPLATES = {
    "react": ("tools", "question"),
    "react_invalid": ("example",),
    "react_repeat": ("action", "step"),
    "react_last": (),
}


class ReAct:
    name = "react"

    def __init__(
        self,
        *,
        max_steps: int = 6,
        step_tokens: int = 160,
        role: str = "react",
        prompt_templates: Mapping[str, str] | None = None,
    ) -> None:
        """Settings are checked as ReActSettings. `prompt_templates` replaces any of the
        templates (each must keep its placeholders): "react" (the first prompt: {tools},
        {question}), "react_invalid" (a reply without an action: {example}), "react_repeat"
        (an action done before: {action}, {step}) and "react_last" (out of steps)."""
        self.settings = ReActSettings.from_arguments(locals())
        self.prompts = PromptTemplates("ReAct", "agentkit.planners", TEMPLATES, prompt_templates)

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        tools = [t for t in ctx.tools if not t.terminal]
        finish = next((t for t in ctx.tools if t.terminal), None) or finish_tool()
        prompt = self.prompts.render(
            "react", tools="\n".join(t.render() for t in [*tools, finish]), question=question
        )
        names = [t.name for t in [*tools, finish]]
        history = [Message(role="user", content=prompt)]
        done: dict[tuple[str, str], int] = {}
        for step in range(1, self.settings.max_steps + 1):
            action = await self._next_action(history, step, ctx, names)
            if action is None:
                example = f"{tools[0].name}[...]" if tools else f"{finish.name}[answer]"
                feedback = self.prompts.render("react_invalid", example=example).strip()
                history.append(Message(role="user", content=feedback))
            elif action.tool.lower() == finish.name.lower():
                return self._finish(action, finish, step, ctx)
            elif (key := (action.tool.lower(), action.input.lower())) in done:
                note = self.prompts.render(
                    "react_repeat", action=write_call(action.tool, action.input), step=done[key]
                )
                repeated = Observation(text=note.strip(), ok=False, error="repeated action")
                ctx.record(
                    Step(
                        id=step,
                        tool=action.tool,
                        input=action.input,
                        observation=repeated,
                        note=action.thought,
                    )
                )
                history.append(Message(role="user", content=repeated.text))
            else:
                done[key] = step
                result = await ctx.call_tool(step, action.tool, action.input, note=action.thought)
                history.append(
                    Message(role="user", content=f"Observation: {result.observation.text}")
                )
        return await self._last_step(history, finish, ctx)

    async def _next_action(
        self,
        history: list[Message],
        step: int,
        ctx: RunContext,
        names: list[str],
        purpose: str = "step",
        structured: StructuredOutput | None = None,
    ) -> Action | None:
        """One model call; the history keeps the reply only up to the end of its action."""
        reply = await ctx.at(step).generate(
            history,
            role=self.settings.role,
            purpose=purpose,
            max_tokens=self.settings.step_tokens,
            stop=["Observation:", "\nObservation"],
            structured=structured,
        )
        action = parse_action(reply.text, names)
        history.append(Message(role="assistant", content=action.turn if action else reply.text))
        if action is None:
            failure = Observation.failure("no Action in the reply")
            ctx.record(Step(id=step, tool="", input=reply.text.strip(), observation=failure))
        return action

    async def _last_step(
        self, history: list[Message], finish: Tool, ctx: RunContext
    ) -> PlannerOutput:
        """Out of steps: one more call whose reply can only be a finish action."""
        history.append(Message(role="user", content=self.prompts.render("react_last").strip()))
        regex = (
            rf"(?:Thought: [^\n]{{1,200}}\n)?Action: {re.escape(finish.name)}\[[^\]\n]{{1,100}}\]"
        )
        step = self.settings.max_steps + 1
        action = await self._next_action(
            history,
            step,
            ctx,
            [finish.name],
            purpose="last step",
            structured=StructuredOutput(regex=regex),
        )
        if action is None or action.tool.lower() != finish.name.lower():
            raise PlannerError(
                f"ReAct gave no final answer within max_steps={self.settings.max_steps}"
            )
        return self._finish(action, finish, step, ctx)

    def _finish(self, action: Action, finish: Tool, step: int, ctx: RunContext) -> PlannerOutput:
        answer = short_answer(action.input)
        ctx.record(
            Step(
                id=step,
                tool=finish.name,
                input=action.input,
                observation=Observation(text=answer),
                note=action.thought,
            )
        )
        return PlannerOutput(answer=answer)
