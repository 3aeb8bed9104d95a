"""One call from a model name (or a server URL) to a ready LLM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentkit.budget import Budget
from agentkit.ledger import Ledger
from agentkit.llm.client import LLM
from agentkit.llm.pool import EndpointPool, split_urls
from agentkit.llm.server import ServerConfig, VLLMServer
from agentkit.models import DEFAULT_MODEL, resolve


def connect(
    model: str = DEFAULT_MODEL,
    *,
    base_url: str | Sequence[str] | None = None,
    api_key: str | None = None,
    ledger: Ledger | None = None,
    budget: Budget | None = None,
    server: ServerConfig | None = None,
    **llm_kwargs: Any,
) -> LLM | EndpointPool:
    """Remote server when base_url is given; else reuse or start a local vLLM for `model`.

    Several URLs (a list, or one string with commas) serving the same model make an
    `EndpointPool`: least-in-flight routing, failover, exact usage per endpoint.

    A server this call starts is stopped by `llm.close()` (or at exit); a reused one keeps
    running for the next command.
    """
    if base_url is not None:
        urls = split_urls(base_url)
        if len(urls) > 1:
            return EndpointPool(
                urls, model, api_key=api_key, ledger=ledger, budget=budget, **llm_kwargs
            )
        url = urls[0] if urls else str(base_url)
        return LLM(url, model, api_key=api_key, ledger=ledger, budget=budget, **llm_kwargs)
    srv = VLLMServer(server or ServerConfig(model=model, served_name=model)).start()
    tokenizer = llm_kwargs.pop("tokenizer", None) or resolve(srv.config.model)
    llm = LLM(
        srv.base_url,
        srv.config.name,
        tokenizer=tokenizer,
        ledger=ledger,
        budget=budget,
        **llm_kwargs,
    )
    if srv.owned:
        llm.on_close.append(srv.stop)
    return llm
