"""`agentkit chat` driven in tmux as a person would: ask, watch the plan, the tool step and
the token meter, cancel a turn with Ctrl-C, complete a slash command with Tab, ask a
multi-line follow-up, quit. The model is scripted (tests/unit/chat_models.py), so the screen
is the same every time."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="needs tmux")


class Pane:
    """One tmux session on its own server, whose socket is in the test's folder, so a user's
    tmux is never touched and nothing is left behind."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        cmd = [str(TMUX), "-S", str(self.socket), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "chat", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "chat", "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "chat")

    def mark(self) -> int:
        """Where the next output starts: the line of the prompt now waiting."""
        return len(self.screen().rstrip().splitlines()) - 1

    def wait_for(self, text: str, timeout: float = 30.0, after: int = 0) -> str:
        """The screen from line `after` on, once `text` shows up there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = "\n".join(self.screen().rstrip().splitlines()[after:])
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")


def agentkit_command() -> list[str]:
    script = Path(sys.executable).parent / "agentkit"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from agentkit.cli import app; sys.exit(app())"]


@contextlib.contextmanager
def start_chat(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Pane]:
    pane = Pane(tmp_path / "tmux.sock")
    env = {"AGENTKIT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO), **(env or {})}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    chat = shlex.join([*agentkit_command(), "chat", *args])
    # -u: pytest's COLUMNS and LINES (80x24) would win over the pane's real size
    run = f"env -u COLUMNS -u LINES {exports} {chat}"
    shell = f'cd {shlex.quote(str(REPO))} && {run}; echo "[exit $?]"; sleep 60'
    pane.tmux("new-session", "-d", "-s", "chat", "-x", "120", "-y", "50", shell)
    try:
        yield pane
    finally:
        subprocess.run([str(TMUX), "-S", str(pane.socket), "kill-server"], capture_output=True)


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[Pane]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rush.md").write_text("# Rush\n\nNeil Peart was the drummer and lyricist of Rush.\n")
    (docs / "peart.txt").write_text("Neil Peart was born on September 12, 1952, in Hamilton.\n")
    model = "function:tests.unit.chat_models:scripted"
    with start_chat(tmp_path, "--model", model, "--docs", str(docs)) as pane:
        yield pane


def test_a_person_asks_cancels_switches_planner_and_quits(chat: Pane, tmp_path: Path):
    chat.wait_for("Ctrl-D leaves")

    mark = chat.mark()
    chat.type("Who drummed for Rush?")
    chat.keys("Enter")
    screen = chat.wait_for("answer Neil Peart", after=mark)
    assert "╭─ plan" in screen and "#E1 = search[Rush drummer]" in screen
    assert "✓ #1 search[Rush drummer] → rush.md: # Rush Neil Peart was the drummer" in screen
    for row in ("planner", "solver", "of 4,000 tokens", "session"):
        assert row in screen

    mark = chat.mark()
    chat.type("Tell me slowly about Rush")  # the scripted planner takes a minute over this
    chat.keys("Enter")
    chat.wait_for("thinking…", after=mark)
    chat.keys("C-c")
    screen = chat.wait_for("turn ", after=mark)
    assert "cancelled" in screen and "answer" not in screen
    planner = next(line for line in screen.splitlines() if line.strip().startswith("planner"))
    assert int(planner.split()[2].replace(",", "")) > 0  # the cancelled call's prompt, counted

    mark = chat.mark()
    chat.type("/pl")
    chat.keys("Tab")
    # completion runs off the key loop: a person sees it land before typing on (on busy cores,
    # text typed sooner arrives first and the completion is dropped)
    chat.wait_for("/planner", after=mark)
    chat.type("react")
    chat.keys("Enter")
    chat.wait_for("planner: react", after=mark)

    mark = chat.mark()
    chat.type("When was")
    chat.keys("Escape", "Enter")  # a second line
    chat.type("he born?")
    chat.keys("Enter")
    screen = chat.wait_for("answer September 12, 1952", after=mark)
    assert "I need his birth date." in screen  # ReAct's thought, over its step
    assert "✓ #1 search[Neil Peart born]" in screen
    assert "context: 1 earlier turns kept" in screen

    chat.type("/quit")
    chat.keys("Enter")
    chat.wait_for("[exit 0]")
    (tmp_path / "screen.txt").write_text(chat.screen())
