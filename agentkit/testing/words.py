"""The test models' default token counter."""

from __future__ import annotations

import re

from agentkit.types import Message

TOKEN = re.compile(r"\w+|[^\w\s]")


class WordCounter:
    """Words and punctuation marks: close to a BPE count for English, and easy to reason
    about in a test (4 more per message and 2 for the chat wrapper, as a chat template adds)."""

    name = "words"
    exact = False

    def count_text(self, text: str) -> int:
        return len(TOKEN.findall(text))

    def count_messages(self, messages: list[Message]) -> int:
        return sum(self.count_text(m.content) + 4 for m in messages) + 2
