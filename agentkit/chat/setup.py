"""The agent a session runs, from its config: planner, tools and where its trace goes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from agentkit.chat.config import PLANNERS
from agentkit.chat.index import DocIndex
from agentkit.errors import ConfigError
from agentkit.paths import home
from agentkit.planners import SMR, CodeAgents, Planner, ReAct, ReWOO
from agentkit.tools import Tool, calculator_tool, llm_tool


def make_planner(name: str, docs: DocIndex | None) -> Planner:
    """Each planner with its own defaults (the ones the benchmarks measure)."""
    if name == "rewoo":
        return ReWOO()
    if name == "react":
        return ReAct()
    if name == "codeagents":
        return CodeAgents()
    if name == "smr":
        if docs is None:
            raise ConfigError("smr searches documents: start the session with --docs DIR")
        return SMR(docs.retriever)
    raise ConfigError(f"unknown planner {name!r}; choose from {', '.join(PLANNERS)}")


def make_tools(names: tuple[str, ...], docs: DocIndex | None) -> list[Tool]:
    tools: list[Tool] = []
    for name in names:
        if name == "search":
            if docs is None:
                raise ConfigError("the search tool needs documents: add --docs DIR")
            tools.append(docs.search_tool())
        elif name == "llm":
            tools.append(llm_tool())
        elif name == "calculator":
            tools.append(calculator_tool())
    return tools


def chat_dir() -> Path:
    """Input history and session traces live here."""
    return home() / "chat"


def new_trace_path() -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return chat_dir() / "traces" / f"{stamp}-{os.getpid()}.jsonl"
