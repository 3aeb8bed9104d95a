"""Shared fixtures. Integration tests start one real vLLM server per model per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentkit.evals.hotpotqa import SHIPPED
from agentkit.testing import override_allow_model_requests

REPO = Path(__file__).resolve().parents[1]
HOTPOT = SHIPPED  # the 200 dev questions inside the package


def _llm_for(name: str, max_model_len: int) -> Iterator[object]:
    from agentkit import models
    from agentkit.llm import ServerConfig, connect

    models.pull(name)  # idempotent; the Makefile normally did it already
    cfg = ServerConfig(model=name, served_name=name, max_model_len=max_model_len, kv_cache_gib=2)
    llm = connect(name, server=cfg)
    yield llm
    llm.close()


@pytest.fixture(autouse=True)
def _no_model_requests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Only integration tests (and tests marked `model_requests`, e.g. the client's own over
    an httpx.MockTransport) may make model requests; elsewhere the vLLM client raises
    ModelRequestsDisabledError, so a test cannot reach a server by mistake."""
    allowed = any(request.node.get_closest_marker(m) for m in ("integration", "model_requests"))
    with override_allow_model_requests(allowed):
        yield


@pytest.fixture(scope="session")
def smol_llm() -> Iterator[object]:
    """A real vLLM server with smollm2-135m (fast; weak answers)."""
    yield from _llm_for("smollm2-135m", 4096)


@pytest.fixture(scope="session")
def qwen_llm() -> Iterator[object]:
    """A real vLLM server with qwen2.5-coder-1.5b (slower; sensible answers)."""
    yield from _llm_for("qwen2.5-coder-1.5b", 8192)


@pytest.fixture(scope="session")
def hotpot_path() -> Path:
    """The 200 HotpotQA dev questions that ship inside the package (no ../shared needed)."""
    if not HOTPOT.is_file():
        pytest.fail(f"HotpotQA sample not found at {HOTPOT}; it ships with agentkit.evals")
    return HOTPOT
