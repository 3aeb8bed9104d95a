"""Fitting text into a token budget: the one module that does it.

- `cap_tokens`: cut one text, with a visible marker, at a word boundary.
- `fair_shares`: split a budget among texts (a short one gives what it does not need).
- `pack_passages`: whole passages, one per line, each cut to its fair share.
- `best_first`: keep ranked items while their rendering (in original order) fits.
- `select_under_budget`: fill a budget with ranked groups of sentences and triplets,
  rendered compactly by title:

    Scott Derrickson: Scott Derrickson is an American director. (Sinister; director; Derrickson)
    Ed Wood: Edward Davis Wood Jr. was an American filmmaker.

One line per title (in rank order of the title's best unit), sentences in their original
order, then triplets. The exact rendered text is counted after each addition with the
caller's tokenizer, so the result never exceeds the budget, whatever the tokenizer does at
the joins. The same filler serves every method the benchmark compares (passages are groups
of sentences, of which the leading ones that fit are kept), so differences come from the
ranking, not the packing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from agentkit.errors import ConfigError
from agentkit.text import Passage

Count = Callable[[str], int]
TRUNCATION_MARKER = " …[cut to {n} tokens]"


def cap_tokens(text: str, max_tokens: int, count: Count) -> tuple[str, bool]:
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


def fair_shares(sizes: list[int], budget: int) -> list[int]:
    """Water-filling: smallest first, each takes min(its size, an equal split of what is left)."""
    shares = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=sizes.__getitem__)
    for n, i in enumerate(order):
        shares[i] = min(sizes[i], left // (len(sizes) - n))
        left -= shares[i]
    return shares


def pack_passages(passages: list[Passage], max_tokens: int, count: Count) -> tuple[str, bool]:
    """Passages one per line, each cut to a fair share of `max_tokens` (a short passage gives
    the tokens it does not need to the others). Returns (text, whether any was cut)."""
    texts = [p.render() for p in passages]
    budget = max_tokens - 2 * (len(texts) - 1)  # room for the line breaks between passages
    shares = fair_shares([count(t) for t in texts], budget)
    capped = [cap_tokens(t, s, count) for t, s in zip(texts, shares, strict=True)]
    return "\n".join(t for t, _ in capped), any(cut for _, cut in capped)


def best_first(
    ranked: Iterable[int], render: Callable[[list[int]], str], max_tokens: int, count: Count
) -> list[int]:
    """Indices taken in rank order while the rendering of all taken ones (sorted back into
    their original order) still fits; one that does not fit is skipped, not a stop."""
    chosen: list[int] = []
    for i in ranked:
        trial = sorted([*chosen, i])
        if count(render(trial)) <= max_tokens:
            chosen = trial
    return chosen


class Selection(BaseModel):
    units: list[Passage]
    text: str
    tokens: int
    budget: int

    def sentences(self) -> set[tuple[str, int]]:
        """(title, position) of every whole sentence shown."""
        return {(u.title, u.position) for u in self.units if u.kind == "sentence"}


def render_by_title(units: Sequence[Passage]) -> str:
    groups: dict[str, list[Passage]] = {}
    for u in units:
        groups.setdefault(u.title, []).append(u)
    lines = []
    for title, members in groups.items():
        ordered = sorted(members, key=lambda u: (u.kind == "triplet", u.position))
        lines.append(f"{title}: " + " ".join(u.text.strip() for u in ordered))
    return "\n".join(lines)


def select_under_budget(
    groups: Iterable[Sequence[Passage]],
    budget: int,
    count: Count,
    *,
    patience: int = 25,
) -> Selection:
    """Greedy fill in rank order. Each group adds its units in order until one does not
    fit (a passage keeps its leading sentences); the next group is tried all the same.
    Stops after `patience` groups in a row add nothing.

    Each unit is priced by what it adds to the rendering (" text" to a title already shown,
    else a new "Title: text" line): BPE tokenizers split at spaces and newlines first, so
    these prices add up to the real count or within a token or two of it. The rendered
    text is then counted exactly, dropping the last units until it fits."""
    if budget < 0:
        raise ConfigError(f"a token budget cannot be negative, got {budget}")
    chosen: list[Passage] = []
    seen: set[Passage] = set()
    titles: set[str] = set()
    used, misses = 0, 0
    for group in groups:
        added = False
        for unit in group:
            if unit in seen:
                continue
            text = unit.text.strip()
            if unit.title in titles:
                price = count(f" {text}")
            else:
                price = count(f"{chr(10) if chosen else ''}{unit.title}: {text}")
            if used + price > budget:
                break
            chosen.append(unit)
            seen.add(unit)
            titles.add(unit.title)
            used, added = used + price, True
        misses = 0 if added else misses + 1
        if misses >= patience or used >= budget:
            break
    text = render_by_title(chosen)
    tokens = count(text)
    while tokens > budget:
        chosen.pop()
        text = render_by_title(chosen)
        tokens = count(text)
    return Selection(units=chosen, text=text, tokens=tokens, budget=budget)
