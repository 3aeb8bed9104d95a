"""FunctionModel: a model whose replies come from a Python function, treated as vLLM would
treat the model's text.

Everything around the reply is the real bookkeeping every model shares (labels, budgets
checked before the function is called, the context window, the ledger); only the text is
the function's. The reply is the model's whole generation: it must match a requested regex,
JSON schema or grammar (vLLM could not have produced one that does not), and is then cut at
the first stop string and at `max_tokens` tokens, as the engine would.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import NamedTuple

import jsonschema

from agentkit.budget import Budget, BudgetTracker
from agentkit.errors import BudgetExceededError, StructuredOutputError
from agentkit.ledger import Ledger
from agentkit.llm.model import ModelBase
from agentkit.testing.grammars import accepts, lark_parser
from agentkit.testing.words import WordCounter
from agentkit.tokens import TokenCounter
from agentkit.types import CallInfo, Completion, Message, StructuredOutput, Usage

Reply = str | list[str]
ModelFunction = Callable[[list[Message], CallInfo], Reply | Awaitable[Reply]]


class ModelCall(NamedTuple):
    """One call as the function saw it, and what it answered (before any cut)."""

    messages: list[Message]
    info: CallInfo
    reply: Reply

    @property
    def prompt(self) -> str:
        """The last user turn."""
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")


def in_order(replies: Iterable[Reply]) -> ModelFunction:
    """A function answering each call with the next of `replies` (for sequential calls; route
    concurrent ones by `info.labels`). Running out raises RuntimeError."""
    queue = iter(list(replies))
    count = 0

    def reply(messages: list[Message], info: CallInfo) -> Reply:
        nonlocal count
        count += 1
        try:
            return next(queue)
        except StopIteration:
            raise RuntimeError(f"no scripted reply left for call {count}") from None

    return reply


class FunctionModel(ModelBase):
    """`fn(messages, info)` answers each call, sync or async: one text for every choice, or a
    list of `info.n` texts. Route by `info.labels` (role, step, purpose), not by prompt
    wording. An exception it raises reaches the caller (e.g. TransientLLMError to act out a
    server error); an async `fn` may sleep to act out latency."""

    def __init__(
        self,
        fn: ModelFunction,
        *,
        tokenizer: TokenCounter | None = None,
        context_window: int | None = 8192,
        ledger: Ledger | None = None,
        budget: Budget | None = None,
        system: str | None = None,
        name: str = "function",
    ) -> None:
        super().__init__(
            name,
            tokenizer=tokenizer or WordCounter(),
            ledger=ledger,
            budget=budget,
            context_window=context_window,
            system=system,
        )
        self.fn = fn
        self.calls: list[ModelCall] = []

    async def _complete(
        self,
        messages: list[Message],
        info: CallInfo,
        *,
        tracker: BudgetTracker | None,
        on_token: Callable[[str], None] | None,
    ) -> Completion:
        t0 = time.perf_counter()
        timeout = tracker.call_timeout() if tracker else None
        try:
            reply = await asyncio.wait_for(self._answer(messages, info), timeout)
        except asyncio.TimeoutError as exc:
            msg = f"call exceeded its wall_time_s budget of {timeout:g}s"
            raise BudgetExceededError(msg) from exc
        self.calls.append(ModelCall(messages, info, reply))
        texts = [reply] * info.n if isinstance(reply, str) else list(reply)
        if len(texts) != info.n:
            raise ValueError(f"the function gave {len(texts)} replies for n={info.n}")
        if info.structured is not None:
            for text in texts:
                check_structure(text, info.structured)
        choices = [self._as_vllm_would(text, info) for text in texts]
        if on_token is not None and choices[0][0]:
            on_token(choices[0][0])
        usage = Usage(
            prompt_tokens=self.tokenizer.count_messages(messages),
            completion_tokens=sum(self.tokenizer.count_text(text) for text, _ in choices),
        )
        return Completion(
            texts=[text for text, _ in choices],
            finish_reasons=[reason for _, reason in choices],
            usage=usage,
            model=self.model,
            latency_s=time.perf_counter() - t0,
            http_s=0.0,
            labels=info.labels,
        )

    async def _answer(self, messages: list[Message], info: CallInfo) -> Reply:
        reply = self.fn(list(messages), info)
        return await reply if inspect.isawaitable(reply) else reply

    def _as_vllm_would(self, text: str, info: CallInfo) -> tuple[str, str]:
        """Cut at the first stop string, then at max_tokens tokens."""
        for stop in filter(None, info.stop or ()):
            text = text.split(stop, 1)[0]
        count = self.tokenizer.count_text
        if count(text) <= info.max_tokens:
            return text, "stop"
        low, high = 0, len(text)  # the longest prefix within max_tokens
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if count(text[:mid]) <= info.max_tokens else (low, mid - 1)
        return text[:low].rstrip(), "length"


def check_structure(text: str, structured: StructuredOutput) -> None:
    """StructuredOutputError unless `text` is what the constraint allows. A grammar is checked
    when lark is installed and reads it."""
    if structured.regex is not None and not re.fullmatch(structured.regex, text):
        raise StructuredOutputError(
            f"the reply {text!r} does not match the requested regex {structured.regex!r}"
        )
    if structured.json_schema is not None:
        try:
            jsonschema.validate(json.loads(text), structured.json_schema)
        except (json.JSONDecodeError, jsonschema.ValidationError) as exc:
            why = getattr(exc, "message", None) or str(exc)
            raise StructuredOutputError(
                f"the reply {text!r} is not JSON valid under the requested schema: {why}"
            ) from exc
    if structured.grammar is not None:
        try:
            parser = lark_parser(structured.grammar)
        except StructuredOutputError:
            return  # not a lark grammar: nothing here can check it
        if parser is not None and not accepts(parser, text):
            raise StructuredOutputError(f"the reply {text!r} is not in the requested grammar")
