"""The conversation a session keeps, and what of it a planner reads, under its own budget.

The rule: a turn is its question and final answer (plans and evidence are not kept).
Before a new question, the newest earlier turns are kept whole while together, with their
header, they fit `max_tokens`; the first that does not fit, and every older one, is
dropped (nothing is summarised, so no call is spent on it). The kept turns follow the
question, oldest first:

    When was he born?
    Earlier in this conversation:
    Q: Who drummed for Rush?
    A: Neil Peart

With no earlier turn (the first question, `max_tokens=0`, /clear) and no recalled note the
question goes to the planner exactly as typed, so a single turn's prompts are the planners'
own. Notes a memory recalls (agentkit.chat.memory) follow the turns, under NOTES.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

HEADER = "Earlier in this conversation:"
NOTES = "Notes you remember:"


class Turn(BaseModel):
    question: str
    answer: str


class Context(BaseModel):
    """What the planner is asked, and what of the conversation went into it."""

    question: str = Field(description="the question with the kept turns, as sent")
    kept: int = 0
    dropped: int = 0
    tokens: int = Field(default=0, description="what the kept turns add to the question")


class Conversation:
    def __init__(self, max_tokens: int = 300, turns: list[Turn] | None = None) -> None:
        self.max_tokens = max_tokens
        self.turns: list[Turn] = list(turns or [])

    def add(self, question: str, answer: str) -> None:
        """Keep an answered turn (a failed or cancelled one has nothing to remember)."""
        if answer.strip():
            self.turns.append(Turn(question=question, answer=answer))

    def clear(self) -> None:
        self.turns.clear()

    def context(
        self, question: str, count: Callable[[str], int], notes: Sequence[str] = ()
    ) -> Context:
        """`question` with the newest earlier turns that fit `max_tokens` (see the rule),
        then any recalled `notes`."""
        kept: list[str] = []
        for turn in reversed(self.turns):
            more = [f"Q: {turn.question}\nA: {turn.answer}", *kept]
            if count("\n".join([HEADER, *more])) > self.max_tokens:
                break
            kept = more
        blocks = ["\n".join([HEADER, *kept])] if kept else []
        if notes:
            blocks.append("\n".join([NOTES, *(f"- {n}" for n in notes)]))
        if not blocks:
            return Context(question=question, dropped=len(self.turns))
        block = "\n".join(blocks)
        return Context(
            question=f"{question}\n{block}",
            kept=len(kept),
            dropped=len(self.turns) - len(kept),
            tokens=count(f"{question}\n{block}") - count(question),
        )
