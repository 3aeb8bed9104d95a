"""The `finish` tool: the model's final answer, which ends a ReAct run."""

from __future__ import annotations

from agentkit.tools.tool import Tool


def finish_tool(*, name: str = "finish") -> Tool:
    def finish(answer: str) -> str:
        return answer.strip()

    return Tool(
        finish,
        name=name,
        description="give the final answer (only the name, date, number, or yes/no) and stop",
        terminal=True,
        timeout_s=None,
    )
