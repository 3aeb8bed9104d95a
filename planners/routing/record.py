"""What a router gave one role at one stage, and why: kept on the run (RunContext.routing),
sent as a `Routed` event, and written to an agent's trace."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnitScore(BaseModel):
    """One routed sentence (or line): its item, and its score with each term before weighting
    (all in [0, 1]); the baselines, which do not score, leave the terms at 0."""

    item: int
    kind: str
    title: str
    score: float = 0.0
    role: float = 0.0
    semantic: float = 0.0
    stage: float = 0.0
    recency: float = 0.0
    importance: float = 0.0


class RoutingRecord(BaseModel):
    router: str
    role: str
    stage: str
    round: int
    budget: int | None = Field(description="the role's token budget; None: no limit")
    tokens: int = Field(description="the routed text, counted with the run's tokenizer")
    items: list[int] = Field(default_factory=list, description="items with a unit shown")
    dropped: list[int] = Field(
        default_factory=list, description="candidate items with no unit shown"
    )
    units: int = Field(default=0, description="units shown")
    candidates: int = Field(default=0, description="units the role could have been shown")
    scores: list[UnitScore] = Field(default_factory=list, description="the units shown")
