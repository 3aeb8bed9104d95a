"""Routers: which part of a run's shared memory each role reads, under the role's budget.

`RCRRouter` (RCR-Router, arXiv 2508.04903; its formula is not public, so this one is ours)
scores every unit u (a sentence or line of an item i) for role r at stage s with query q
(what the role must do now: the question, plus the error for a replanner):

    score(u) = 0.25 * ROLE[r][kind(i)]                 role relevance (table below)
             + 0.40 * max(0, cos(emb(u), emb(q)))      semantic relevance ("Title: text")
             + 0.15 * STAGE[s][kind(i)]                stage priority (table below)
             + 0.10 * 0.5 ** (round_now - round(i))    recency: halves each round
             + 0.10 * importance(i)                    set by the producer, in [0, 1]

A kind whose role relevance is 0 is never routed to that role, and units scoring under
`min_score` are left out. Units are then taken best first while the rendered context
(`memory.render`, counted exactly with the run's tokenizer) fits the role's budget
(`agentkit.packing.best_first`); each unit is a whole sentence, so nothing is cut inside
one. Ties go to the unit written first, so equal input routes the same way.

Baselines behind the same interface: `FullRouter` gives every role every item, whole
(no budget); `StaticRouter` gives each role a fixed slice (`SLICES`: the kinds its role
reads), in the order written, under the same budgets as RCR, scoring nothing. The task item
is never routed: every prompt states the question already.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from agentkit.errors import ConfigError
from agentkit.packing import best_first
from agentkit.planners.routing.memory import SharedMemory, Unit, default_embedder, render
from agentkit.planners.routing.record import RoutingRecord, UnitScore

if TYPE_CHECKING:
    from agentkit.memory.store.embedders import Embedder

ROLE: dict[str, dict[str, float]] = {
    # role x kind: how much a role ever needs a kind
    "planner": {"memory": 1.0, "feedback": 0.8, "subanswer": 0.5, "result": 0.4, "plan": 0.3},
    "replanner": {"feedback": 1.0, "subanswer": 0.9, "result": 0.6, "memory": 0.4, "plan": 0.3},
    "solver": {"subanswer": 1.0, "result": 0.9, "plan": 0.3, "memory": 0.2, "feedback": 0.2},
}
STAGE: dict[str, dict[str, float]] = {
    # stage x kind: what the run needs at this point
    "plan": {"memory": 1.0, "feedback": 0.6, "subanswer": 0.4, "result": 0.3, "plan": 0.2},
    "replan": {"feedback": 1.0, "subanswer": 0.8, "result": 0.6, "plan": 0.3, "memory": 0.3},
    "solve": {"subanswer": 1.0, "result": 1.0, "plan": 0.4, "feedback": 0.2, "memory": 0.2},
}
UNKNOWN = 0.5  # a role or stage not in a table: every kind alike
SLICES: dict[str, tuple[str, ...]] = {
    "planner": ("memory", "feedback"),
    "replanner": ("feedback", "subanswer"),
    "solver": ("subanswer", "result"),
}
BUDGETS: dict[str, int] = {"planner": 120, "replanner": 160, "solver": 200}
DEFAULT_BUDGET = 200


class Weights(BaseModel):
    """The weights of RCR's score (they sum to 1, so a score is in [0, 1])."""

    model_config = {"frozen": True}

    role: float = Field(default=0.25, ge=0)
    semantic: float = Field(default=0.40, ge=0)
    stage: float = Field(default=0.15, ge=0)
    recency: float = Field(default=0.10, ge=0)
    importance: float = Field(default=0.10, ge=0)
    decay: float = Field(default=0.5, gt=0, le=1, description="recency factor per round")


@dataclass(frozen=True)
class RoutedContext:
    text: str
    record: RoutingRecord


Ranked = list[tuple[int, UnitScore]]


