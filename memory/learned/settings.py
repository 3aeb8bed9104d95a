"""A learned memory's settings: what it injects, how much, how it learns and forgets."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MemorySettings(BaseModel):
    """Shared by the handbook, ReasoningBank and ArcMemo; each has its own defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top_k: int = Field(default=5, ge=1, le=50, description="items retrieved for a task")
    max_tokens: int = Field(
        default=200,
        ge=0,
        description="most tokens the notes block may take in the planner's prompt; items that "
        "do not fit are dropped whole, least relevant first",
    )
    example_tokens: int = Field(
        default=200,
        ge=0,
        description="the same cap for worked examples shown in place of the planner's own "
        "(Exemplars with ReWOO(learned_examples=True)): whole plans, prose included",
    )
    budget_share: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="when a run has an input or total token limit, the notes take at most this "
        "share of it (the smaller of this and max_tokens applies)",
    )
    min_similarity: float = Field(
        default=0.0,
        ge=-1,
        le=1,
        description="cosine similarity to the task below which an item is not injected",
    )
    merge_similarity: float = Field(
        default=0.9,
        ge=-1,
        le=1,
        description="a new item this similar to a stored one is merged into it, where the kind "
        "merges (behaviours, concepts, lessons); ReasoningBank appends, as the paper does",
    )
    max_items: int = Field(
        default=300,
        ge=1,
        description="the size cap: past it, the items with the least evidence of helping "
        "(lowest trust, then fewest uses, then oldest) are removed",
    )
    prune_failures: int = Field(
        default=3,
        ge=1,
        description="an item used by at least this many judged runs that failed ...",
    )
    prune_trust: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="... whose smoothed success rate is below this is pruned by forget()",
    )
    learn_tokens: int = Field(default=200, ge=16, description="max_tokens of a distiller reply")
    max_items_per_run: int = Field(default=3, ge=1, description="items one run may add")
    max_chars: int = Field(
        default=400,
        ge=20,
        description="a field longer than this makes its item an essay, which is dropped",
    )
    trace_chars: int = Field(
        default=2_000, ge=200, description="how much of a run a distiller reads, in characters"
    )
    structured: bool = Field(
        default=True,
        description="constrain distiller replies to their format (vLLM structured outputs); "
        "off for servers without them: replies are then repaired or dropped",
    )
