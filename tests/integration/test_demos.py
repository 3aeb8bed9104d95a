"""Each demo as a user runs it: `python demos/NAME.py`, in a folder with no ../shared.

The demos that need the model get it through `connect()`, which reuses the server the
`qwen_llm` fixture keeps up for the session (same model name), so no demo starts its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
DEMOS = Path(__file__).resolve().parents[2] / "demos"


def run_demo(name: str, cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "AGENTKIT_HOTPOTQA"}
    env["COLUMNS"] = "200"  # rich tables on one line each, for the assertions
    done = subprocess.run(
        [sys.executable, str(DEMOS / name), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_hotpotqa_side_by_side(qwen_llm, tmp_path):
    out = run_demo("hotpotqa_side_by_side.py", tmp_path, "--n", "2", "--out", "run")
    assert "HotpotQA dev distractor (shipped, 200): 2 questions, distractor setting" in out
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert [(s["system"], s["n"], s["errors"]) for s in summary["systems"]] == [
        ("direct", 2, 0), ("reader", 2, 0), ("auto", 2, 0), ("codeagents", 2, 0),
        ("rewoo", 2, 0), ("react", 2, 0),
    ]  # fmt: skip
    for s in summary["systems"]:
        assert f"│ {s['system']} " in out and s["tokens_per_question"] > 0
    assert (tmp_path / "run" / "tokens_vs_f1.png").is_file()


def test_quickstart_calls_the_custom_tool(qwen_llm, tmp_path):
    out = run_demo("quickstart.py", tmp_path)
    assert "staff[" in out and "Grace Hopper: room 4.12, extension 4412" in out
    answer = next(line for line in out.splitlines() if line.startswith("Answer:"))
    assert "4412" in answer
    assert "planner" in out and "solver" in out  # the usage table, by role


def test_graph_retrieval_shows_both_selections(tmp_path):
    out = run_demo("graph_retrieval.py", tmp_path, "--budget", "150")
    assert "graph: {'entity':" in out
    for method in ("graph (PPR sentences)", "BM25 passages"):
        tokens = int(out.split(f"{method}: ")[1].split(" tokens")[0])
        assert 0 < tokens <= 150
    assert "Supporting sentences within 150 tokens" in out


def test_vector_memory_reopens_to_the_same_answers(tmp_path):
    first = run_demo("vector_memory.py", tmp_path, "--dir", "notes")
    assert "6 notes" in first and "same answers after reopening: yes" in first
    assert "{'topic': 'search', 'year': {'$lt': 2000}}" in first
    again = run_demo("vector_memory.py", tmp_path, "--dir", "notes")  # reopens, adds nothing
    assert "6 notes" in again and "same answers after reopening: yes" in again
