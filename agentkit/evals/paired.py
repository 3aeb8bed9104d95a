"""How sure a difference between two systems is, on the same questions.

At 50 questions one answer is 2 F1 points, and vLLM batches concurrent requests
differently from run to run, so temperature 0 is not bit-stable: two runs of the same
system have differed by 2 answers (4 F1). A bar stated as "F1 +4" is therefore reported
with the paired bootstrap interval of the per-question differences, which says whether the
gap is larger than the questions' own spread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel
from scipy.stats import bootstrap

from agentkit.errors import ConfigError


class Difference(BaseModel):
    """`mean` of system minus baseline per question, with its `low`..`high` interval."""

    mean: float
    low: float
    high: float
    confidence: float
    n: int

    def render(self, scale: float = 100.0) -> str:
        """E.g. "+3.4 (95% CI -1.2..+8.0)", in points when the scores are shares."""
        m, lo, hi = (scale * v for v in (self.mean, self.low, self.high))
        return f"{m:+.1f} ({100 * self.confidence:.0f}% CI {lo:+.1f}..{hi:+.1f})"


def paired_difference(
    system: Sequence[float],
    baseline: Sequence[float],
    *,
    confidence: float = 0.95,
    resamples: int = 5000,
    seed: int = 0,
) -> Difference:
    """The mean per-question difference and its bootstrap (BCa) interval; the two lists
    hold scores of the same questions in the same order."""
    if len(system) != len(baseline):
        raise ConfigError(
            f"paired scores need the same questions: {len(system)} vs {len(baseline)}"
        )
    d = np.asarray(system, dtype=float) - np.asarray(baseline, dtype=float)
    if len(d) == 0:
        raise ConfigError("no questions to compare")
    mean = float(d.mean())
    if len(d) < 2 or np.all(d == d[0]):  # no spread: the interval is the point
        return Difference(mean=mean, low=mean, high=mean, confidence=confidence, n=len(d))
    ci = bootstrap(
        (d,),
        np.mean,
        confidence_level=confidence,
        n_resamples=resamples,
        random_state=np.random.default_rng(seed),
    ).confidence_interval
    return Difference(
        mean=mean, low=float(ci.low), high=float(ci.high), confidence=confidence, n=len(d)
    )


def paired_by_question(
    system: Mapping[str, float], baseline: Mapping[str, float], *, confidence: float = 0.95
) -> Difference:
    """`paired_difference` of scores keyed by question id; both must cover the same ids."""
    if system.keys() != baseline.keys():
        missing = sorted(set(system) ^ set(baseline))
        raise ConfigError(f"paired scores need the same questions; not in both: {missing[:5]}")
    ids = sorted(baseline)
    return paired_difference(
        [system[i] for i in ids], [baseline[i] for i in ids], confidence=confidence
    )
