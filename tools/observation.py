"""What a tool call gives back, and the token cap that keeps it from flooding a prompt."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

TRUNCATION_MARKER = " …[cut to {n} tokens]"


class Observation(BaseModel):
    """A tool's result as data: the planner reads `text`; failures are observations too."""

    text: str
    ok: bool = True
    error: str | None = None
    truncated: bool = False
    latency_s: float = 0.0

    @classmethod
    def failure(cls, error: str, latency_s: float = 0.0) -> Observation:
        return cls(text=f"Error: {error}", ok=False, error=error, latency_s=latency_s)


def cap_tokens(text: str, max_tokens: int, count: Callable[[str], int]) -> tuple[str, bool]:
    """Cut `text` so that it plus a visible marker fits `max_tokens`; returns (text, truncated).

    Cuts at a word boundary (at a character when not even one word fits), found by binary
    search: O(log n) calls of `count`, which may be a real tokenizer.
    """
    if count(text) <= max_tokens:
        return text, False
    marker = TRUNCATION_MARKER.format(n=max_tokens)

    def fits(end: int) -> bool:
        return count(text[:end].rstrip() + marker) <= max_tokens

    words = [i for i in range(1, len(text)) if text[i].isspace() and not text[i - 1].isspace()]
    end = _last_fitting(words, fits) or _last_fitting(range(1, len(text)), fits)
    return text[:end].rstrip() + marker, True


def _last_fitting(ends: Sequence[int], fits: Callable[[int], bool]) -> int:
    """The largest end in ascending `ends` that fits (fitting is monotone), or 0."""
    lo, hi = 0, len(ends)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(ends[mid - 1]):
            lo = mid
        else:
            hi = mid - 1
    return ends[lo - 1] if lo else 0
