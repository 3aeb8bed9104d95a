"""HotpotQA and GAIA runs on a local Ray cluster (loopback) against scripted endpoints: an
endpoint killed mid-run, a worker killed mid-run, a run resumed from its JSONL, the CLI's
--ray.
Every question has one result, and the tokens in the results are exactly what the servers
reported."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentkit.cli import app
from agentkit.evals import gaia, hotpotqa
from agentkit.evals.gaia.compare import TaskResult
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.on_ray import Endpoints, Named, RaySettings, hotpotqa_job, run_on_ray
from agentkit.evals.runner import Outcome, QuestionResult, System
from agentkit.llm import Model
from agentkit.testing.faults import FaultServer
from agentkit.trace import read_trace

ray = pytest.importorskip("ray")  # a dev dependency: installed by `make install`

pytestmark = [pytest.mark.model_requests, pytest.mark.slow]
N = 10


@pytest.fixture(scope="module", autouse=True)
def local_cluster() -> Iterator[None]:
    """Two worker slots on loopback; test-module factories pickled by value for workers."""
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


@contextlib.contextmanager
def endpoints(count: int, token_s: float = 0.05) -> Iterator[tuple[list[FaultServer], Endpoints]]:
    servers = [FaultServer("ok", token_s=token_s) for _ in range(count)]
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(s.running()) for s in servers]
        yield servers, Endpoints(model="m", base_url=",".join(urls))


def questions(n: int = N) -> list[HotpotQuestion]:
    return hotpotqa.load(n=n)


def tokens(results: list[QuestionResult]) -> int:
    return sum(r.prompt_tokens + r.completion_tokens for r in results)


def served(servers: list[FaultServer]) -> int:
    return sum(sum(s.usage_sent) for s in servers)


def assert_complete(results: list[QuestionResult], qs: list[HotpotQuestion]) -> None:
    assert [r.id for r in results] == [q.id for q in qs]
    assert all(r.error is None and r.prediction and r.llm_calls == 1 for r in results)


def kill_when_busy(servers: list[FaultServer], answered: int) -> None:
    """Kill the first server once the run is under way (`answered` answers given)."""
    for _ in range(600):
        if sum(s.completions for s in servers) >= answered:
            break
        time.sleep(0.05)
    servers[0].kill()


def test_an_endpoint_killed_mid_run_loses_no_question():
    qs = questions()
    with endpoints(3) as (servers, eps):
        killer = threading.Thread(target=kill_when_busy, args=(servers, 3))
        killer.start()
        results = run_on_ray(hotpotqa_job("direct", Named("direct")), qs, eps)
        killer.join()
    assert servers[0].killed and servers[0].completions < N
    assert_complete(results, qs)
    assert tokens(results) == served(servers)


@dataclass(frozen=True)
class DiesOnce:
    """`direct`, except that the worker running `victim` is killed (SIGKILL) the first
    time, while its model call is in flight."""

    victim: str
    marker: Path

    def __call__(self, llm: Model, q: HotpotQuestion) -> System:
        inner = Named("direct")(llm, q)

        async def run(q: HotpotQuestion, run_id: str) -> Outcome:
            if q.id == self.victim and not self.marker.exists():
                self.marker.write_text(str(os.getpid()))
                call = asyncio.ensure_future(inner(q, run_id))
                await asyncio.sleep(0.1)  # the request is at the server now
                os.kill(os.getpid(), signal.SIGKILL)
                await call
            return await inner(q, run_id)

        return run


def test_a_worker_killed_mid_run_has_its_question_run_again_once(tmp_path):
    qs = questions()
    marker = tmp_path / "died"
    jsonl = tmp_path / "direct.jsonl"
    with endpoints(2) as (servers, eps):
        results = run_on_ray(
            hotpotqa_job("direct", DiesOnce(qs[3].id, marker)), qs, eps, jsonl=jsonl
        )
    assert marker.exists()  # a worker did die
    assert_complete(results, qs)
    assert tokens(results) == served(servers)  # the dead attempt's call was never counted
    lines = [QuestionResult.model_validate_json(x) for x in jsonl.read_text().splitlines()]
    assert sorted(r.id for r in lines) == sorted(q.id for q in qs)


def test_the_cli_runs_on_ray_and_resumes_from_its_jsonl(tmp_path):
    out = tmp_path / "run"
    args = ["eval", "hotpotqa", "-n", "6", "--compare", "direct", "--model", "m", "--ray"]
    with endpoints(2) as (servers, eps):
        out.mkdir()
        kept = QuestionResult(
            id=questions(1)[0].id, system="direct", question="q", type="bridge",
            prediction="p", gold="g", em=0, f1=0, prompt_tokens=5, completion_tokens=1,
            cached_tokens=0, tokens_by_role={}, llm_calls=1, tool_calls=1, wall_s=0.1,
        )  # fmt: skip
        torn = kept.model_dump_json() + "\n" + '{"id": "half a li'
        (out / "direct.jsonl").write_text(torn)
        cmd = [*args, "--base-url", eps.base_url, "--out", str(out), "--resume"]
        done = CliRunner().invoke(app, cmd)
        assert done.exit_code == 0, done.output
    assert sum(s.completions for s in servers) == 5  # the one already done was skipped
    rows = [QuestionResult.model_validate_json(x) for x in (out / "direct.jsonl").open()]
    assert rows[0] == kept  # kept first; the rest appended as they finished, in any order
    assert sorted(r.id for r in rows) == sorted(q.id for q in questions(6))
    assert (out / "summary.json").is_file() and (out / "summary.md").is_file()
    assert "| direct | 6 |" in (out / "summary.md").read_text()
    calls = list(read_trace(out / "trace.jsonl"))  # the workers' calls reach the trace
    assert sorted(c["labels"]["run"] for c in calls) == sorted(f"direct:{r.id}" for r in rows[1:])


def test_settings_are_checked():
    with pytest.raises(ValueError, match="cpus_per_question"):
        RaySettings(cpus_per_question=0)
    done = CliRunner().invoke(app, ["eval", "hotpotqa", "--ray", "--resume"])
    assert done.exit_code != 0 and "--out" in done.output


def test_gaia_runs_on_ray_with_its_tools_and_resumes_from_its_jsonl(tmp_path):
    """GAIA's systems (the one-call baseline and a planner with sandboxed tools over each
    worker's scratch copy) as Ray tasks: one result per task and system, a kept result not
    run again, a torn line dropped, the tokens exactly what the servers reported."""
    tasks = gaia.load(n=4)
    out = tmp_path / "run"
    out.mkdir()
    kept = TaskResult(
        task_id=tasks[0].task_id, system="direct", level=tasks[0].level, prediction="p",
        gold=tasks[0].final_answer, correct=False, prompt_tokens=7, completion_tokens=1,
        llm_calls=1, tool_calls=0, tools_failed={}, wall_s=0.1,
    )  # fmt: skip
    (out / "direct.jsonl").write_text(kept.model_dump_json() + "\n" + '{"task_id": "torn')
    with endpoints(2) as (servers, eps):
        args = ["eval", "gaia", "-n", "4", "--compare", "direct,rewoo", "--model", "m"]
        cmd = [*args, "--ray", "--ray-cpus", "0.5", "--base-url", eps.base_url]
        done = CliRunner().invoke(app, [*cmd, "--out", str(out), "--resume"])
        assert done.exit_code == 0, done.output
    rows = {
        name: [TaskResult.model_validate_json(x) for x in (out / f"{name}.jsonl").open()]
        for name in ("direct", "rewoo")
    }
    for name, results in rows.items():
        assert sorted(r.task_id for r in results) == sorted(t.task_id for t in tasks), name
        assert all(r.system == name for r in results)
        assert (out / f"{name}.submission.jsonl").is_file()
    assert rows["direct"][0] == kept  # kept, not run again
    assert all(r.llm_calls >= 1 for r in rows["rewoo"])
    new = [r for name in rows for r in rows[name] if r != kept]
    assert sum(r.prompt_tokens + r.completion_tokens for r in new) == served(servers)
    summary = (out / "summary.md").read_text()
    assert "| direct | 4 |" in summary and "| rewoo | 4 |" in summary
    calls = list(read_trace(out / "trace.jsonl"))
    assert len(calls) == sum(r.llm_calls for r in new)
    used = sum(c["usage"]["prompt_tokens"] + c["usage"]["completion_tokens"] for c in calls)
    assert used == served(servers)
