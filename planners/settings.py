"""The planners' settings as validated models: each field says what it bounds, and a value out
of range is a ConfigError naming the field when the planner is built. The defaults stay in
the planners' constructors, whose keyword arguments these fields mirror."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from agentkit.settings import Settings

__all__ = ["Constraint", "ReActSettings", "ReWOOSettings", "SMRSettings"]

Constraint = Literal["regex", "grammar", "none"]


class ReActSettings(Settings):
    owner: ClassVar[str] = "ReAct"

    max_steps: int = Field(ge=1, description="model calls before the last, finish-only one")
    step_tokens: int = Field(ge=1, description="most tokens the model writes per step")
    role: str = Field(min_length=1, description="the ledger role of the step calls")


class ReWOOSettings(Settings):
    owner: ClassVar[str] = "ReWOO"

    max_steps: int = Field(ge=1, description="most tool calls in a plan")
    constraint: Constraint = Field(
        description="how decoding keeps the plan parseable: regex, grammar or none (free text)"
    )
    plan_tokens: int = Field(ge=1, description="most tokens the planner writes")
    answer_tokens: int = Field(ge=1, description="most tokens the solver writes")
    evidence_tokens: int | None = Field(
        ge=1, description="what the solver reads of all evidence together; None: all of it"
    )
    ref_tokens: int | None = Field(
        ge=1, description="what a later step reads of a result it uses; None: all of it"
    )
    skip_unread: tuple[str, ...] = Field(
        description="tools whose steps are not run when no later step reads their result"
    )


class SMRSettings(Settings):
    owner: ClassVar[str] = "SMR"

    top_k: int = Field(ge=1, description="documents each search adds")
    max_docs: int = Field(ge=1, description="longest the ranked document list gets")
    max_steps: int = Field(ge=1, description="most actions before the search stops")
    max_failures: int = Field(ge=1, description="unusable replies before the search stops")
    doc_tokens: int = Field(ge=1, description="each document as shown to the model")
    action_tokens: int = Field(ge=1, description="most tokens of one action")
    answer_docs: int = Field(ge=1, description="top documents the answer call reads")
    answer_context_tokens: int = Field(ge=1, description="those documents together")
    answer_tokens: int = Field(ge=1, description="most tokens of the answer")

    @model_validator(mode="after")
    def _top_k_fits(self) -> SMRSettings:
        if self.top_k > self.max_docs:
            raise ValueError(f"top_k ({self.top_k}) must be at most max_docs ({self.max_docs})")
        return self
