"""The shipped HotpotQA sample, the official-format loader, and the sha256-checked download
(served from 127.0.0.1: the tests never leave the machine)."""

import hashlib
import json
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from agentkit.cli import app
from agentkit.errors import DownloadError
from agentkit.evals import download, hotpotqa

SHIPPED_SHA256 = "62440410eb344d01a4943f80b5530457ada1eb0e30e75190ae27baecbc37d0fb"


def test_the_default_is_the_shipped_sample_with_its_licence_note(monkeypatch):
    monkeypatch.delenv("AGENTKIT_HOTPOTQA", raising=False)
    assert hotpotqa.default_path() == hotpotqa.SHIPPED
    assert hashlib.sha256(hotpotqa.SHIPPED.read_bytes()).hexdigest() == SHIPPED_SHA256
    questions = hotpotqa.load()
    assert len(questions) == 200 and len({q.id for q in questions}) == 200
    assert sum(q.type == "bridge" for q in questions) == 134
    note = (hotpotqa.SHIPPED.parent / "README.md").read_text()
    assert "CC BY-SA 4.0" in note and SHIPPED_SHA256 in note and "Unmodified" in note


def test_the_environment_variable_still_points_elsewhere(monkeypatch, tmp_path):
    other = tmp_path / "mine.jsonl"
    other.write_text(hotpotqa.SHIPPED.read_text().splitlines()[5] + "\n")
    monkeypatch.setenv("AGENTKIT_HOTPOTQA", str(other))
    assert [q.id for q in hotpotqa.load()] == [hotpotqa.load(hotpotqa.SHIPPED, n=1, offset=5)[0].id]
    assert hotpotqa.data_label() == "mine.jsonl"


def test_the_official_json_array_reads_like_the_jsonl(tmp_path):
    rows = [json.loads(line) for line in hotpotqa.SHIPPED.read_text().splitlines()[:4]]
    official = tmp_path / "hotpot_dev_distractor_v1.json"
    official.write_text("\n " + json.dumps(rows))
    assert hotpotqa.load(official, n=2, offset=1) == hotpotqa.load(hotpotqa.SHIPPED, n=2, offset=1)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"_id": "x"}]')
    with pytest.raises(hotpotqa.ConfigError, match=r"broken\.json:1 is not an official"):
        hotpotqa.load(broken)


def test_titles_name_the_data(tmp_path, monkeypatch):
    monkeypatch.delenv("AGENTKIT_HOTPOTQA", raising=False)
    assert hotpotqa.data_label() == "HotpotQA dev distractor (shipped, 200)"
    assert hotpotqa.data_label(hotpotqa.SHIPPED) == hotpotqa.SHIPPED_LABEL
    assert hotpotqa.data_label(tmp_path / "hotpot_dev_distractor_v1.json") == (
        "hotpot_dev_distractor_v1.json"
    )


@pytest.fixture
def served(tmp_path, monkeypatch):
    """An 'official' file (5 shipped records, one altered) on a local HTTP server; URL and
    hash point at it and AGENTKIT_HOME at a temporary folder. Yields the request log."""
    rows = [json.loads(line) for line in hotpotqa.SHIPPED.read_text().splitlines()[:5]]
    rows[0]["answer"] = "altered"
    body = json.dumps(rows).encode()
    site = tmp_path / "site"
    site.mkdir()
    (site / "dev.json").write_bytes(body)
    log: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            log.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(download, "URL", f"http://127.0.0.1:{server.server_port}/dev.json")
    monkeypatch.setattr(download, "SHA256", hashlib.sha256(body).hexdigest())
    yield log
    server.shutdown()


def test_download_verifies_and_is_reused(served, tmp_path):
    path = download.download()
    assert path == tmp_path / "home" / "data" / "hotpotqa" / download.NAME
    assert [q.id for q in hotpotqa.load(path)] == [q.id for q in hotpotqa.load(n=5)]
    assert download.download() == path and len(served) == 1  # verified copy: no new request
    assert download.check_shipped(path) == (4, 200)  # 4 of the 5 served records are identical
    assert [p.name for p in path.parent.iterdir()] == [download.NAME]


def test_a_wrong_hash_keeps_nothing(served, monkeypatch):
    monkeypatch.setattr(download, "SHA256", "0" * 64)
    with pytest.raises(DownloadError, match="not the published"):
        download.download()
    assert list(download.official_path().parent.iterdir()) == []


def test_the_cli_download_reports_the_check(served):
    result = CliRunner().invoke(app, ["data", "download", "hotpotqa"])
    assert result.exit_code == 0, result.output
    assert "4 identical to their official records" in result.output


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


@pytest.mark.parametrize(
    "args", [["data", "download", "hotpotqa"], ["eval", "hotpotqa", "--download", "-n", "1"]]
)
def test_offline_is_one_clear_error(args, monkeypatch, tmp_path):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))
    monkeypatch.setattr(download, "URL", f"http://127.0.0.1:{_dead_port()}/dev.json")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: could not download"), lines
    assert "--data PATH" in lines[0] and "Traceback" not in result.output
    assert not list((tmp_path / "data" / "hotpotqa").iterdir())
