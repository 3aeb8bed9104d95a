"""Forbidding real model requests, e.g. for a whole test suite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import agentkit.llm


@contextmanager
def override_allow_model_requests(allow: bool) -> Iterator[None]:
    """Set `agentkit.llm.ALLOW_MODEL_REQUESTS` inside the block, and restore it after."""
    saved = agentkit.llm.ALLOW_MODEL_REQUESTS
    agentkit.llm.ALLOW_MODEL_REQUESTS = allow
    try:
        yield
    finally:
        agentkit.llm.ALLOW_MODEL_REQUESTS = saved
