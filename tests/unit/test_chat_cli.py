"""`agentkit run`, `trace show` and `index build|query` as a user types them; documents from
text, markdown and PDF files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentkit.chat.docs import chunks, read_folder
from agentkit.chat.index import cache_folder, open_index
from agentkit.cli import app

runner = CliRunner()


def minimal_pdf(text: str) -> bytes:
    """One page showing `text` in Helvetica: the smallest PDF a reader extracts text from."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def docs(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path / "home"))
    folder = tmp_path / "docs"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "notes.txt").write_text("hidden, never indexed")
    (folder / "rush.md").write_text("# Rush\n\nNeil Peart was the drummer of Rush.\n")
    (folder / "peart.pdf").write_bytes(minimal_pdf("Neil Peart was born in Hamilton."))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / "image.png").write_bytes(b"\x89PNG")
    return folder


def test_a_folder_reads_into_titled_chunks_pdf_included(docs):
    paragraphs, skipped = read_folder(docs)
    titles = {p.title: p.text for p in paragraphs}
    assert set(titles) == {"rush.md", "peart.pdf"}
    assert "born in Hamilton" in titles["peart.pdf"]
    assert len(skipped) == 1 and "broken.pdf" in skipped[0]


def test_chunks_break_at_headings_and_size():
    text = "# A\n\none two\n\nthree\n\n# B\n\n" + "\n\n".join(["w " * 30] * 5)
    parts = list(chunks(text, max_words=70))
    assert parts[0] == "# A\none two\nthree"
    assert parts[1].startswith("# B") and all(len(p.split()) <= 70 for p in parts[1:])


def test_the_index_is_saved_and_reused_until_a_file_changes(docs):
    first = open_index(docs)
    assert not first.loaded and (cache_folder(docs.resolve()) / "index.json").is_file()
    assert open_index(docs).loaded
    (docs / "rush.md").write_text("# Rush\n\nGeddy Lee sang.\n")
    again = open_index(docs)
    assert not again.loaded and "Geddy" in again.search("Geddy Lee")[0].passage.text


def test_index_build_and_query(docs):
    built = runner.invoke(app, ["index", "build", str(docs)])
    assert built.exit_code == 0, built.output
    said = " ".join(built.output.split())  # rich wraps long paths at the terminal width
    assert "indexed" in said and "2 files" in said and "skipped" in said
    found = runner.invoke(app, ["index", "query", str(docs), "Peart born", "--json", "-k", "1"])
    assert found.exit_code == 0, found.output
    [hit] = [json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")]
    assert hit["title"] == "peart.pdf"


def test_run_prints_one_json_object_and_the_trace_shows_as_a_tree(docs, tmp_path):
    trace = tmp_path / "run.jsonl"
    args = ["run", "Who drummed for Rush?", "--model", "test", "--docs", str(docs)]
    done = runner.invoke(app, [*args, "--json", "--trace", str(trace)])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["status"] == "ok" and result["planner"] == "rewoo"
    assert result["question"] == "Who drummed for Rush?" and result["total"]["calls"] == 2
    shown = runner.invoke(app, ["trace", "show", str(trace)])
    assert shown.exit_code == 0, shown.output
    tree = " ".join(shown.output.split())  # lines wrap at the runner's 80 columns
    assert "1 runs, 2 model calls" in tree and "call planner/plan" in tree
    raw = runner.invoke(app, ["trace", "show", str(trace), "--json"])
    assert [json.loads(x)["kind"] for x in raw.stdout.splitlines()][-1] == "agent_result"
    live = runner.invoke(app, args)
    screen = " ".join(live.output.split())
    assert live.exit_code == 0 and "plan" in screen and "of 4,000 tokens" in screen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "q", "--model", "test", "--planner", "magic"], "unknown planner 'magic'"),
        (["run", "q", "--model", "test", "--planner", "smr"], "smr searches documents"),
        (["run", "q", "--model", "function:nowhere:x"], "No module named 'nowhere'"),
        (["run", "q", "--model", "test", "--docs", "/no/such/dir"], "is not a folder"),
        (["trace", "show", "/no/such.jsonl"], "cannot read /no/such.jsonl"),
        (["index", "query", "/no/such/dir", "x"], "is not a folder"),
    ],
)
def test_errors_are_one_line_and_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))
    done = runner.invoke(app, args)
    assert done.exit_code == 2, done.output
    assert message in done.output and "Traceback" not in done.output
    assert done.output.strip().startswith("error:")


def test_a_trace_that_is_not_jsonl_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    done = runner.invoke(app, ["trace", "show", str(bad)])
    assert done.exit_code == 2 and "is not a JSONL trace" in done.output


@pytest.mark.parametrize("command", [[], ["chat"], ["run"], ["trace", "show"], ["index", "build"]])
def test_every_command_has_help(command):
    done = runner.invoke(app, [*command, "--help"])
    assert done.exit_code == 0 and "Usage" in done.output


def test_the_graph_index_searches_and_is_the_search_tool(docs):
    from agentkit.memory.store.embedders import HashingEmbedder

    index = open_index(docs, graph=True, embedder=HashingEmbedder(dim=64))
    assert index.graph is not None and "BM25 + graph" in index.describe()
    assert index.search("Peart born Hamilton", 1)[0].passage.title == "peart.pdf"
    assert index.search_tool().name == "search" and index.retriever is index.graph


def test_ctrl_c_cancels_a_run_which_still_reports_its_tokens(docs, tmp_path):
    repo = Path(__file__).resolve().parents[2]
    model = "function:tests.unit.chat_models:scripted"
    cmd = [sys.executable, "-c", "from agentkit.cli import app; app()", "run", "Tell me slowly"]
    started = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(repo), "CHAT_SLOW_STARTED": str(started)}
    proc = subprocess.Popen(
        [*cmd, "--model", model, "--docs", str(docs), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=repo,
    )
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    result = json.loads(out)
    assert (
        result["status"] == "cancelled" and result["usage"]["planner"]["usage"]["prompt_tokens"] > 0
    )
