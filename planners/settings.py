"""The planners' settings as validated models: each field says what it bounds, and a value out
of range is a ConfigError naming the field when the planner is built. The defaults stay in
the planners' constructors, whose keyword arguments these fields mirror."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError, model_validator

from agentkit.errors import ConfigError
from agentkit.settings import Settings, explain

__all__ = [
    "CodeAgentsSettings",
    "CodeConstraint",
    "Constraint",
    "ProgramLimits",
    "ReActSettings",
    "ReWOOSettings",
    "ReaderSettings",
    "SMRSettings",
]

Constraint = Literal["regex", "grammar", "none"]
CodeConstraint = Literal["grammar", "none"]


class ReActSettings(Settings):
    owner: ClassVar[str] = "ReAct"

    max_steps: int = Field(ge=1, description="model calls before the last, finish-only one")
    step_tokens: int = Field(ge=1, description="most tokens the model writes per step")
    role: str = Field(min_length=1, description="the ledger role of the step calls")


class ReaderSettings(Settings):
    owner: ClassVar[str] = "Reader"

    max_tokens: int = Field(ge=1, description="evidence tokens the call reads")
    answer_tokens: int = Field(ge=1, description="most tokens of the answer")
    logprobs: bool = Field(description="ask the server for the answer's token log-probabilities")
    compare: bool = Field(
        description="answer a choice question (A or B?) from each option's fact (compare.py)"
    )


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


class ProgramLimits(Settings):
    """What one CodeAgents program may use (planners/code/limits.py counts it). Passed whole
    as `CodeAgents(limits=ProgramLimits(max_steps=...))`, so its defaults live here."""

    owner: ClassVar[str] = "ProgramLimits"

    def __init__(self, **values: Any) -> None:
        """Built directly by users, so a bad value is a ConfigError here too."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(explain(self.owner, exc)) from exc

    max_chars: int = Field(8_000, ge=1, description="longest program source, in characters")
    max_nodes: int = Field(2_000, ge=1, description="most syntax nodes in a program")
    max_depth: int = Field(40, ge=2, description="deepest nesting of syntax nodes")
    max_steps: int = Field(20_000, ge=1, description="most evaluated nodes in one run")
    max_seconds: float = Field(
        5.0, gt=0, description="interpreting time of one run, tool calls not counted"
    )
    max_str: int = Field(20_000, ge=1, description="longest string a program builds")
    max_items: int = Field(2_000, ge=1, description="most elements of one list or dict")
    max_size: int = Field(100_000, ge=1, description="largest value, in units (deep)")
    max_alloc: int = Field(5_000_000, ge=1, description="units a run may build in all")
    max_int_bits: int = Field(4_096, ge=64, description="largest integer, in bits")
    max_while: int = Field(1_000, ge=1, description="most iterations of one while loop")
    max_tool_calls: int = Field(20, ge=0, description="most tool calls in one run")
    max_prints: int = Field(50, ge=0, description="most print() calls kept")


class CodeAgentsSettings(Settings):
    owner: ClassVar[str] = "CodeAgents"

    constraint: CodeConstraint = Field(
        description="how decoding keeps programs parseable: grammar (lark) or none (free text)"
    )
    plan_tokens: int = Field(ge=1, description="most tokens the planner writes")
    patch_tokens: int = Field(ge=1, description="most tokens of one patch")
    answer_tokens: int = Field(ge=1, description="most tokens the solver writes")
    max_replans: int = Field(ge=0, description="patch rounds after a failed run")
    solver: bool = Field(description="answer from the variables when the program does not")
    context_tokens: int | None = Field(
        ge=1, description="what a focus tool reads of a long text argument; None: all of it"
    )
    evidence_tokens: int | None = Field(
        ge=1, description="what the solver reads of all variables together; None: all"
    )
    value_chars: int = Field(ge=8, description="each variable's value in codified feedback")
    opening: str = Field(description="the lines every program starts with, before the planner's")
    focus_tools: tuple[str, ...] = Field(
        description="tools whose long text arguments are focused on their other arguments"
    )
    limits: ProgramLimits = Field(description="the interpreter's limits")


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