class Router:
    """The interface: `route(memory, role, stage, query)` -> the role's context and a record.
    Subclasses choose the candidates and their order (`rank`) and the budgets."""

    name = "router"

    def __init__(
        self,
        *,
        budgets: Mapping[str, int | None] | None = None,
        default_budget: int | None = DEFAULT_BUDGET,
        max_rounds: int | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        """`budgets`: tokens per role (None: no limit), over BUDGETS; `max_rounds`: how many
        rounds a planner may run (None: the planner's own limit, e.g. CodeAgents'
        max_replans + 1); `embedder`: for semantic relevance (default: word hashing)."""
        if max_rounds is not None and max_rounds < 1:
            raise ConfigError(f"{self.name} max_rounds must be at least 1, got {max_rounds}")
        self.budgets: dict[str, int | None] = {**BUDGETS, **(budgets or {})}
        if any(b is not None and b < 0 for b in self.budgets.values()):
            raise ConfigError(f"{self.name} budgets cannot be negative: {self.budgets}")
        self.default_budget = default_budget
        self.max_rounds = max_rounds
        self.embedder = embedder or default_embedder()

    def budget(self, role: str) -> int | None:
        return self.budgets.get(role, self.default_budget)

    def memory(self, count: Callable[[str], int]) -> SharedMemory:
        """A new, empty shared memory for one run."""
        return SharedMemory(count=count, embedder=self.embedder)

    def rank(
        self, memory: SharedMemory, units: Sequence[Unit], role: str, stage: str, query: str
    ) -> Ranked:
        """(index into `units`, its score) of the candidates, best first."""
        raise NotImplementedError

    def route(
        self,
        memory: SharedMemory,
        role: str,
        stage: str,
        query: str,
        *,
        skip: Collection[int] = (),
    ) -> RoutedContext:
        """The context for `role` at `stage`: the best units that fit its budget, rendered in
        memory order. `skip`: ids of items the role's prompt already shows."""
        units = [u for u in memory.units() if u.item.kind != "task" and u.item.id not in skip]
        ranked = self.rank(memory, units, role, stage, query)
        budget = self.budget(role)

        def text_of(ids: Sequence[int]) -> str:
            return render([units[j] for j in ids], memory.notes_header)

        if budget is None:
            chosen = sorted(i for i, _ in ranked)
        else:
            chosen = best_first((i for i, _ in ranked), text_of, budget, memory.count)
        text = text_of(chosen)
        scores = dict(ranked)
        shown = sorted({units[j].item.id for j in chosen})
        record = RoutingRecord(
            router=self.name,
            role=role,
            stage=stage,
            round=memory.round,
            budget=budget,
            tokens=memory.count(text) if text else 0,
            items=shown,
            dropped=sorted({units[i].item.id for i, _ in ranked} - set(shown)),
            units=len(chosen),
            candidates=len(ranked),
            scores=[scores[j] for j in chosen],
        )
        return RoutedContext(text=text, record=record)


def _plain(unit: Unit) -> UnitScore:
    return UnitScore(item=unit.item.id, kind=unit.item.kind, title=unit.passage.title)


class FullRouter(Router):
    """Every role reads every item, whole, with no budget: the full-context baseline."""

    name = "full"

    def __init__(self, *, max_rounds: int | None = None, embedder: Embedder | None = None) -> None:
        super().__init__(max_rounds=max_rounds, embedder=embedder, default_budget=None)
        self.budgets = {}

    def rank(
        self, memory: SharedMemory, units: Sequence[Unit], role: str, stage: str, query: str
    ) -> Ranked:
        return [(i, _plain(u)) for i, u in enumerate(units)]


class StaticRouter(Router):
    """A fixed slice per role (`slices`: the kinds it reads; default SLICES), in the order
    written, under the role's budget: the static baseline. A role not in `slices` reads
    every kind."""

    name = "static"

    def __init__(
        self,
        *,
        slices: Mapping[str, Sequence[str]] | None = None,
        budgets: Mapping[str, int | None] | None = None,
        max_rounds: int | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        super().__init__(budgets=budgets, max_rounds=max_rounds, embedder=embedder)
        self.slices = {**SLICES, **(slices or {})}

    def rank(
        self, memory: SharedMemory, units: Sequence[Unit], role: str, stage: str, query: str
    ) -> Ranked:
        kinds = self.slices.get(role)
        return [
            (i, _plain(u)) for i, u in enumerate(units) if kinds is None or u.item.kind in kinds
        ]


class RCRRouter(Router):
    """Role-aware context routing: the score in the module docstring, best first under the
    role's budget."""

    name = "rcr"

    def __init__(
        self,
        *,
        weights: Weights | None = None,
        role_table: Mapping[str, Mapping[str, float]] | None = None,
        stage_table: Mapping[str, Mapping[str, float]] | None = None,
        min_score: float = 0.0,
        budgets: Mapping[str, int | None] | None = None,
        max_rounds: int | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        super().__init__(budgets=budgets, max_rounds=max_rounds, embedder=embedder)
        self.weights = weights or Weights()
        self.role_table = {**ROLE, **(role_table or {})}
        self.stage_table = {**STAGE, **(stage_table or {})}
        self.min_score = min_score

    def rank(
        self, memory: SharedMemory, units: Sequence[Unit], role: str, stage: str, query: str
    ) -> Ranked:
        if not units:
            return []
        w = self.weights
        vectors = memory.vectors()
        everything = memory.units()
        row = {id(u): i for i, u in enumerate(everything)}
        q = memory.embed(query)
        cosines = vectors @ q if len(q) == vectors.shape[1] else np.zeros(len(everything))
        roles = self.role_table.get(role)
        stages = self.stage_table.get(stage)
        scored: Ranked = []
        for i, u in enumerate(units):
            kind = u.item.kind
            r = roles.get(kind, 0.0) if roles is not None else UNKNOWN
            if r <= 0:
                continue
            s = max(0.0, float(cosines[row[id(u)]]))
            p = stages.get(kind, 0.0) if stages is not None else UNKNOWN
            t = w.decay ** max(0, memory.round - u.item.round)
            m = min(max(u.item.importance, 0.0), 1.0)
            total = w.role * r + w.semantic * s + w.stage * p + w.recency * t + w.importance * m
            if total < self.min_score:
                continue
            parts = UnitScore(
                item=u.item.id,
                kind=kind,
                title=u.passage.title,
                score=round(total, 4),
                role=r,
                semantic=round(s, 4),
                stage=p,
                recency=round(t, 4),
                importance=m,
            )
            scored.append((i, parts))
        scored.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return scored


ROUTERS: dict[str, type[Router]] = {"full": FullRouter, "static": StaticRouter, "rcr": RCRRouter}


def make_router(
    name: str,
    *,
    budgets: Mapping[str, int | None] | None = None,
    max_rounds: int | None = None,
    embedder: Embedder | None = None,
) -> Router:
    """A router by name, "full", "static" or "rcr"; `budgets` over BUDGETS (the full
    baseline has none)."""
    if name not in ROUTERS:
        raise ConfigError(f"unknown router {name!r}; choose from {', '.join(ROUTERS)}")
    if name == "full":
        return FullRouter(max_rounds=max_rounds, embedder=embedder)
    return ROUTERS[name](budgets=budgets, max_rounds=max_rounds, embedder=embedder)
