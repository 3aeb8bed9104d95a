"""benchmarks/memory_learning.py refuses flags that would waste a learning run."""

import re
import sys

import pytest

from tests.unit.benchmark_scripts import load


@pytest.fixture(scope="module")
def script():
    return load("memory_learning")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--learn-only"], "--learn-only keeps nothing without --stores DIR"),
        (["--systems", "none,rag"], "unknown systems ['rag']"),
    ],
)
def test_bad_flags_stop_before_any_model_call(script, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "argv", ["memory_learning.py", *argv])
    monkeypatch.setattr(script, "main_async", pytest.fail)  # reached only past the checks
    with pytest.raises(SystemExit, match=re.escape(message)):
        script.main()
