"""A scripted model double: a real LLM client whose HTTP server is a script.

Everything between the planner and the wire is real (token counting, budgets, labels, the
ledger); only the reply text comes from the test. The double behaves like vLLM where planners
rely on it: it stops at stop strings, cuts at max_tokens, and refuses a reply that does not
match a requested regex (vLLM could not have produced it).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from agentkit.ledger import Ledger
from agentkit.llm import LLM, Message

_TOKEN = re.compile(r"\w+|[^\w\s]")


class WordCounter:
    """Words and punctuation marks: close to a BPE count for English, and easy to reason about."""

    name = "words"
    exact = False

    def count_text(self, text: str) -> int:
        return len(_TOKEN.findall(text))

    def count_messages(self, messages: list[Message]) -> int:
        return sum(self.count_text(m.content) + 4 for m in messages) + 2


@dataclass
class ScriptedCall:
    messages: list[dict[str, str]]
    body: dict[str, Any]
    started: float = 0.0
    ended: float = 0.0
    reply: str = ""

    @property
    def prompt(self) -> str:
        """The last user turn."""
        return next(m["content"] for m in reversed(self.messages) if m["role"] == "user")


Script = Iterable[str] | Callable[[ScriptedCall], str]


class ScriptedLLM(LLM):
    """`replies`: texts returned in order, or a function of the call (for concurrent calls)."""

    def __init__(
        self,
        replies: Script,
        *,
        delay_s: float = 0.0,
        context_window: int = 8192,
        ledger: Ledger | None = None,
    ) -> None:
        self._script = replies if callable(replies) else iter(list(replies))
        self.delay_s = delay_s
        self.calls: list[ScriptedCall] = []
        self._served = {"data": [{"id": "scripted", "max_model_len": context_window}]}
        super().__init__(
            "http://scripted",
            "scripted",
            tokenizer=WordCounter(),
            ledger=ledger,
            max_retries=0,
            transport=httpx.MockTransport(self._serve),
        )

    async def _serve(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json=self._served)
        body = json.loads(request.content)
        call = ScriptedCall(messages=body["messages"], body=body, started=time.monotonic())
        self.calls.append(call)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        text = self._script(call) if callable(self._script) else next(self._script)
        regex = (body.get("structured_outputs") or {}).get("regex")
        if regex is not None and not re.fullmatch(regex, text):
            message = f"structured output regex not matched by the scripted reply {text!r}"
            return httpx.Response(400, json={"error": {"message": message}})
        text, reason = _as_vllm_would(text, body)
        call.reply, call.ended = text, time.monotonic()
        counter = WordCounter()
        prompt_tokens = counter.count_messages([Message(**m) for m in body["messages"]])
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": counter.count_text(text)}
        choice = {"message": {"content": text}, "finish_reason": reason}
        return httpx.Response(200, json={"choices": [choice], "usage": usage})


def _as_vllm_would(text: str, body: dict[str, Any]) -> tuple[str, str]:
    """Cut at the first stop string, then at max_tokens tokens."""
    for stop in body.get("stop") or []:
        text = text.split(stop, 1)[0]
    tokens = list(_TOKEN.finditer(text))
    if len(tokens) > body["max_tokens"]:
        return text[: tokens[body["max_tokens"] - 1].end()], "length"
    return text, "stop"
