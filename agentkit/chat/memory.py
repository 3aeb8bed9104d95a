"""Where learned memories plug into a session (none is built yet).

A ChatMemory recalls notes before a turn (they are listed on screen and given to the
planner after the conversation) and learns from the turn after it (what it kept is listed).
`/memory` shows the configured one and searches it, and the `--docs` index, which is the
other thing a session can look things up in. With none configured, `/memory` says so.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

NONE_CONFIGURED = (
    "no memory configured: learned memories are not available yet "
    "(documents: start with --docs DIR, then /memory search TEXT)"
)


@runtime_checkable
class ChatMemory(Protocol):
    def describe(self) -> str: ...

    def recall(self, question: str) -> list[str]:
        """Notes for this question (shown, and given to the planner)."""
        ...

    def learn(self, question: str, answer: str) -> list[str]:
        """What was kept from an answered turn."""
        ...

    def search(self, text: str, k: int = 5) -> list[str]: ...
