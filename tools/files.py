"""The `read_file` tool: a task's files as text, confined to one folder.

Paths are resolved (symlinks and `..` included) and must stay inside the folder; an
absolute path is accepted only when it points inside it (or is written as the sandbox's
/scratch, where the python tool sees the same files). Output is capped to the tool's
token budget, with a marker saying so.
"""

from __future__ import annotations

from pathlib import Path

from agentkit.tools.readers import UnreadableError, read_document
from agentkit.tools.sandbox import SCRATCH
from agentkit.tools.tool import Tool

DESCRIPTION = "read a file of the task (txt, csv, json, xlsx, pdf, docx) as text"


class OutsideError(ValueError):
    """A path outside the allowed folder."""


def resolve_inside(root: Path, name: str) -> Path:
    """`name` as a path inside `root`, or OutsideError saying which files there are."""
    root = root.resolve()
    name = name.strip().strip("'\"`")
    if name == SCRATCH or name.startswith(SCRATCH + "/"):
        name = name[len(SCRATCH) :].lstrip("/")
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise OutsideError(f"{name!r} is outside the task's files; {_listing(root)}")
    if not path.is_file():
        raise FileNotFoundError(f"no file {name!r}; {_listing(root)}")
    return path


def _listing(root: Path) -> str:
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return f"the files are: {', '.join(names[:30])}" if names else "there are no files"


def read_file_tool(root: str | Path, *, max_tokens: int = 1500, name: str = "read_file") -> Tool:
    """A tool reading files under `root` (the task's folder), capped to `max_tokens`."""
    folder = Path(root)

    def read_file(path: str) -> str:
        """Read a file of the task.

        Args:
            path: the file's name, e.g. data.xlsx
        """
        found = resolve_inside(folder, path)
        try:
            text = read_document(found)
        except UnreadableError:
            raise
        except Exception as exc:  # a damaged file: the library's message, named
            raise UnreadableError(f"cannot read {path!r}: {type(exc).__name__}: {exc}") from exc
        return text if text.strip() else f"{path!r} has no text"

    return Tool(read_file, name=name, description=DESCRIPTION, max_tokens=max_tokens)
