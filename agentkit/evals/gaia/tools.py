"""The tools a GAIA task gets: code in the sandbox, its files, arithmetic, the web, and
optionally a corpus search; all over a scratch folder holding copies of its files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from agentkit.evals.gaia.loader import GaiaTask
from agentkit.memory.lexical import Corpus
from agentkit.text import PassageLike
from agentkit.tools import Tool, calculator_tool, search_tool
from agentkit.tools.files import read_file_tool
from agentkit.tools.python_exec import python_tool
from agentkit.tools.sandbox import Limits
from agentkit.tools.web import WebBackend, web_tools


def prepare_scratch(task: GaiaTask, root: str | Path) -> Path:
    """`root/<task_id>/` holding a copy of the task's attachment (readable by the sandbox's
    unprivileged uid); the original is never handed to a tool."""
    scratch = Path(root) / task.task_id
    scratch.mkdir(parents=True, exist_ok=True)
    os.chmod(scratch, 0o755)
    if task.file_path is not None:
        copy = scratch / task.file_name
        shutil.copyfile(task.file_path, copy)
        os.chmod(copy, 0o644)
    return scratch


def gaia_tools(
    task: GaiaTask,
    scratch_dir: str | Path,
    *,
    web: WebBackend | bool = True,
    corpus: Corpus | Iterable[PassageLike] | None = None,
    limits: Limits | None = None,
) -> list[Tool]:
    """python, read_file, calculator, web_search and web_fetch (unless `web` is False; a
    WebBackend replaces plain HTTP), and search over `corpus` when one is given.
    `scratch_dir` should come from prepare_scratch(task, root)."""
    del task  # the tools see the task only through its scratch folder
    tools = [
        python_tool(scratch_dir, limits=limits),
        read_file_tool(scratch_dir),
        calculator_tool(),
    ]
    if web is not False:
        tools += web_tools(None if web is True else web)
    if corpus is not None:
        tools.append(search_tool(corpus, k=3, max_tokens=400))
    return tools
