"""What agents, planners and tools need of a model, and the bookkeeping every model shares.

`Model` is the interface; the vLLM client (`LLM`) and the test models of `agentkit.testing`
implement it. `ModelBase` does everything around a call once (system message, structured
output checks, prompt counting, the context window, budgets, the ledger), so a backend only
turns an already-checked request into a Completion.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import jsonschema

from agentkit.budget import Budget, BudgetTracker
from agentkit.errors import ContextWindowExceededError, StructuredOutputError
from agentkit.ledger import Ledger
from agentkit.tokens import TokenCounter
from agentkit.types import (
    CallInfo,
    CallLabels,
    Completion,
    Message,
    StructuredOutput,
    ToolSpec,
    Usage,
    as_messages,
)

T = TypeVar("T")
Prompt = str | list[Message] | list[dict[str, str]]


@runtime_checkable
class Model(Protocol):
    """One model, shared by many concurrent agents. Calls are labelled, checked against the
    context window and a budget before they are made, and recorded in `ledger`.

    On Python < 3.12, `isinstance(x, Model)` reads `tokenizer`, which an `LLM` only has
    after `ensure_ready()`."""

    model: str
    ledger: Ledger
    system: str | None

    @property
    def tokenizer(self) -> TokenCounter: ...

    async def ensure_ready(self) -> None: ...

    async def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float | None = None,
        stop: list[str] | None = None,
        n: int = 1,
        seed: int | None = None,
        structured: StructuredOutput | None = None,
        labels: CallLabels | None = None,
        budget: BudgetTracker | None = None,
        on_token: Callable[[str], None] | None = None,
        extra_body: dict[str, Any] | None = None,
        tools: Sequence[ToolSpec] | None = None,
    ) -> Completion: ...

    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T: ...

    def generate_sync(self, prompt: Prompt, **kwargs: Any) -> Completion: ...

    def close(self) -> None: ...


class ModelBase(ABC):
    """The shared half of a Model: subclasses implement `_complete` (and, where a server must
    be asked first, `ensure_ready`)."""

    def __init__(
        self,
        model: str,
        *,
        tokenizer: TokenCounter | None = None,
        ledger: Ledger | None = None,
        budget: Budget | None = None,
        context_window: int | None = None,
        system: str | None = None,
    ) -> None:
        """`system` is put before every prompt that has no system message of its own; ""
        stops a chat template from adding its default one (Qwen2.5's costs 16 tokens a call)."""
        self.model = model
        self.system = system
        self.ledger = ledger or Ledger()
        self.budget = budget
        self._default_tracker = budget.tracker() if budget else None
        self.context_window = context_window
        self._tokenizer = tokenizer
        self._sync_loop: asyncio.AbstractEventLoop | None = None
        self.on_close: list[Callable[[], None]] = []

    @property
    def tokenizer(self) -> TokenCounter:
        if self._tokenizer is None:
            raise RuntimeError("call `await llm.ensure_ready()` (or generate once) first")
        return self._tokenizer

    async def ensure_ready(self) -> None:  # noqa: B027 - a hook, empty by default
        """Learn what a call needs (context window, tokenizer); nothing to learn by default."""

    @abstractmethod
    async def _complete(
        self,
        messages: list[Message],
        info: CallInfo,
        *,
        tracker: BudgetTracker | None,
        on_token: Callable[[str], None] | None,
    ) -> Completion:
        """Answer a request that fits the context window and the budget."""

    async def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float | None = None,
        stop: list[str] | None = None,
        n: int = 1,
        seed: int | None = None,
        structured: StructuredOutput | None = None,
        labels: CallLabels | None = None,
        budget: BudgetTracker | None = None,
        on_token: Callable[[str], None] | None = None,
        extra_body: dict[str, Any] | None = None,
        tools: Sequence[ToolSpec] | None = None,
    ) -> Completion:
        """One chat call; budget and context window are checked before anything is sent.

        extra_body carries engine-specific request fields (e.g. vLLM's ignore_eos); `tools`
        tells a model which tools the caller can run (the vLLM client ignores them).
        """
        await self.ensure_ready()
        started = time.perf_counter()
        messages = as_messages(prompt)
        if self.system is not None and (not messages or messages[0].role != "system"):
            messages = [Message(role="system", content=self.system), *messages]
        if structured is not None:
            _validate_structured(structured)
        info = CallInfo(
            labels=labels or CallLabels(),
            tools=tuple(tools or ()),
            structured=structured,
            max_tokens=max_tokens,
            stop=None if stop is None else tuple(stop),
            temperature=temperature,
            top_p=top_p,
            n=n,
            seed=seed,
            extra_body=extra_body or {},
        )
        prompt_tokens = self.tokenizer.count_messages(messages)
        if self.context_window and prompt_tokens + max_tokens > self.context_window:
            raise ContextWindowExceededError(
                f"prompt of {prompt_tokens} tokens + max_tokens {max_tokens} exceeds the "
                f"{self.context_window}-token context of {self.model}; shorten the prompt, lower "
                "max_tokens, or serve the model with a larger --max-model-len"
            )
        tracker = budget or self._default_tracker
        reservation = tracker.reserve(prompt_tokens, max_tokens * n) if tracker else None
        usage: Usage | None = None
        streamed: list[str] = []
        try:
            completion = await self._complete(
                messages, info, tracker=tracker, on_token=_tapped(on_token, streamed)
            )
            if completion.usage_counted:  # no usage from the server: charge what was counted
                completion.usage = Usage(
                    prompt_tokens=prompt_tokens,
                    completion_tokens=sum(self.tokenizer.count_text(t) for t in completion.texts),
                )
            usage = completion.usage
        except asyncio.CancelledError:
            spent = time.perf_counter() - started
            usage = self._record_cancelled(messages, info, prompt_tokens, streamed, spent)
            raise
        finally:
            if tracker and reservation:
                tracker.settle(reservation, usage)
        # latency covers agentkit's own work too (counting, checks, parsing), not just HTTP
        completion.latency_s = time.perf_counter() - started
        self._record(completion, messages, info, prompt_tokens)
        return completion

    def _record(
        self,
        completion: Completion,
        messages: list[Message],
        info: CallInfo,
        prompt_tokens: int,
        **detail: object,
    ) -> None:
        self.ledger.record(
            completion,
            messages=[m.model_dump() for m in messages],
            output=completion.texts,
            params=info.params(),
            counted_prompt_tokens=prompt_tokens,
            **detail,
        )

    def _record_cancelled(
        self,
        messages: list[Message],
        info: CallInfo,
        prompt_tokens: int,
        streamed: list[str],
        latency_s: float,
    ) -> Usage:
        """A call cancelled in flight (Ctrl-C, a sibling step failing) may have cost the
        engine its prompt and what it streamed: both are counted here and recorded, marked
        `usage_counted` and finish reason "cancelled", so a ledger never misses them."""
        text = "".join(streamed)
        usage = Usage(
            prompt_tokens=prompt_tokens, completion_tokens=self.tokenizer.count_text(text)
        )
        cancelled = Completion(
            texts=[text],
            finish_reasons=["cancelled"],
            usage=usage,
            usage_counted=True,
            model=self.model,
            latency_s=latency_s,
            http_s=0.0,
            labels=info.labels,
        )
        self._record(cancelled, messages, info, prompt_tokens, cancelled=True)
        return usage

    # -- sync facade and cleanup -------------------------------------------------------------
    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this model's private background loop (for scripts, notebooks)."""
        if self._sync_loop is None:
            self._sync_loop = asyncio.new_event_loop()
            threading.Thread(target=self._sync_loop.run_forever, daemon=True).start()
        return asyncio.run_coroutine_threadsafe(coro, self._sync_loop).result()

    def generate_sync(self, prompt: Prompt, **kwargs: Any) -> Completion:
        return self.run_sync(self.generate(prompt, **kwargs))

    async def aclose(self) -> None:  # noqa: B027 - a hook, empty by default
        """Release what this event loop holds (the vLLM client: its HTTP connections)."""

    def close(self) -> None:
        """Stop the background loop, then run the `on_close` callbacks (e.g. stop a server
        this model started)."""
        if self._sync_loop is not None:
            self.run_sync(self.aclose())
            self._sync_loop.call_soon_threadsafe(self._sync_loop.stop)
            self._sync_loop = None
        for fn in self.on_close:
            fn()
        self.on_close.clear()


def _validate_structured(structured: StructuredOutput) -> None:
    """Reject a broken schema or regex here, with a clear message, instead of at the server."""
    if structured.json_schema is not None:
        try:
            jsonschema.validators.validator_for(structured.json_schema).check_schema(
                structured.json_schema
            )
        except jsonschema.SchemaError as exc:
            raise StructuredOutputError(f"invalid JSON schema: {exc.message}") from exc
    if structured.regex is not None:
        try:
            re.compile(structured.regex)
        except re.error as exc:
            raise StructuredOutputError(f"invalid regex {structured.regex!r}: {exc}") from exc


def _tapped(
    on_token: Callable[[str], None] | None, streamed: list[str]
) -> Callable[[str], None] | None:
    """`on_token` that also keeps what it was given (to count a cancelled call's text)."""
    if on_token is None:
        return None

    def tap(text: str) -> None:
        streamed.append(text)
        on_token(text)

    return tap
