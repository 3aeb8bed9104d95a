"""Async chat client for vLLM's OpenAI-compatible server, with exact usage and hard budgets."""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import jsonschema
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agentkit.budget import Budget, BudgetTracker
from agentkit.errors import (
    BudgetExceededError,
    ContextWindowExceededError,
    ModelNotFoundError,
    ServerUnreachableError,
    StructuredOutputError,
    TransientLLMError,
)
from agentkit.ledger import Ledger
from agentkit.llm.errors_map import error_for_response
from agentkit.tokens import TokenCounter, counter_for
from agentkit.types import CallLabels, Completion, Message, StructuredOutput, Usage, as_messages

T = TypeVar("T")
Prompt = str | list[Message] | list[dict[str, str]]


class LLM:
    """One model behind one server. Safe to share between many concurrent agents."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        tokenizer: TokenCounter | str | None = None,
        ledger: Ledger | None = None,
        budget: Budget | None = None,
        context_window: int | None = None,
        timeout_s: float = 600.0,
        max_retries: int = 3,
        max_connections: int = 64,
        transport: httpx.AsyncBaseTransport | None = None,
        system: str | None = None,
    ) -> None:
        """`system` is put before every prompt that has no system message of its own; ""
        stops a chat template from adding its default one (Qwen2.5's costs 16 tokens a call)."""
        url = base_url.rstrip("/")
        self.base_url = url if url.endswith("/v1") else url + "/v1"
        self.model = model
        self.system = system
        self.api_key = api_key or os.environ.get("AGENTKIT_API_KEY")
        self.ledger = ledger or Ledger()
        self.budget = budget
        self._default_tracker = budget.tracker() if budget else None
        self.context_window = context_window
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._max_connections = max_connections
        self._transport = transport  # for tests: an httpx.MockTransport
        self._tokenizer = counter_for(tokenizer) if isinstance(tokenizer, str) else tokenizer
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self._ready = False
        self._sync_loop: asyncio.AbstractEventLoop | None = None
        self.on_close: list[Callable[[], None]] = []

    # -- setup -----------------------------------------------------------------------------
    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            limits = httpx.Limits(max_connections=self._max_connections)
            client = httpx.AsyncClient(
                timeout=self.timeout_s, limits=limits, headers=headers, transport=self._transport
            )
            self._clients[loop] = client
        return client

    async def _get(self, path: str) -> httpx.Response:
        try:
            return await self._client().get(self.base_url + path, timeout=30)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnreachableError(
                f"no server answers at {self.base_url} ({exc.__class__.__name__}). Start one with "
                "`agentkit serve start MODEL`, or pass the base_url of a running vLLM server."
            ) from exc

    async def served_models(self) -> list[dict[str, Any]]:
        resp = await self._get("/models")
        resp.raise_for_status()
        return list(resp.json().get("data", []))

    async def ensure_ready(self) -> None:
        """Check the server serves our model; learn its context window and tokenizer."""
        if self._ready:
            return
        models = await self.served_models()
        entry = next((m for m in models if m.get("id") == self.model), None)
        if entry is None:
            names = ", ".join(m.get("id", "?") for m in models) or "nothing"
            raise ModelNotFoundError(
                f"the server at {self.base_url} does not serve {self.model!r}; it serves: {names}"
            )
        self.context_window = self.context_window or entry.get("max_model_len")
        if self._tokenizer is None:
            self._tokenizer = counter_for(str(entry.get("root") or self.model))
        self._ready = True

    @property
    def tokenizer(self) -> TokenCounter:
        if self._tokenizer is None:
            raise RuntimeError("call `await llm.ensure_ready()` (or generate once) first")
        return self._tokenizer

    # -- generation ------------------------------------------------------------------------
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
    ) -> Completion:
        """One chat call; budget and context window are checked before anything is sent.

        extra_body carries engine-specific request fields (e.g. vLLM's ignore_eos).
        """
        await self.ensure_ready()
        started = time.perf_counter()
        messages = as_messages(prompt)
        if self.system is not None and (not messages or messages[0].role != "system"):
            messages = [Message(role="system", content=self.system), *messages]
        labels = labels or CallLabels()
        if structured is not None:
            _validate_structured(structured)
        prompt_tokens = self.tokenizer.count_messages(messages)
        if self.context_window and prompt_tokens + max_tokens > self.context_window:
            raise ContextWindowExceededError(
                f"prompt of {prompt_tokens} tokens + max_tokens {max_tokens} exceeds the "
                f"{self.context_window}-token context of {self.model}; shorten the prompt, lower "
                "max_tokens, or serve the model with a larger --max-model-len"
            )
        tracker = budget or self._default_tracker
        reservation = tracker.reserve(prompt_tokens, max_tokens * n) if tracker else None
        body = self._body(messages, max_tokens, temperature, top_p, stop, n, seed, structured)
        body.update(extra_body or {})
        usage: Usage | None = None
        try:
            completion = await self._with_retries(body, labels, on_token, tracker)
            usage = completion.usage
        finally:
            if tracker and reservation:
                tracker.settle(reservation, usage)
        # latency covers agentkit's own work too (counting, checks, parsing), not just HTTP
        completion.latency_s = time.perf_counter() - started
        self.ledger.record(
            completion,
            messages=[m.model_dump() for m in messages],
            output=completion.texts,
            params={k: v for k, v in body.items() if k not in ("messages", "model")},
            counted_prompt_tokens=prompt_tokens,
        )
        return completion

    def _body(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        top_p: float | None,
        stop: list[str] | None,
        n: int,
        seed: int | None,
        structured: StructuredOutput | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump() for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "n": n,
        }
        optional = {"top_p": top_p, "stop": stop, "seed": seed}
        body.update({k: v for k, v in optional.items() if v is not None})
        if structured is not None:
            key, value = next(
                (k, v)
                for k, v in (
                    ("json", structured.json_schema),
                    ("regex", structured.regex),
                    ("grammar", structured.grammar),
                )
                if v is not None
            )
            body["structured_outputs"] = {key: value}
        return body

    async def _with_retries(
        self,
        body: dict[str, Any],
        labels: CallLabels,
        on_token: Callable[[str], None] | None,
        tracker: BudgetTracker | None,
    ) -> Completion:
        timeout = (tracker.call_timeout() if tracker else None) or self.timeout_s
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientLLMError),
            wait=wait_exponential(multiplier=0.5, max=8),
            stop=stop_after_attempt(self.max_retries + 1),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(body, labels, on_token, timeout)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        body: dict[str, Any],
        labels: CallLabels,
        on_token: Callable[[str], None] | None,
        timeout: float,
    ) -> Completion:
        t0 = time.perf_counter()
        url = self.base_url + "/chat/completions"
        client = self._client()
        try:
            if on_token is None:
                h0 = time.perf_counter()
                resp = await client.post(url, json=body, timeout=timeout)
                http_s = time.perf_counter() - h0
                if resp.status_code != 200:
                    raise error_for_response(resp, self.model)
                data = resp.json()
                texts = [c["message"].get("content") or "" for c in data["choices"]]
                reasons = [c.get("finish_reason") for c in data["choices"]]
                raw_usage = data.get("usage") or {}
            else:
                streamed = await self._stream(client, url, body, on_token, timeout)
                texts, reasons, raw_usage, http_s = streamed
        except httpx.TimeoutException as exc:
            if timeout < self.timeout_s:
                msg = f"call exceeded its wall_time_s budget of {timeout:g}s"
                raise BudgetExceededError(msg) from exc
            raise TransientLLMError(f"request timed out after {timeout:g}s") from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnreachableError(
                f"no server answers at {self.base_url}: it went away. Restart it with "
                "`agentkit serve start MODEL` or check the base_url."
            ) from exc
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
            raise TransientLLMError(f"connection broke: {exc!r}") from exc
        details = raw_usage.get("prompt_tokens_details") or {}
        usage = Usage(
            prompt_tokens=raw_usage.get("prompt_tokens", 0),
            completion_tokens=raw_usage.get("completion_tokens", 0),
            cached_tokens=details.get("cached_tokens") or 0,
        )
        return Completion(
            texts=texts,
            finish_reasons=reasons,
            usage=usage,
            model=self.model,
            latency_s=time.perf_counter() - t0,
            http_s=http_s,
            labels=labels,
        )

    async def _stream(
        self,
        client: httpx.AsyncClient,
        url: str,
        body: dict[str, Any],
        on_token: Callable[[str], None],
        timeout: float,
    ) -> tuple[list[str], list[str | None], dict[str, Any], float]:
        body = {**body, "stream": True, "stream_options": {"include_usage": True}}
        n = body.get("n", 1)
        texts, reasons = [""] * n, [None] * n
        usage: dict[str, Any] = {}
        h0 = time.perf_counter()
        async with client.stream("POST", url, json=body, timeout=timeout) as resp:
            if resp.status_code != 200:
                await resp.aread()
                raise error_for_response(resp, self.model)
            async for line in resp.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices", []):
                    i = choice.get("index", 0)
                    delta = (choice.get("delta") or {}).get("content") or ""
                    texts[i] += delta
                    reasons[i] = choice.get("finish_reason") or reasons[i]
                    if delta and i == 0:
                        on_token(delta)
        return texts, list(reasons), usage, time.perf_counter() - h0

    # -- sync facade and cleanup -------------------------------------------------------------
    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this LLM's private background loop (for scripts and notebooks)."""
        if self._sync_loop is None:
            self._sync_loop = asyncio.new_event_loop()
            threading.Thread(target=self._sync_loop.run_forever, daemon=True).start()
        return asyncio.run_coroutine_threadsafe(coro, self._sync_loop).result()

    def generate_sync(self, prompt: Prompt, **kwargs: Any) -> Completion:
        return self.run_sync(self.generate(prompt, **kwargs))

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        """Release HTTP clients and stop a server this LLM started (a reused one keeps running)."""
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
