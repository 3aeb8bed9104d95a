"""Tools: typed functions the model calls as `name[input]`, whose results are capped data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentkit.lazy import lazy_exports
from agentkit.tools.calculator import calculator_tool, evaluate
from agentkit.tools.context import ToolContext
from agentkit.tools.finish import finish_tool
from agentkit.tools.focus import focus
from agentkit.tools.llm import llm_tool
from agentkit.tools.observation import Observation
from agentkit.tools.registry import ToolRegistry
from agentkit.tools.search import search_tool
from agentkit.tools.tool import Tool, tool

if TYPE_CHECKING:  # the graph loads FAISS: only when asked for
    from agentkit.tools.graph_search import graph_search_tool

__getattr__, _dir = lazy_exports(__name__, {"graph_search_tool": "agentkit.tools.graph_search"})

__all__ = [
    "Observation",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "calculator_tool",
    "evaluate",
    "finish_tool",
    "focus",
    "graph_search_tool",
    "llm_tool",
    "search_tool",
    "tool",
]
