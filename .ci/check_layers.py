"""Check the layering contract in pyproject.toml against the package as it installs.

planners/, memory/ and tools/ become agentkit.planners|memory|tools only through the
package-dir mapping, so import-linter cannot see them in the source tree: this installs the
package into a temporary folder and lints that, with the editable install switched off
(`python -S`: no .pth files) so the real layout is what gets imported.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile"]
        subprocess.run([*pip, "--target", tmp, str(ROOT)], check=True, capture_output=True)
        env = {"PYTHONPATH": f"{tmp}:{sysconfig.get_paths()['purelib']}", "PATH": ""}
        cmd = [sys.executable, "-S", "-c", LINT, "--no-cache", str(ROOT / "pyproject.toml")]
        return subprocess.run(cmd, cwd=tmp, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
