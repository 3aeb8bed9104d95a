"""Questions as Ray tasks: the same systems and results as a local run, on a cluster.

Each question is one task. A worker builds the system for it and talks to the model's
endpoints itself (one `connect()` per worker process, a pool when several URLs are given),
so the driver only hands out questions and collects `QuestionResult`s, appending each to
the run's JSONL as it arrives. A worker that dies mid-question has the task run again on
another (Ray's `max_retries`); the dead attempt returned nothing, so nothing is counted
twice, and a result is written once, when its task's one value comes back.

`ray` is an optional dependency (`pip install 'agentkit[ray]'`), imported only here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from rich.progress import Progress

from agentkit.errors import ConfigError, RemoteRunError
from agentkit.evals import hotpotqa, resume, retrieval, systems
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.runner import QuestionResult, System, run_system
from agentkit.llm import LLM, EndpointPool, Model, connect
from agentkit.planners.auto import Policy


class RaySettings(BaseModel):
    """Where the tasks run and how a lost worker is handled."""

    address: str | None = Field(
        default=None,
        description="a running cluster (auto, HOST:6379 or ray://HOST:10001); None starts a "
        "local one for this run",
    )
    num_cpus: int | None = Field(
        default=None, ge=1, description="a local cluster's CPUs (default: this machine's)"
    )
    cpus_per_question: float = Field(
        default=1.0,
        gt=0,
        description="CPUs a question's task holds; below 1 runs more questions per CPU, "
        "as a question mostly waits on the model",
    )
    max_retries: int = Field(
        default=3, ge=0, description="times a question is run again when its worker dies"
    )


class Endpoints(BaseModel):
    """What every worker connects to: one model behind one or several servers."""

    model: str
    base_url: str = Field(description="one URL, or several separated by commas (a pool)")
    system: str | None = Field(default="", description="the system message of every call")


SystemFactory = Callable[[Model, HotpotQuestion], System]
"""Builds a question's system in the worker; must pickle (a module-level class or function)."""


@dataclass(frozen=True)
class Named:
    """One of agentkit.evals.systems over BM25 or graph search, built per question. The open
    setting's corpus (`corpus`, a HotpotQA file) is loaded once per worker."""

    name: str
    search: str = "bm25"
    setting: str = "distractor"
    corpus: Path | None = None
    policy: Policy | None = None

    def __call__(self, llm: Model, q: HotpotQuestion) -> System:
        return systems.build(self.name, llm, self._retrieval(q), self.policy)

    def _retrieval(self, q: HotpotQuestion) -> retrieval.Retrieval:
        if self.setting != "open":
            return retrieval.build(self.search, self.setting, [q])
        key = f"{self.search}:{self.corpus}"
        if key not in _SHARED:
            _SHARED[key] = retrieval.build(self.search, "open", [], hotpotqa.load(self.corpus))
        return _SHARED[key]


_MODELS: dict[str, Model] = {}  # per worker process: one connection (pool) per endpoint set
_SHARED: dict[str, retrieval.Retrieval] = {}


def endpoints_of(llm: Model, system: str | None = "") -> Endpoints:
    """The URLs a driver's model is served at, for its workers to use too."""
    if isinstance(llm, EndpointPool):
        return Endpoints(model=llm.model, base_url=",".join(llm.urls), system=system)
    if isinstance(llm, LLM):
        return Endpoints(model=llm.model, base_url=llm.base_url, system=system)
    raise ConfigError(f"--ray needs a model served over HTTP; {type(llm).__name__} is not")


def run_question(name: str, factory: SystemFactory, endpoints: Endpoints, q: HotpotQuestion) -> str:
    """The task: one question on this worker's connection; its result as JSON."""
    key = endpoints.model_dump_json()
    llm = _MODELS.get(key)
    if llm is None:
        llm = _MODELS[key] = connect(
            endpoints.model, base_url=endpoints.base_url, system=endpoints.system
        )
    [result] = llm.run_sync(run_system(name, factory(llm, q), [q], llm.ledger, concurrency=1))
    return result.model_dump_json()


@contextlib.contextmanager
def cluster(settings: RaySettings) -> Iterator[Any]:
    """The `ray` module, connected: to `settings.address`, to a cluster this process already
    joined, or to a local one started here and stopped after."""
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--ray needs Ray: pip install 'agentkit[ray]' (or pip install ray)"
        ) from None
    if ray.is_initialized():
        yield ray
        return
    if settings.address is not None:
        ray.init(address=settings.address, log_to_driver=False)
    else:
        ray.init(num_cpus=settings.num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def run_on_ray(
    name: str,
    factory: SystemFactory,
    questions: list[HotpotQuestion],
    endpoints: Endpoints,
    *,
    settings: RaySettings | None = None,
    jsonl: Path | None = None,
    progress: Progress | None = None,
) -> list[QuestionResult]:
    """Every question as a task; results in question order, each appended to `jsonl` as it
    comes back. Blocks: call it from a thread in async code."""
    settings = settings or RaySettings()
    bar = progress.add_task(name, total=len(questions)) if progress else None
    results: dict[str, QuestionResult] = {}
    with cluster(settings) as ray:
        task = ray.remote(num_cpus=settings.cpus_per_question, max_retries=settings.max_retries)(
            run_question
        )
        shared = ray.put(factory), ray.put(endpoints)
        pending = {task.remote(name, *shared, q): q.id for q in questions}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=0.2)
            for ref in ready:
                qid = pending.pop(ref)
                try:
                    result = QuestionResult.model_validate_json(ray.get(ref))
                except ray.exceptions.RayError as exc:
                    for left in pending:
                        ray.cancel(left)
                    raise RemoteRunError(
                        f"question {qid} of {name} failed on the cluster: {exc}. The results "
                        "so far are kept; run the same command with --resume for the rest"
                    ) from exc
                results[qid] = result
                if jsonl is not None:
                    resume.append(jsonl, result)
                if progress is not None and bar is not None:
                    progress.advance(bar)
    return [results[q.id] for q in questions]
