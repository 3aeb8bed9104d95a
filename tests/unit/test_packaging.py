"""A normal (non-editable) install must carry planners/, memory/ and tools/ under agentkit."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_maps_subpackages_under_agentkit_and_ships_prompts(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    warnings = [ln for ln in built.stdout.splitlines() if "Warning" in ln]
    assert not warnings, warnings  # e.g. prompt folders not declared as packages
    [wheel] = tmp_path.glob("agentkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("agentkit-")}
    assert tops == {"agentkit"}, tops  # nothing generic like `memory` at the top level
    packages = ("planners", "memory", "memory/store", "memory/graph", "tools", "llm", "evals")
    for pkg in (*packages, "testing"):
        assert f"agentkit/{pkg}/__init__.py" in names
    prompts = [n for n in names if n.endswith(".txt")]
    assert any(n.startswith("agentkit/planners/prompts/") for n in prompts)
    assert "agentkit/planners/prompts/reader.txt" in prompts
    for shipped in ("hotpot_dev_distractor_200.jsonl", "README.md", "auto_qwen2.5-coder-1.5b.json"):
        assert f"agentkit/evals/data/{shipped}" in names
    for shipped in ("metadata.jsonl", "README.md", "staff.xlsx", "roads.docx", "order_7731.pdf"):
        assert f"agentkit/evals/data/gaia_tasks/{shipped}" in names  # GAIA-style, ours


def test_editable_install_imports_the_mapped_packages():
    import agentkit.memory
    import agentkit.planners
    import agentkit.tools

    for mod in (agentkit.planners, agentkit.memory, agentkit.tools):
        assert Path(mod.__file__).parent.parent == REPO
