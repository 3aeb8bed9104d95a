"""The graph as a `search` tool: any planner calls it like the BM25 one, and gets the few
sentences and triplets that PPR ranks highest, within the tool's token cap."""

from __future__ import annotations

from agentkit.memory.graph import GraphRetriever, KnowledgeIndex
from agentkit.tools.context import ToolContext
from agentkit.tools.observation import Observation
from agentkit.tools.tool import Tool

NO_MATCH = "Nothing in the knowledge graph matches; try other keywords."


def graph_search_tool(
    source: GraphRetriever | KnowledgeIndex,
    *,
    max_tokens: int = 250,
    name: str = "search",
    description: str | None = None,
) -> Tool:
    """Counted with the run's tokenizer (ToolContext.count), so the cap is exact."""
    retriever = source if isinstance(source, GraphRetriever) else GraphRetriever(source)

    def search(query: str, ctx: ToolContext) -> Observation:
        selection = retriever.select(query, max_tokens, ctx.count)
        return Observation(text=selection.text or NO_MATCH)

    what = "the facts and sentences most related to the query, grouped by page title"
    return Tool(search, name=name, description=description or what, max_tokens=max_tokens)
