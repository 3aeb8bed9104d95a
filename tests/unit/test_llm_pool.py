"""The endpoint pool against scripted servers on loopback: routing, failover, probing back
in, exact usage per endpoint and in total, budgets across the pool."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import pytest

from agentkit.budget import Budget, Limits
from agentkit.errors import BudgetExceededError, LLMError, ServerUnreachableError
from agentkit.llm import LLM, EndpointPool, PoolSettings, connect
from agentkit.testing import WordCounter
from agentkit.testing.faults import FaultServer

pytestmark = pytest.mark.model_requests

FAST = PoolSettings(backoff_s=0.2, max_backoff_s=0.4, poll_s=0.02)


@contextlib.contextmanager
def serving(*servers: FaultServer) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(s.running()) for s in servers]


def pool(urls: list[str], **kw: object) -> EndpointPool:
    return EndpointPool(urls, "m", tokenizer=WordCounter(), settings=FAST, timeout_s=10, **kw)


def served(*servers: FaultServer) -> tuple[int, int]:
    return sum(s.usage_sent[0] for s in servers), sum(s.usage_sent[1] for s in servers)


def ledger_usage(p: EndpointPool) -> tuple[int, int]:
    u = p.ledger.total().usage
    return u.prompt_tokens, u.completion_tokens


async def test_requests_go_to_the_endpoint_with_fewest_in_flight():
    servers = [FaultServer("ok", token_s=0.05), FaultServer("ok", token_s=0.05)]
    with serving(*servers) as urls:
        p = pool(urls)
        await asyncio.gather(*(p.generate(f"q{i}") for i in range(6)))
        by = p.usage_by_endpoint()
        assert sorted(t.calls for t in by.values()) == [3, 3]
        assert set(by) == {u + "/v1" for u in urls}
        assert ledger_usage(p) == served(*servers)
        await p.aclose()


async def test_a_dead_endpoint_is_taken_out_and_its_requests_answered_elsewhere():
    servers = [FaultServer("dead"), FaultServer("ok")]
    with serving(*servers) as urls:
        p = pool(urls)
        for i in range(4):
            assert (await p.generate(f"q{i}")).text == "Paris is the capital"
        dead, alive = p.stats()
        assert (dead.healthy, dead.failures) == (False, 1)
        assert alive.sent == 4 and p.ledger.total().calls == 4
        await p.aclose()


async def test_an_endpoint_killed_mid_run_loses_nothing_and_counts_nothing_twice():
    servers = [FaultServer("ok", token_s=0.1) for _ in range(3)]
    with serving(*servers) as urls:
        p = pool(urls)
        calls = [asyncio.ensure_future(p.generate(f"q{i}")) for i in range(12)]
        await asyncio.sleep(0.2)  # every endpoint has requests in flight
        servers[1].kill()
        done = await asyncio.gather(*calls)
        assert len(done) == 12 and all(c.text for c in done)
        assert p.ledger.total().calls == 12
        assert ledger_usage(p) == served(*servers)  # exactly what the servers reported
        assert not p.stats()[1].healthy
        await p.aclose()


async def test_a_recovered_endpoint_is_probed_back_in():
    flaky, steady = FaultServer("ok"), FaultServer("ok")
    with steady.running() as steady_url:
        with flaky.running() as flaky_url:
            p = pool([flaky_url, steady_url])
            await p.generate("warm")
            flaky.kill()
            for i in range(3):
                await p.generate(f"q{i}")
            assert not p.stats()[0].healthy
        port = int(flaky_url.rsplit(":", 1)[1])
        with flaky.running(port=port):
            # Probes run when a request picks an endpoint, once the back-off (doubled by any
            # probe that failed while it was down) is over: keep asking, within a deadline
            # far past max_backoff_s, so a slow machine cannot fail this by timing alone.
            deadline = time.monotonic() + 10
            while not p.stats()[0].healthy and time.monotonic() < deadline:
                await p.generate("r")
                await asyncio.sleep(FAST.poll_s)
            assert p.stats()[0].healthy
            await asyncio.gather(*(p.generate(f"s{i}") for i in range(4)))
            assert flaky.completions >= 1  # used again
        await p.aclose()


async def test_a_client_error_is_not_moved_to_another_endpoint():
    bad, good = FaultServer("status_4xx"), FaultServer("ok")
    with serving(bad, good) as urls:
        p = pool(urls)
        with pytest.raises(LLMError, match="on purpose"):
            await p.generate("q")
        assert good.completions == 0 and p.stats()[0].healthy
        await p.aclose()


async def test_a_stream_moved_to_another_endpoint_is_shown_once():
    servers = [FaultServer("dropped_stream"), FaultServer("ok")]
    with serving(*servers) as urls:
        p = pool(urls)
        shown: list[str] = []
        done = await p.generate("q", on_token=shown.append)
        assert "".join(shown) == done.text == "Paris is the capital"
        assert p.ledger.total().calls == 1
        await p.aclose()


async def test_budgets_hold_across_the_pool():
    servers = [FaultServer("ok"), FaultServer("ok")]
    with serving(*servers) as urls:
        p = pool(urls, budget=Budget(run=Limits(requests=3)))
        for i in range(3):
            await p.generate(f"q{i}")
        with pytest.raises(BudgetExceededError):
            await p.generate("one too many")
        assert sum(s.completions for s in servers) == 3
        await p.aclose()


async def test_no_endpoint_answering_is_one_clear_error():
    with serving(FaultServer("dead"), FaultServer("dead")) as urls:
        p = EndpointPool(
            urls, "m", tokenizer=WordCounter(), settings=FAST, timeout_s=0.5
        )  # every endpoint down: the call waits for a probe until its deadline
        with pytest.raises(ServerUnreachableError, match=r"no endpoint|no server"):
            await p.generate("q")
        await p.aclose()


def test_connect_makes_a_pool_of_several_urls_and_a_client_of_one():
    assert isinstance(connect("m", base_url="http://a:1, http://b:2"), EndpointPool)
    assert isinstance(connect("m", base_url=["http://a:1", "http://b:2"]), EndpointPool)
    assert isinstance(connect("m", base_url="http://a:1"), LLM)
    assert connect("m", base_url="http://a:1,http://b:2").urls == ["http://a:1/v1", "http://b:2/v1"]
