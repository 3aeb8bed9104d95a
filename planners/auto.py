"""Spend tokens only where they pay: read once, escalate only when the read looks wrong.

`Auto` answers every question with the budgeted `Reader` (one call) and asks a small learned
`Policy` how likely that answer is right, from signals the read already paid for: the
answer's token log-probabilities, whether the answer appears in the evidence, its form, the
question's form (comparison, yes/no, bridge), how much evidence was found and whether a
choice question was decided in code. Under the policy's threshold it escalates to a planner
(CodeAgents by default), which re-does the question with tools; a planner that comes back
empty leaves the read's answer. The plan text records the decision, the probability and what
each stage cost (tokens by role are in the ledger: "reader" for the read, the planner's
roles for the escalation). The read uses the evidence budget the policy was fitted with.

After DiffAdapt and Route-To-Reason (a cheap probe picks the strategy per question): the
probe here is a logistic regression fitted on labelled questions (`fit_policy`;
`agentkit eval auto-fit` does it on your own data) and saved as JSON (no pickle).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agentkit.errors import ConfigError, PlannerError
from agentkit.paths import atomic_write_text
from agentkit.planners.base import Planner, PlannerOutput
from agentkit.planners.code.planner import CodeAgents, unusable
from agentkit.planners.context import RunContext
from agentkit.planners.reader import Reader, Reading

__all__ = ["FEATURES", "Auto", "Policy", "features", "fit_policy"]

FEATURES = (
    "mean_logprob",
    "min_logprob",
    "answer_words",
    "answer_in_evidence",
    "yes_no_answer",
    "no_answer",
    "comparison_question",
    "yes_no_question",
    "evidence_pages",
    "evidence_fill",
    "computed_answer",
)
_YES_NO_Q = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", re.I
)
_COMPARISON = re.compile(r"\b\w[\w .'&-]*,?\s+or\s+\w", re.I)
_WORD = re.compile(r"\w+")


def features(question: str, reading: Reading) -> dict[str, float]:
    """The policy's inputs, all available once the read is done (no extra call)."""
    answer = reading.answer.strip()
    lps = reading.logprobs or []
    said = {w.lower() for w in _WORD.findall(reading.evidence.text)}
    words = [w.lower() for w in _WORD.findall(answer)]
    titles = {u.title for u in reading.evidence.units}
    budget = max(reading.evidence.budget, 1)
    return {
        "mean_logprob": sum(lps) / len(lps) if lps else 0.0,
        "min_logprob": min(lps) if lps else 0.0,
        "answer_words": float(len(words)),
        "answer_in_evidence": sum(w in said for w in words) / len(words) if words else 0.0,
        "yes_no_answer": float(answer.lower() in {"yes", "no"}),
        "no_answer": float(unusable(answer)),
        "comparison_question": float(bool(_COMPARISON.search(question))),
        "yes_no_question": float(bool(_YES_NO_Q.match(question))),
        "evidence_pages": float(len(titles)),
        "evidence_fill": reading.evidence.tokens / budget,
        "computed_answer": float(reading.how == "computed"),
    }


class Policy(BaseModel):
    """P(the read is right) = logistic(coef · standardised features + intercept); Auto
    escalates when it is under `threshold`. Fitted per model: log-probabilities of another
    model sit on another scale."""

    features: list[str] = Field(description="the inputs, in the order of `coef`")
    mean: list[float] = Field(description="each feature's mean on the fitting questions")
    scale: list[float] = Field(description="each feature's standard deviation there")
    coef: list[float] = Field(description="the logistic regression's weights")
    intercept: float = Field(description="its intercept")
    threshold: float = Field(ge=0.0, le=1.0, description="escalate under this probability")
    read_tokens: int | None = Field(
        default=None, ge=1, description="evidence tokens of the reads it was fitted on; Auto "
        "reads with this budget (None: the reader's own)",
    )  # fmt: skip
    fitted_on: str = Field(description="what it learned from (data, questions, model)")

    def p_right(self, values: dict[str, float]) -> float:
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (values.get(name, 0.0) - m) / s
        return 1.0 / (1.0 + math.exp(-z))

    def save(self, path: str | Path) -> Path:
        """Written atomically as JSON."""
        return atomic_write_text(Path(path), self.model_dump_json(indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        p = Path(path)
        try:
            return cls.model_validate_json(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"no policy file at {p}; fit one with `agentkit eval auto-fit --out {p}`"
            ) from None
        except (ValidationError, ValueError) as exc:
            raise ConfigError(
                f"{p} is not an Auto policy ({exc.__class__.__name__}): refit it"
            ) from None


def fit_policy(
    rows: Sequence[dict[str, float]],
    right: Sequence[bool],
    *,
    threshold: float,
    fitted_on: str,
    names: Sequence[str] = FEATURES,
) -> Policy:
    """A logistic regression (scikit-learn, L2) of `right` on the feature rows."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(right)) < 2:
        raise ConfigError("fitting a policy needs both right and wrong reads among the questions")
    x = np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, np.array(right))
    return Policy(
        features=list(names),
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=model.coef_[0].tolist(),
        intercept=float(model.intercept_[0]),
        threshold=threshold,
        fitted_on=fitted_on,
    )


class Auto:
    name = "auto"

    def __init__(self, reader: Reader, policy: Policy, escalate: Planner | None = None) -> None:
        """`escalate` (default CodeAgents) re-does the questions the policy doubts; it uses
        the run's tools (a search tool over the same documents as the reader's evidence)."""
        self.reader = reader
        self.policy = policy
        self.escalate: Planner = escalate or CodeAgents()

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        reading = await self.reader.read(question, ctx, max_tokens=self.policy.read_tokens)
        p = self.policy.p_right(features(question, reading))
        read = f"read {reading.evidence.tokens} evidence tokens ({reading.tokens} tokens)"
        if p >= self.policy.threshold:
            return PlannerOutput(
                answer=reading.answer,
                plan=f"auto: {read}; P(right) {p:.2f} >= {self.policy.threshold:.2f}: kept",
            )
        why = f"auto: {read}; P(right) {p:.2f} < {self.policy.threshold:.2f}: "
        try:
            out = await self.escalate.run(question, ctx)
        except PlannerError as exc:  # the read still stands
            out = PlannerOutput(answer="", plan=f"# {type(exc).__name__}: {exc}")
        if unusable(out.answer):
            return PlannerOutput(
                answer=reading.answer,
                plan=f"{why}escalated to {self.escalate.name}, which found nothing: kept\n"
                f"{out.plan or ''}",
            )
        return PlannerOutput(
            answer=out.answer, plan=f"{why}escalated to {self.escalate.name}\n{out.plan or ''}"
        )
