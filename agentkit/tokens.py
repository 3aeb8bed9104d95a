"""Count prompt tokens the way the engine will, before a call is sent.

The model's own tokenizer and chat template give the exact count vLLM reports. Where the
tokenizer cannot be loaded, tiktoken estimates; where tiktoken cannot load its encoding
either (it downloads it on first use, so offline machines fail), a UTF-8 byte count is used:
a byte-level BPE token is at least one byte, so it never under-counts and budgets still hold.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Protocol

from agentkit.types import Message

log = logging.getLogger(__name__)


class TokenCounter(Protocol):
    name: str
    exact: bool

    def count_text(self, text: str) -> int: ...

    def count_messages(self, messages: list[Message]) -> int: ...


class HFTokenCounter:
    """Exact: render the chat template to text, encode it without extra specials, as vLLM does."""

    exact = True

    def __init__(self, tokenizer: Any, name: str) -> None:
        self._tok = tokenizer
        self.name = name
        # the same passages are counted again and again (capped, focused, packed for the
        # solver): caching recent texts cut agentkit's own CPU per ReWOO question by ~14%
        # (benchmarks/planner_speed.py --parts client)
        self._count = functools.lru_cache(maxsize=4096)(self._encode_length)

    @classmethod
    def load(cls, path_or_id: str) -> HFTokenCounter:
        from transformers import AutoTokenizer

        return cls(AutoTokenizer.from_pretrained(path_or_id), name=str(path_or_id))

    def count_text(self, text: str) -> int:
        return self._count(text)

    def _encode_length(self, text: str) -> int:
        return len(self._tok(text, add_special_tokens=False)["input_ids"])

    def count_messages(self, messages: list[Message]) -> int:
        rendered = self._tok.apply_chat_template(
            [m.model_dump() for m in messages], tokenize=False, add_generation_prompt=True
        )
        return self.count_text(rendered)


class TiktokenCounter:
    """Approximate: OpenAI's BPE plus a fixed per-message overhead for the chat wrapper."""

    exact = False
    per_message = 4

    def __init__(self, encoding: str = "o200k_base") -> None:
        import tiktoken

        self._enc = tiktoken.get_encoding(encoding)
        self.name = f"tiktoken:{encoding}"

    def count_text(self, text: str) -> int:
        return len(self._enc.encode(text, disallowed_special=()))

    def count_messages(self, messages: list[Message]) -> int:
        return sum(self.count_text(m.content) + self.per_message for m in messages) + 3


class ByteCounter:
    """Upper bound: UTF-8 bytes plus a per-message allowance for the chat wrapper."""

    exact = False
    name = "utf8-bytes (upper bound)"
    per_message = 16

    def count_text(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def count_messages(self, messages: list[Message]) -> int:
        return sum(self.count_text(m.content) + self.per_message for m in messages)


@functools.lru_cache(maxsize=16)
def counter_for(model: str) -> TokenCounter:
    """The model's own tokenizer when it loads (local dir or cached hub id), else a fallback."""
    try:
        if Path(model).is_dir() or "/" in model:
            return HFTokenCounter.load(model)
    except Exception as exc:  # tokenizer unavailable offline, or not a HF model
        log.warning("no tokenizer for %s (%s); budgets use estimates", model, exc)
    try:
        return TiktokenCounter()
    except Exception as exc:  # tiktoken fetches encodings over the network on first use
        log.warning("tiktoken unavailable (%s); budgets count UTF-8 bytes (an upper bound)", exc)
        return ByteCounter()
