"""Reduce a model's final reply to the short answer that EM/F1 scoring expects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentkit.planners.context import RunContext

_LEAD = re.compile(r"^(?:final answer|short answer|answer|the answer is)\s*[:\-]?\s*", re.I)
_YES_NO = re.compile(r"^(yes|no)\b[,.;!]", re.I)
# terminal escape sequences, then control characters other than line breaks and tabs
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def short_answer(reply: str) -> str:
    """First non-empty line, without an "Answer:" lead, quotes, bold, control characters or
    a final period; "Yes, because ..." becomes "Yes"."""
    text = _CONTROL.sub("", reply)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _LEAD.sub("", line.replace("**", "")).strip()
    yes_no = _YES_NO.match(line)
    if yes_no:
        return yes_no.group(1)
    quotes = "\"'` "
    return line.strip(quotes).removesuffix(".").strip(quotes)


async def solve(ctx: RunContext, prompt: str, max_tokens: int) -> str:
    """A planner's solver: one call, told of no tool (it must answer, not act), its reply
    reduced to the short answer."""
    reply = await ctx.generate(
        prompt, role="solver", purpose="answer", max_tokens=max_tokens, tools=()
    )
    return short_answer(reply.text)
