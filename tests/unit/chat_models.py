"""Scripted models for driving `agentkit chat` in a terminal (tests/unit/test_chat_tmux.py):
`agentkit chat --model function:tests.unit.chat_models:scripted`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from agentkit.testing import FunctionModel
from agentkit.types import CallInfo, Message

PLAN = "Plan: Find who drummed for Rush.\n#E1 = search[Rush drummer]"


async def reply(messages: list[Message], info: CallInfo) -> str:
    """ReWOO and ReAct about Rush; a question with "slowly" in it plans for a minute (to be
    cancelled with Ctrl-C)."""
    prompt = messages[-1].content
    role = info.labels.role
    if role == "planner":
        if "slowly" in prompt:
            if os.environ.get("CHAT_SLOW_STARTED"):  # tells a test the call is in flight
                Path(os.environ["CHAT_SLOW_STARTED"]).touch()
            await asyncio.sleep(60)
        return PLAN
    if role == "solver":
        return "Neil Peart"
    if role == "react":  # a follow-up: the conversation rides along with the question
        if not any(m.role == "assistant" for m in messages):
            return "Thought: I need his birth date.\nAction: search[Neil Peart born]"
        return "Action: finish[September 12, 1952]"
    return "Neil Peart"


def scripted() -> FunctionModel:
    return FunctionModel(reply, name="scripted")
