"""The `search` tool: top passages from a Corpus as "Title: text", under a token cap."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from agentkit.tools.context import ToolContext
from agentkit.tools.corpus import Corpus, Document, DocumentLike
from agentkit.tools.observation import Observation, cap_tokens
from agentkit.tools.tool import Tool

NO_MATCH = "No passage matches these words; try other keywords."


def search_tool(
    corpus: Corpus | Iterable[DocumentLike],
    *,
    k: int = 2,
    max_tokens: int = 250,
    name: str = "search",
    description: str | None = None,
) -> Tool:
    """A search tool over `corpus` (a Corpus, or documents to index: cheap for 10 paragraphs)."""
    index = corpus if isinstance(corpus, Corpus) else Corpus(corpus)

    def search(query: str, ctx: ToolContext) -> Observation:
        hits = index.search(query, k)
        if not hits:
            return Observation(text=NO_MATCH)
        text, cut = render_passages([h.document for h in hits], max_tokens, ctx.count)
        return Observation(text=text, truncated=cut)

    what = f"the {k} passages that best match the keywords" if k > 1 else "the best passage"
    return Tool(search, name=name, description=description or what, max_tokens=max_tokens)


def render_passages(
    docs: list[Document], max_tokens: int, count: Callable[[str], int]
) -> tuple[str, bool]:
    """Passages one per line, each cut to a fair share of `max_tokens` (a short passage gives
    the tokens it does not need to the others). Returns (text, whether any was cut)."""
    texts = [d.render() for d in docs]
    budget = max_tokens - 2 * (len(texts) - 1)  # room for the line breaks between passages
    shares = fair_shares([count(t) for t in texts], budget)
    capped = [cap_tokens(t, s, count) for t, s in zip(texts, shares, strict=True)]
    return "\n".join(t for t, _ in capped), any(cut for _, cut in capped)


def fair_shares(sizes: list[int], budget: int) -> list[int]:
    """Water-filling: smallest first, each takes min(its size, an equal split of what is left)."""
    shares = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=sizes.__getitem__)
    for n, i in enumerate(order):
        shares[i] = min(sizes[i], left // (len(sizes) - n))
        left -= shares[i]
    return shares
