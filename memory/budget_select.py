"""Fill a token budget with ranked sentences and triplets, rendered compactly by title.

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
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agentkit.errors import ConfigError

Count = Callable[[str], int]


class Unit(BaseModel):
    """A sentence, or a triplet shown in the group of the paragraph it came from."""

    model_config = ConfigDict(frozen=True)

    title: str
    position: int
    text: str
    kind: Literal["sentence", "triplet"] = "sentence"


class Selection(BaseModel):
    units: list[Unit]
    text: str
    tokens: int
    budget: int

    def sentences(self) -> set[tuple[str, int]]:
        """(title, position) of every whole sentence shown."""
        return {(u.title, u.position) for u in self.units if u.kind == "sentence"}


def render(units: Sequence[Unit]) -> str:
    groups: dict[str, list[Unit]] = {}
    for u in units:
        groups.setdefault(u.title, []).append(u)
    lines = []
    for title, members in groups.items():
        ordered = sorted(members, key=lambda u: (u.kind == "triplet", u.position))
        lines.append(f"{title}: " + " ".join(u.text.strip() for u in ordered))
    return "\n".join(lines)


def select_under_budget(
    groups: Iterable[Sequence[Unit]],
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
    chosen: list[Unit] = []
    seen: set[Unit] = set()
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
    text = render(chosen)
    tokens = count(text)
    while tokens > budget:
        chosen.pop()
        text = render(chosen)
        tokens = count(text)
    return Selection(units=chosen, text=text, tokens=tokens, budget=budget)
