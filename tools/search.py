"""The `search` tool: top passages from a Corpus as "Title: text", under a token cap."""

from __future__ import annotations

from collections.abc import Iterable

from agentkit.memory.lexical import Corpus
from agentkit.packing import pack_passages
from agentkit.text import PassageLike
from agentkit.tools.context import ToolContext
from agentkit.tools.observation import Observation
from agentkit.tools.tool import Tool

NO_MATCH = "No passage matches these words; try other keywords."


def search_tool(
    corpus: Corpus | Iterable[PassageLike],
    *,
    k: int = 2,
    max_tokens: int = 250,
    name: str = "search",
    description: str | None = None,
) -> Tool:
    """A search tool over `corpus` (a Corpus, or passages to index: cheap for 10 paragraphs)."""
    index = corpus if isinstance(corpus, Corpus) else Corpus(corpus)

    def search(query: str, ctx: ToolContext) -> Observation:
        hits = index.search(query, k)
        if not hits:
            return Observation(text=NO_MATCH)
        text, cut = pack_passages([h.passage for h in hits], max_tokens, ctx.count)
        return Observation(text=text, truncated=cut)

    what = f"the {k} passages that best match the keywords" if k > 1 else "the best passage"
    return Tool(search, name=name, description=description or what, max_tokens=max_tokens)
