"""What a learned memory stores: an item's fields, its kind and where it came from.

Each item is one record of a vector-store collection: the record's text is what retrieval
embeds (the item as it is injected), the metadata is `ItemMeta`. Provenance says which runs
and questions wrote it, who judged them, how often it was used since, and how those runs
ended, so forgetting can act on evidence rather than age alone.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["behavior", "reasoning", "lesson", "concept", "exemplar"]
Judge = Literal["self", "gold", "none"]
Outcome = Literal["success", "failure", "unknown"]


class Parameter(BaseModel):
    """A typed parameter of an ArcMemo concept."""

    name: str = Field(description="the parameter's name")
    type: str = Field(default="", description="its type, e.g. 'str' or 'entity'")
    description: str = Field(default="", description="what it stands for")


class Provenance(BaseModel):
    """Where an item came from and what happened when it was used."""

    run_ids: list[str] = Field(default_factory=list, description="runs it was learned from")
    question_ids: list[str] = Field(default_factory=list, description="their questions' ids")
    judge: Judge = Field(default="none", description="who labelled the source run's outcome")
    outcome: Outcome = Field(default="unknown", description="the source run's outcome as judged")
    learned_at: float = Field(default_factory=time.time, description="Unix seconds")
    uses: int = Field(default=0, description="runs it was injected into")
    cited: int = Field(default=0, description="runs whose plan named it")
    used_successes: int = Field(default=0, description="judged runs that used it and succeeded")
    used_failures: int = Field(default=0, description="judged runs that used it and failed")

    @property
    def trust(self) -> float:
        """Laplace-smoothed success rate of the runs that used it (0.5 before any)."""
        return (self.used_successes + 1) / (self.used_successes + self.used_failures + 2)


class ItemMeta(BaseModel):
    """An item's fields. Which are filled depends on the kind: a behaviour has `name` and
    `content` (its instruction); a ReasoningBank item `title`, `description`, `content`; an
    ArcMemo lesson `situation` and `content` (the suggestion); a concept `name`,
    `concept_kind`, `parameters`, `cues` and `notes`; an exemplar `situation` (the question)
    and `content` (the plan that answered it, as the planner wrote it, or "Answer: ..." for
    a run that called no tool)."""

    kind: Kind
    name: str = ""
    title: str = ""
    description: str = ""
    content: str = ""
    situation: str = ""
    concept_kind: str = ""
    output: str = ""
    parameters: list[Parameter] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)

    @property
    def label(self) -> str:
        """The short name an item is listed and cited by."""
        return self.name or self.title or self.situation[:60]

    def render(self) -> str:
        """The item as the planner reads it: one compact line or a few."""
        if self.kind == "behavior":
            return f"{self.name}: {self.content}"
        if self.kind == "reasoning":
            return f"{self.title}: {self.description} {self.content}".strip()
        if self.kind == "lesson":
            return f"When {self.situation}: {self.content}"
        if self.kind == "exemplar":  # as a note, the steps say it: the prose is dropped
            return f"Question: {self.situation}\n{plan_steps(self.content)}"
        params = ", ".join(f"{p.name}: {p.type}" if p.type else p.name for p in self.parameters)
        kind = f" [{self.concept_kind}]" if self.concept_kind else ""
        lines = [f"{self.name}({params}){kind}"]
        lines += [f"  when: {'; '.join(self.cues)}"] if self.cues else []
        lines += [f"  note: {'; '.join(self.notes)}"] if self.notes else []
        return "\n".join(lines)

    def example(self) -> str:
        """The item in a planner's own example slot: an exemplar's plan whole, in the format
        the planner must write (ReWOO's "Plan:" lines included); other kinds as `render`."""
        if self.kind == "exemplar":
            return f"Question: {self.situation}\n{self.content}"
        return self.render()


def plan_lines(plan: str) -> list[str]:
    """A plan's lines as written, blank ones dropped."""
    return [line.rstrip() for line in plan.strip().splitlines() if line.strip()]


def plan_steps(plan: str) -> str:
    """A plan's steps, one per line: blank lines and ReWOO's "Plan:" descriptions dropped."""
    lines = plan_lines(plan)
    return "\n".join(line for line in lines if not line.lstrip().lower().startswith("plan:"))
