from agentkit.ledger import Ledger
from agentkit.trace import TraceWriter, read_trace
from agentkit.types import CallLabels, Completion, Usage


def _c(run: str, role: str, p: int, c: int, step: int = 0) -> Completion:
    return Completion(
        texts=["x"],
        usage=Usage(prompt_tokens=p, completion_tokens=c),
        model="m",
        latency_s=0.1,
        http_s=0.09,
        labels=CallLabels(run=run, role=role, step=step),
    )


def test_ledger_sums_by_run_role_and_step():
    led = Ledger()
    led.record(_c("a", "planner", 100, 10, 0))
    led.record(_c("a", "solver", 50, 5, 1))
    led.record(_c("a", "solver", 20, 2, 2))
    led.record(_c("b", "planner", 1, 1))
    assert led.total().usage.total_tokens == 189
    assert led.total(run="a").calls == 3
    by_role = led.by("role", run="a")
    assert by_role["solver"].usage.prompt_tokens == 70
    assert by_role["planner"].usage.completion_tokens == 10
    assert set(led.by("step", run="a")) == {"0", "1", "2"}
    assert set(led.by("run")) == {"a", "b"}


def test_unknown_group_key_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="unknown label"):
        Ledger().by("colour")


def test_trace_writes_one_line_per_call(tmp_path):
    led = Ledger()
    path = tmp_path / "t.jsonl"
    TraceWriter(path).attach(led)
    led.record(_c("a", "planner", 3, 4), messages=[{"role": "user", "content": "q"}])
    led.record(_c("a", "solver", 5, 6))
    rows = list(read_trace(path))
    assert [r["labels"]["role"] for r in rows] == ["planner", "solver"]
    assert rows[0]["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "cached_tokens": 0}
    assert rows[0]["messages"][0]["content"] == "q"
