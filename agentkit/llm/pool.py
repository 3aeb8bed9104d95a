"""Several OpenAI-compatible servers of one model, used as one Model.

One vLLM server per GPU node, all serving the same model: each request goes to the endpoint
with the fewest requests in flight. An endpoint that refuses connections, breaks them or
answers 5xx is taken out and probed (GET /v1/models) back in after a back-off that doubles
while it stays down; the request that failed on it is sent to another endpoint. Only
transient failures move a request: a 4xx, a context overflow or a budget stop is the
caller's and is raised at once.

Each endpoint is an `LLM` that never retries by itself; the pool is the `ModelBase` that
counts the prompt, reserves the budget and records the ledger, once per request whatever
the number of endpoints it tried, so budgets hold across the pool and usage stays exact.
The record names the endpoint that answered: `pool.ledger.by("endpoint")`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from agentkit.budget import Budget, BudgetTracker
from agentkit.errors import BudgetExceededError, ServerUnreachableError, TransientLLMError
from agentkit.ledger import Ledger, Totals
from agentkit.llm.client import LLM, _Shown
from agentkit.llm.model import ModelBase
from agentkit.tokens import TokenCounter, counter_for
from agentkit.types import CallInfo, Completion, Message

__all__ = ["EndpointPool", "EndpointStats", "PoolSettings", "split_urls"]

MOVABLE = (ServerUnreachableError, TransientLLMError)
"""Failures that say nothing about the request, so another endpoint may answer it."""


class PoolSettings(BaseModel):
    """How the pool treats a failing endpoint."""

    backoff_s: float = Field(
        default=1.0, gt=0, description="how long a failed endpoint stays out before its probe"
    )
    max_backoff_s: float = Field(
        default=30.0, gt=0, description="the longest wait between probes of a dead endpoint"
    )
    max_attempts: int = Field(
        default=4,
        ge=1,
        description="endpoints (or the same one again) a request may try on transient failures",
    )
    poll_s: float = Field(
        default=0.1, gt=0, description="how often a request waiting for any endpoint looks again"
    )


class EndpointStats(BaseModel):
    """One endpoint as the pool sees it now."""

    url: str
    healthy: bool
    in_flight: int
    sent: int = Field(description="requests sent to it, failed ones included")
    failures: int = Field(description="transient failures that took it out")


@dataclass
class _Endpoint:
    llm: LLM
    backoff_s: float
    in_flight: int = 0
    sent: int = 0
    failures: int = 0
    healthy: bool = True
    retry_at: float = 0.0
    probing: bool = False
    probe: asyncio.Task[None] | None = field(default=None, repr=False)


def split_urls(base_url: str | Sequence[str]) -> list[str]:
    """ "http://a:8000, http://b:8000" or a list of them -> the URLs."""
    parts = base_url.split(",") if isinstance(base_url, str) else list(base_url)
    return [u.strip() for u in parts if u.strip()]


class EndpointPool(ModelBase):
    """One model behind several servers. Safe to share between many concurrent agents."""

    def __init__(
        self,
        base_urls: Sequence[str],
        model: str,
        *,
        api_key: str | None = None,
        tokenizer: TokenCounter | str | None = None,
        ledger: Ledger | None = None,
        budget: Budget | None = None,
        context_window: int | None = None,
        system: str | None = None,
        timeout_s: float = 600.0,
        settings: PoolSettings | None = None,
        **llm_kwargs: Any,
    ) -> None:
        """`llm_kwargs` go to each endpoint's `LLM` (its retries are the pool's: max_retries
        is taken as the pool's max_attempts - 1 when given)."""
        counter = counter_for(tokenizer) if isinstance(tokenizer, str) else tokenizer
        super().__init__(
            model,
            tokenizer=counter,
            ledger=ledger,
            budget=budget,
            context_window=context_window,
            system=system,
        )
        urls = split_urls(base_urls)
        if not urls:
            raise ServerUnreachableError("an endpoint pool needs at least one base URL")
        self.settings = settings or PoolSettings()
        if "max_retries" in llm_kwargs:
            attempts = llm_kwargs.pop("max_retries") + 1
            self.settings = self.settings.model_copy(update={"max_attempts": attempts})
        self.timeout_s = timeout_s
        self._endpoints = [
            _Endpoint(
                LLM(url, model, api_key=api_key, tokenizer=counter, context_window=context_window,
                    timeout_s=timeout_s, max_retries=0, **llm_kwargs),
                backoff_s=self.settings.backoff_s,
            )
            for url in urls
        ]  # fmt: skip

    # -- what the pool knows -------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        return [ep.llm.base_url for ep in self._endpoints]

    def stats(self) -> list[EndpointStats]:
        return [
            EndpointStats(
                url=ep.llm.base_url, healthy=ep.healthy, in_flight=ep.in_flight, sent=ep.sent,
                failures=ep.failures,
            )
            for ep in self._endpoints
        ]  # fmt: skip

    def usage_by_endpoint(self) -> dict[str, Totals]:
        """Exact usage of the calls each endpoint answered (from the ledger)."""
        return self.ledger.by("endpoint")

    # -- readiness -----------------------------------------------------------------------
    async def ensure_ready(self) -> None:
        """Learn the context window and tokenizer from the first endpoint that answers; an
        endpoint that serves another model is a configuration error, raised at once."""
        self._endpoints[0].llm._check_allowed()
        if self._tokenizer is not None and self.context_window is not None:
            return
        for ep in sorted(self._endpoints, key=lambda e: not e.healthy):
            try:
                await ep.llm.ensure_ready()
            except MOVABLE as exc:
                self._take_out(ep, exc)
                continue
            self.context_window = self.context_window or ep.llm.context_window
            if self._tokenizer is None:
                self._tokenizer = ep.llm.tokenizer
            for other in self._endpoints:  # one tokenizer for all: loaded once
                other.llm._tokenizer = other.llm._tokenizer or self._tokenizer
            return
        raise self._none_answers()

    # -- routing -------------------------------------------------------------------------
    async def _complete(
        self,
        messages: list[Message],
        info: CallInfo,
        *,
        tracker: BudgetTracker | None,
        on_token: Callable[[str], None] | None,
    ) -> Completion:
        """Send to the least busy endpoint; on a transient failure take it out and send to
        another, within one deadline for every attempt (as `LLM` does for its retries)."""
        timeout = (tracker.call_timeout() if tracker else None) or self.timeout_s
        deadline = time.monotonic() + timeout
        shown = _Shown(on_token) if on_token is not None else None
        tried: list[_Endpoint] = []
        failure: Exception | None = None
        for _ in range(self.settings.max_attempts):
            ep = await self._pick(deadline, tried)
            left = deadline - time.monotonic()
            if ep is None or left <= 0:
                break
            if shown is not None:
                shown.restart()
            ep.in_flight += 1
            ep.sent += 1
            try:
                await ep.llm.ensure_ready()
                call = ep.llm._complete(
                    messages, info, tracker=tracker, on_token=shown.add if shown else None
                )
                return await asyncio.wait_for(call, left)
            except MOVABLE as exc:
                failure = exc
                self._take_out(ep, exc)
                tried.append(ep)
            except asyncio.TimeoutError:
                failure = TransientLLMError(f"no complete answer within {timeout:g}s")
                self._take_out(ep, failure)
                break
            finally:
                ep.in_flight -= 1
        if timeout < self.timeout_s and time.monotonic() >= deadline:
            raise BudgetExceededError(f"call exceeded its wall_time_s budget of {timeout:g}s")
        raise failure or self._none_answers()

    async def _pick(self, deadline: float, tried: list[_Endpoint]) -> _Endpoint | None:
        """The healthy endpoint with the fewest in flight (then the fewest sent), one not yet
        tried for this request when there is one; waits while every endpoint is out."""
        while True:
            self._probe_due()
            up = [ep for ep in self._endpoints if ep.healthy]
            if up:
                fresh = [ep for ep in up if ep not in tried] or up
                return min(fresh, key=lambda e: (e.in_flight, e.sent))
            now = time.monotonic()
            if now >= deadline:
                return None
            await asyncio.sleep(min(self.settings.poll_s, deadline - now))

    # -- health --------------------------------------------------------------------------
    def _take_out(self, ep: _Endpoint, exc: Exception) -> None:
        ep.failures += 1
        if ep.healthy:
            ep.healthy = False
            ep.retry_at = time.monotonic() + ep.backoff_s

    def _probe_due(self) -> None:
        now = time.monotonic()
        for ep in self._endpoints:
            if not ep.healthy and not ep.probing and now >= ep.retry_at:
                ep.probing = True
                ep.probe = asyncio.get_running_loop().create_task(self._probe(ep))

    async def _probe(self, ep: _Endpoint) -> None:
        """GET /v1/models: back in when it answers, else out for twice as long."""
        try:
            await ep.llm.served_models()
        except Exception:
            ep.backoff_s = min(2 * ep.backoff_s, self.settings.max_backoff_s)
            ep.retry_at = time.monotonic() + ep.backoff_s
        else:
            ep.healthy, ep.backoff_s = True, self.settings.backoff_s
        finally:
            ep.probing = False

    def _none_answers(self) -> ServerUnreachableError:
        return ServerUnreachableError(
            f"no endpoint of the pool answers ({', '.join(self.urls)}); start a server behind "
            "one of them (`agentkit serve start MODEL`) or check the --base-url list"
        )

    # -- cleanup -------------------------------------------------------------------------
    async def aclose(self) -> None:
        for ep in self._endpoints:
            probe = ep.probe
            if probe is not None and not probe.done() and probe.get_loop() is _loop():
                probe.cancel()
            await ep.llm.aclose()


def _loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()
