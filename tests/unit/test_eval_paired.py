"""The paired bootstrap interval that benchmark bars report beside a difference in F1."""

from __future__ import annotations

import pytest

from agentkit.errors import ConfigError
from agentkit.evals.paired import paired_by_question, paired_difference


def test_a_clear_gain_has_an_interval_above_zero_around_its_mean():
    system = [1.0, 1.0, 0.5, 0.0, 1.0] * 10
    baseline = [0.0, 1.0, 0.5, 0.0, 0.0] * 10
    d = paired_difference(system, baseline)
    assert d.mean == pytest.approx(0.4) and d.n == 50
    assert 0 < d.low < d.mean < d.high < 1
    assert d.render() == f"+40.0 (95% CI +{100 * d.low:.1f}..+{100 * d.high:.1f})"


def test_two_answers_of_fifty_are_not_a_difference():
    """What two runs of the same system differed by: 2 answers, 4 F1 points."""
    baseline = [1.0] * 20 + [0.0] * 30
    system = [0.0, 0.0, *baseline[2:]]
    d = paired_difference(system, baseline)
    assert d.mean == pytest.approx(-0.04)
    assert d.low < d.mean < d.high
    assert d.high >= 0  # the interval does not exclude no difference


def test_the_same_scores_and_the_same_seed_give_the_same_interval():
    a, b = [0.2, 0.9, 0.4, 1.0, 0.0, 0.7], [0.1, 0.8, 0.9, 0.3, 0.0, 0.2]
    assert paired_difference(a, b) == paired_difference(a, b)
    same = paired_difference(a, a)
    assert (same.mean, same.low, same.high) == (0, 0, 0)


def test_unpaired_or_empty_scores_are_refused():
    with pytest.raises(ConfigError, match="same questions"):
        paired_difference([1.0, 0.0], [1.0])
    with pytest.raises(ConfigError, match="no questions"):
        paired_difference([], [])


def test_scores_keyed_by_question_are_paired_by_id_not_by_order():
    system = {"q2": 1.0, "q1": 0.0, "q3": 0.5}
    baseline = {"q1": 0.0, "q3": 0.5, "q2": 0.0}
    assert paired_by_question(system, baseline) == paired_difference([0, 1, 0.5], [0, 0, 0.5])
    with pytest.raises(ConfigError, match="not in both: \\['q4'\\]"):
        paired_by_question({**system, "q4": 1.0}, baseline)
