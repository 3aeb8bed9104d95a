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


def test_old_runs_roll_up_so_a_long_lived_ledger_stays_bounded():
    led = Ledger(max_runs=3)
    for i in range(1000):
        led.record(_c(f"run{i}", "planner" if i % 2 else "solver", 10, 1, step=i % 4))
    assert len(led.records()) == 3  # only the newest three runs keep their records
    assert set(led.by("run")) == {"run997", "run998", "run999"}
    assert led.total().calls == 1000 and led.total().usage.total_tokens == 11_000
    by_role = led.by("role")
    assert by_role["planner"].calls == 500 and by_role["solver"].usage.prompt_tokens == 5000
    assert led.total(run="run5").calls == 0 and led.total(run="run999").calls == 1


def test_a_listener_can_unsubscribe_and_a_trace_can_detach(tmp_path):
    led, seen = Ledger(), []
    stop = led.subscribe(lambda rec, detail: seen.append(rec.labels.run))
    path = tmp_path / "t.jsonl"
    trace = TraceWriter(path).attach(led)
    led.record(_c("a", "planner", 1, 1))
    stop()
    trace.detach()
    led.record(_c("b", "planner", 1, 1))
    assert seen == ["a"]
    assert [r["labels"]["run"] for r in read_trace(path)] == ["a"]


def test_max_runs_must_be_positive():
    import pytest

    with pytest.raises(ValueError, match="max_runs"):
        Ledger(max_runs=0)
