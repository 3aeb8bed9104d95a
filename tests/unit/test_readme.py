"""The README's Python samples run as written, against TestModel instead of a server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import agentkit
from agentkit.testing import TestModel

README = Path(__file__).resolve().parents[2] / "README.md"
SAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_samples():
    assert len(SAMPLES) >= 3


@pytest.mark.parametrize("code", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_each_sample_runs(code, monkeypatch, capsys):
    # `connect()` would start vLLM: the samples get a test model with the same interface
    monkeypatch.setattr(agentkit, "connect", lambda *a, **k: TestModel(custom_output_text="Paris"))
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(code, str(README), "exec"), namespace)  # our own documentation, not model text
    for value in namespace.values():
        if isinstance(value, agentkit.Agent):
            value.llm.close()
