"""The `python` tool: model-written code run in the bubblewrap sandbox (tools/sandbox.py).

Never run on the host: every call is a fresh sandbox with the task's files in its working
directory. A limit that ends a run is named in the observation, so the model can change its
approach (less memory, no network) instead of retrying the same code.
"""

from __future__ import annotations

import re
from pathlib import Path

from agentkit.tools.observation import Observation
from agentkit.tools.sandbox import Limits, RunResult, Sandbox
from agentkit.tools.tool import Tool

STDERR_TAIL = 1_500  # a traceback's last lines say what went wrong
_FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)\n?```\s*$", re.DOTALL)
DESCRIPTION = (
    "run a Python 3 program in a sandbox and see what it prints (no network; the task's "
    "files are in its working directory; each run starts afresh, so print what you need)"
)


def python_tool(
    files: str | Path | None = None,
    *,
    limits: Limits | None = None,
    name: str = "python",
    max_tokens: int | None = None,
) -> Tool:
    """A tool running code in a Sandbox over `files` (a folder, copied read-only into it)."""
    sandbox = Sandbox(files, limits)

    def python(code: str) -> Observation:
        """Run Python code in a sandbox.

        Args:
            code: a whole program; print() the values you need
        """
        return observe(sandbox.run(strip_fence(code)), name)

    timeout = sandbox.limits.wall_s + 15  # the sandbox enforces the wall clock itself
    return Tool(
        python, name=name, description=DESCRIPTION, timeout_s=timeout, max_tokens=max_tokens
    )


def strip_fence(code: str) -> str:
    """The code inside a ```python ... ``` fence, which models often write around it."""
    m = _FENCE.match(code)
    return m.group(1) if m else code


def observe(result: RunResult, name: str = "python") -> Observation:
    """What the model reads: the output, then the error (a limit or the traceback's end)."""
    parts = [result.stdout.rstrip()] if result.stdout.strip() else []
    if result.output_cut:
        parts.append("[output cut: print less]")
    stderr = result.stderr.strip()
    if result.ok:
        if stderr:
            parts.append(f"[stderr]\n{stderr[-STDERR_TAIL:]}")
        return Observation(text="\n".join(parts) or "(no output: print() the values you need)")
    error = f"{name}: {result.limit}" if result.limit else f"{name} exited with code "
    if not result.limit:
        error += str(result.exit_code)
    if stderr:
        parts.append(stderr[-STDERR_TAIL:])
    text = "\n".join([f"Error: {error}", *parts])
    return Observation(text=text, ok=False, error=error, latency_s=result.wall_s)
