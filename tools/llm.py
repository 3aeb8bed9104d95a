"""The `llm` tool: ask the model a sub-question, with the context written into it.

In a ReWOO plan the context is usually an earlier result (`llm[Who directed the film? #E1]`),
so one small call turns a passage into the name the next step needs.
"""

from __future__ import annotations

from collections.abc import Mapping

from agentkit.prompts import PromptTemplates
from agentkit.tools.context import ToolContext
from agentkit.tools.tool import Tool


def llm_tool(
    *,
    max_tokens: int = 48,
    name: str = "llm",
    description: str | None = None,
    prompt_templates: Mapping[str, str] | None = None,
) -> Tool:
    """Its calls are labelled with the run, the step and role "worker", and charged to the
    run's budget. `description` replaces what planners are told it does (the default speaks
    of ReWOO's #E references). `prompt_templates` may replace its one template, "llm"
    ({question}: the sub-question with its context)."""
    prompts = PromptTemplates(
        "llm_tool", "agentkit.tools", {"llm": ("question",)}, prompt_templates
    )

    async def llm(question: str, ctx: ToolContext, context: str = "") -> str:
        text = f"{context.strip()}\n\n{question.strip()}" if context.strip() else question.strip()
        reply = await ctx.generate(  # tools=(): an answer, never a tool call
            prompts.render("llm", question=text),
            max_tokens=max_tokens,
            purpose="llm tool",
            tools=(),
        )
        return reply.text.strip()

    description = description or "ask the model a question about a text given in it, e.g. #E1"
    return Tool(llm, name=name, description=description, timeout_s=None)
