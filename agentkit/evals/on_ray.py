"""Questions (HotpotQA) and tasks (GAIA) as Ray tasks: the same systems and results as a
local run, on a cluster.

Each item is one Ray task. A worker builds the system for it and talks to the model's
endpoints itself (one `connect()` per worker process, a pool when several URLs are given),
so the driver only hands out items and collects their results, appending each to the
run's JSONL as it arrives. A worker that dies mid-question has the task run again on
another (Ray's `max_retries`); the dead attempt returned nothing, so nothing is counted
twice, and a result is written once, when its task's one value comes back.

`ray` is an optional dependency (`pip install 'agentkit[ray]'`), imported only here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from rich.progress import Progress

from agentkit.errors import ConfigError, RemoteRunError
from agentkit.evals import hotpotqa, resume, retrieval, systems
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.runner import (
    Outcome,
    QuestionResult,
    RunUsage,
    System,
    question_result,
    run_each,
)
from agentkit.ledger import CallRecord
from agentkit.llm import LLM, EndpointPool, Model, connect
from agentkit.planners.auto import Policy
from agentkit.trace import TraceWriter, call_event


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


Call = dict[str, Any]
Item = TypeVar("Item")
Result = TypeVar("Result", bound=BaseModel)
SystemFactory = Callable[[Model, HotpotQuestion], System]
"""Builds a question's system in the worker; must pickle (a module-level class or function)."""


@dataclass(frozen=True)
class Job(Generic[Item, Result]):
    """What a worker does with one item: build the system on its own connection, run it,
    score the outcome. Everything here travels to the workers, so it must pickle."""

    name: str
    factory: Callable[[Model, Item], Callable[[Item, str], Awaitable[Outcome]]]
    score: Callable[[Item, Outcome, RunUsage, float], Result]
    id_attr: str  # the attribute holding the id, the same on an item and on its result
    result_type: type[Result]

    def key(self, obj: Item | Result) -> str:
        """The id of an item or of its result."""
        return str(getattr(obj, self.id_attr))


def hotpotqa_job(name: str, factory: SystemFactory) -> Job[HotpotQuestion, QuestionResult]:
    """`name` over HotpotQA questions, each system built by `factory` (e.g. `Named(name)`)."""
    return Job(name, factory, question_result(name), "id", QuestionResult)


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


def run_item(job: Job[Item, Result], endpoints: Endpoints, item: Item) -> tuple[str, list[Call]]:
    """The Ray task: one item on this worker's connection; its result as JSON and its model
    calls as trace lines (the driver's trace.jsonl gets them)."""
    key = endpoints.model_dump_json()
    llm = _MODELS.get(key)
    if llm is None:
        llm = _MODELS[key] = connect(
            endpoints.model, base_url=endpoints.base_url, system=endpoints.system
        )
        llm.run_sync(llm.ensure_ready())  # its tokenizer, before a system counts with it
    calls: list[Call] = []
    mine = f":{job.key(item)}"

    def keep(record: CallRecord, detail: dict[str, Any]) -> None:
        if record.labels.run.endswith(mine):
            calls.append(call_event(record, detail))

    run = run_each(
        job.name, job.factory(llm, item), [item], llm.ledger, job.score, key=job.key,
        concurrency=1,
    )  # fmt: skip
    stop = llm.ledger.subscribe(keep)
    try:
        [result] = llm.run_sync(run)
    finally:
        stop()
    return result.model_dump_json(), calls


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
    job: Job[Item, Result],
    items: list[Item],
    endpoints: Endpoints,
    *,
    settings: RaySettings | None = None,
    jsonl: Path | None = None,
    trace: TraceWriter | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """Every item as a Ray task; results in item order, each appended to `jsonl` as it comes
    back, and its model calls to `trace`. Blocks: call it from a thread in async code."""
    settings = settings or RaySettings()
    bar = progress.add_task(job.name, total=len(items)) if progress else None
    results: dict[str, Result] = {}
    with cluster(settings) as ray:
        task = ray.remote(num_cpus=settings.cpus_per_question, max_retries=settings.max_retries)(
            run_item
        )
        shared = ray.put(job), ray.put(endpoints)
        pending = {task.remote(*shared, item): job.key(item) for item in items}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=0.2)
            for ref in ready:
                key = pending.pop(ref)
                try:
                    done, calls = ray.get(ref)
                    result = job.result_type.model_validate_json(done)
                except ray.exceptions.RayError as exc:
                    for left in pending:
                        ray.cancel(left)
                    raise RemoteRunError(
                        f"{key} of {job.name} failed on the cluster: {exc}. The results so "
                        "far are kept; run the same command with --resume for the rest"
                    ) from exc
                results[key] = result
                if jsonl is not None:
                    resume.append(jsonl, result)
                if trace is not None:
                    for call in calls:
                        trace.write(call)
                if progress is not None and bar is not None:
                    progress.advance(bar)
    return [results[job.key(item)] for item in items]


async def run_job(
    job: Job[Item, Result],
    items: list[Item],
    llm: Model,
    jsonl: Path,
    *,
    system: Callable[[Item, str], Awaitable[Outcome]],
    concurrency: int,
    ray: RaySettings | None = None,
    keep: bool = False,
    trace: TraceWriter | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """`job` over `items`, in item order: here with `system` (built once, `concurrency` in
    flight), or as Ray tasks when `ray` is given (their model calls written to `trace`; a
    local run's reach it through the ledger). `keep` resumes: the results `jsonl` already
    holds count and only the rest run; otherwise the file starts empty."""
    if not keep:
        jsonl.unlink(missing_ok=True)
    done = resume.finished(jsonl, job.result_type, job.key)
    todo = [item for item in items if job.key(item) not in done]
    if ray is None:
        new = await run_each(
            job.name, system, todo, llm.ledger, job.score, key=job.key,
            concurrency=concurrency, jsonl=jsonl, progress=progress,
        )  # fmt: skip
    else:
        new = await asyncio.to_thread(
            run_on_ray, job, todo, endpoints_of(llm), settings=ray, jsonl=jsonl, trace=trace,
            progress=progress,
        )  # fmt: skip
    done.update((job.key(r), r) for r in new)
    return [done[job.key(item)] for item in items]
