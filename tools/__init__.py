"""Tools: typed functions the model calls as `name[input]`, whose results are capped data."""

from agentkit.tools.calculator import calculator_tool, evaluate
from agentkit.tools.context import ToolContext
from agentkit.tools.corpus import Corpus, Document, Hit
from agentkit.tools.finish import finish_tool
from agentkit.tools.focus import focus
from agentkit.tools.llm import llm_tool
from agentkit.tools.observation import Observation, cap_tokens
from agentkit.tools.registry import ToolRegistry
from agentkit.tools.search import render_passages, search_tool
from agentkit.tools.tool import Tool, tool

__all__ = [
    "Corpus",
    "Document",
    "Hit",
    "Observation",
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "calculator_tool",
    "cap_tokens",
    "evaluate",
    "finish_tool",
    "focus",
    "llm_tool",
    "render_passages",
    "search_tool",
    "tool",
]
