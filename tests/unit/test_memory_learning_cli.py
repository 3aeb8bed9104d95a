"""benchmarks/memory_learning.py refuses flags that would waste a learning run."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "memory_learning.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("memory_learning", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
