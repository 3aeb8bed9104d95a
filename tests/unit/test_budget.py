import pytest
from pydantic import ValidationError

from agentkit.budget import Budget, Limits
from agentkit.errors import BudgetExceededError
from agentkit.types import Usage


def test_zero_budget_is_rejected_with_the_fix():
    with pytest.raises(ValidationError, match="leave it unset"):
        Limits(total_tokens=0)


def test_call_is_refused_before_exceeding_run_total():
    t = Budget(run=Limits(total_tokens=100)).tracker()
    r = t.reserve(prompt_tokens=40, max_tokens=20)
    t.settle(r, Usage(prompt_tokens=40, completion_tokens=20))
    with pytest.raises(BudgetExceededError, match="60 already spent"):
        t.reserve(prompt_tokens=30, max_tokens=20)
    # what fits exactly is still admitted, and then nothing more
    admitted = t.reserve(prompt_tokens=20, max_tokens=20)
    assert (admitted.input_tokens, admitted.output_tokens) == (20, 20)
    with pytest.raises(BudgetExceededError, match="100 already spent or reserved"):
        t.reserve(prompt_tokens=1, max_tokens=1)


def test_concurrent_reservations_count_against_the_limit():
    t = Budget(run=Limits(output_tokens=100)).tracker()
    t.reserve(10, 60)
    with pytest.raises(BudgetExceededError):
        t.reserve(10, 60)


def test_settle_replaces_worst_case_with_actual_usage():
    t = Budget(run=Limits(output_tokens=100)).tracker()
    r = t.reserve(10, 90)
    t.settle(r, Usage(prompt_tokens=10, completion_tokens=5))
    t.reserve(10, 90)  # only 5 were really spent
    assert t.spent.completion_tokens == 5
    t.reserve(1, 5)  # 5 spent + 90 + 5 reserved = 100: fits exactly
    with pytest.raises(BudgetExceededError, match="output_tokens limit is 100"):
        t.reserve(1, 1)


def test_failed_call_releases_its_reservation():
    t = Budget(run=Limits(input_tokens=50)).tracker()
    r = t.reserve(40, 1)
    t.settle(r, None)
    assert t.spent == Usage() and t.requests == 1
    t.reserve(40, 1)  # the failed call's 40 were released
    with pytest.raises(BudgetExceededError, match="40 already spent or reserved"):
        t.reserve(11, 1)


def test_per_call_limits():
    t = Budget(call=Limits(input_tokens=10, output_tokens=5)).tracker()
    with pytest.raises(BudgetExceededError, match="per-call input_tokens"):
        t.reserve(11, 1)
    with pytest.raises(BudgetExceededError, match="max_tokens"):
        t.reserve(1, 6)


def test_request_limit():
    t = Budget(run=Limits(requests=2)).tracker()
    t.reserve(1, 1)
    t.reserve(1, 1)
    with pytest.raises(BudgetExceededError, match="requests limit 2"):
        t.reserve(1, 1)


def test_wall_time_limit(monkeypatch):
    t = Budget(run=Limits(wall_time_s=5)).tracker()
    monkeypatch.setattr(t, "started", t.started - 10)
    with pytest.raises(BudgetExceededError, match="wall_time_s"):
        t.reserve(1, 1)
