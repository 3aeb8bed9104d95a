"""Async chat client for vLLM's OpenAI-compatible server, with exact usage and hard budgets."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

import agentkit.llm as llm_package  # for ALLOW_MODEL_REQUESTS, read at call time
from agentkit.budget import Budget, BudgetTracker
from agentkit.errors import (
    BudgetExceededError,
    ModelNotFoundError,
    ModelRequestsDisabledError,
    ServerUnreachableError,
    TransientLLMError,
)
from agentkit.ledger import Ledger
from agentkit.llm.errors_map import error_for_response
from agentkit.llm.model import ModelBase, Prompt
from agentkit.llm.response import Reply, StreamReader, parse_models, parse_response
from agentkit.tokens import TokenCounter, counter_for
from agentkit.types import CallInfo, CallLabels, Completion, Message, Usage

__all__ = ["LLM", "STREAM_RESTART", "Prompt"]

STREAM_RESTART = "\n[stream restarted]\n"
"""Given to on_token when a retried stream differs from what was already shown: what
follows it is the whole new answer. A retry that repeats what was shown is not shown twice."""


class _Shown:
    """The text on_token has been given in this call, across retried streams."""

    def __init__(self, on_token: Callable[[str], None]) -> None:
        self.on_token = on_token
        self.text = ""  # what the consumer has seen
        self.attempt = ""  # what the current stream has said

    def restart(self) -> None:
        self.attempt = ""

    def add(self, delta: str) -> None:
        self.attempt += delta
        if self.attempt.startswith(self.text):  # caught up: show only what is new
            new = self.attempt[len(self.text) :]
            if new:
                self.on_token(new)
                self.text = self.attempt
        elif not self.text.startswith(self.attempt):  # this stream says something else
            self.on_token(STREAM_RESTART + self.attempt)
            self.text = self.attempt


class LLM(ModelBase):
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
        super().__init__(
            model,
            tokenizer=counter_for(tokenizer) if isinstance(tokenizer, str) else tokenizer,
            ledger=ledger,
            budget=budget,
            context_window=context_window,
            system=system,
        )
        url = base_url.rstrip("/")
        self.base_url = url if url.endswith("/v1") else url + "/v1"
        self.api_key = api_key or os.environ.get("AGENTKIT_API_KEY")
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self._max_connections = max_connections
        self._transport = transport  # for tests: an httpx.MockTransport
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self._ready = False

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
        timeout = min(30.0, self.timeout_s)
        try:
            return await self._client().get(self.base_url + path, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnreachableError(
                f"no server answers at {self.base_url} ({exc.__class__.__name__}). Start one with "
                "`agentkit serve start MODEL`, or pass the base_url of a running vLLM server."
            ) from exc
        except httpx.HTTPError as exc:  # a read timeout, a cut connection
            raise ServerUnreachableError(
                f"the server at {self.base_url} did not answer {path} within {timeout:g}s "
                f"({exc.__class__.__name__}); check that it is a working vLLM server"
            ) from exc

    def _check_allowed(self) -> None:
        if not llm_package.ALLOW_MODEL_REQUESTS:
            raise ModelRequestsDisabledError(
                f"agentkit.llm.ALLOW_MODEL_REQUESTS is False, so nothing is sent to "
                f"{self.base_url}; use agentkit.testing's TestModel or FunctionModel, or allow "
                "requests with agentkit.testing.override_allow_model_requests(True)"
            )

    async def served_models(self) -> list[dict[str, Any]]:
        self._check_allowed()
        resp = await self._get("/models")
        if resp.status_code != 200:
            raise error_for_response(resp, self.model)
        return parse_models(resp.content)

    async def ensure_ready(self) -> None:
        """Check the server serves our model; learn its context window and tokenizer. Every
        call starts here, so this is where ALLOW_MODEL_REQUESTS=False stops it."""
        self._check_allowed()
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

    # -- generation ------------------------------------------------------------------------
    async def _complete(
        self,
        messages: list[Message],
        info: CallInfo,
        *,
        tracker: BudgetTracker | None,
        on_token: Callable[[str], None] | None,
    ) -> Completion:
        """Send the request in vLLM's form (`info.tools` are not sent). Transient failures are
        retried while the call's deadline allows: one deadline covers every attempt, the
        whole stream included."""
        body: dict[str, Any] = {"model": self.model, "messages": [m.model_dump() for m in messages]}
        body.update(info.params())
        timeout = (tracker.call_timeout() if tracker else None) or self.timeout_s
        deadline = time.monotonic() + timeout
        shown = _Shown(on_token) if on_token is not None else None
        retrying = AsyncRetrying(
            retry=retry_if_exception(
                lambda e: isinstance(e, TransientLLMError) and time.monotonic() < deadline
            ),
            wait=wait_exponential(multiplier=0.5, max=8),
            stop=stop_after_attempt(self.max_retries + 1),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise asyncio.TimeoutError
                    return await asyncio.wait_for(self._send(body, info.labels, shown, left), left)
                except asyncio.TimeoutError:
                    if timeout < self.timeout_s:
                        raise BudgetExceededError(
                            f"call exceeded its wall_time_s budget of {timeout:g}s"
                        ) from None
                    raise TransientLLMError(f"no complete answer within {timeout:g}s") from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self, body: dict[str, Any], labels: CallLabels, shown: _Shown | None, timeout: float
    ) -> Completion:
        t0 = time.perf_counter()
        url = self.base_url + "/chat/completions"
        client = self._client()
        try:
            if shown is None:
                resp = await client.post(url, json=body, timeout=timeout)
                if resp.status_code != 200:
                    raise error_for_response(resp, self.model)
                reply = parse_response(resp.content)
            else:
                reply = await self._stream(client, url, body, shown, timeout)
        except httpx.TimeoutException:
            raise asyncio.TimeoutError from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerUnreachableError(
                f"no server answers at {self.base_url}: it went away. Restart it with "
                "`agentkit serve start MODEL` or check the base_url."
            ) from exc
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
            raise TransientLLMError(f"connection broke: {exc!r}") from exc
        return Completion(
            texts=reply.texts,
            finish_reasons=reply.finish_reasons,
            logprobs=reply.logprobs,
            usage=reply.usage or Usage(),
            usage_counted=reply.usage is None,
            model=self.model,
            latency_s=time.perf_counter() - t0,
            http_s=time.perf_counter() - t0,
            labels=labels,
            endpoint=self.base_url,
        )

    async def _stream(
        self,
        client: httpx.AsyncClient,
        url: str,
        body: dict[str, Any],
        shown: _Shown,
        timeout: float,
    ) -> Reply:
        body = {**body, "stream": True, "stream_options": {"include_usage": True}}
        reader = StreamReader(body.get("n", 1), self.model)
        shown.restart()
        async with client.stream("POST", url, json=body, timeout=timeout) as resp:
            if resp.status_code != 200:
                await resp.aread()
                raise error_for_response(resp, self.model)
            buffered = b""
            async for piece in resp.aiter_bytes():  # bytes: a bad UTF-8 line is an error
                buffered += piece
                *lines, buffered = buffered.split(b"\n")
                for line in lines:
                    new = reader.feed(line)
                    if new:
                        shown.add(new)
            reader.feed(buffered)  # a last line without its newline (never content)
        return reader.reply()

    # -- cleanup -------------------------------------------------------------------------
    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()
