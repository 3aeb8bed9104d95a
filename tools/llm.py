"""The `llm` tool: ask the model a sub-question, with the context written into it.

In a ReWOO plan the context is usually an earlier result (`llm[Who directed the film? #E1]`),
so one small call turns a passage into the name the next step needs.
"""

from __future__ import annotations

from importlib import resources

from agentkit.tools.context import ToolContext
from agentkit.tools.tool import Tool

PROMPT = (resources.files(__package__) / "prompts" / "llm.txt").read_text(encoding="utf-8")


def llm_tool(*, max_tokens: int = 48, name: str = "llm") -> Tool:
    """Its calls are labelled with the run, the step and role "worker", and charged to the
    run's budget."""

    async def llm(question: str, ctx: ToolContext, context: str = "") -> str:
        text = f"{context.strip()}\n\n{question.strip()}" if context.strip() else question.strip()
        reply = await ctx.generate(
            PROMPT.format(question=text), max_tokens=max_tokens, purpose="llm tool"
        )
        return reply.text.strip()

    description = "ask the model a question about a text given in it, e.g. #E1"
    return Tool(llm, name=name, description=description, timeout_s=None)
