"""Local server state: a stale file never makes agentkit attach to, or signal, a stranger."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator

import pytest

from agentkit.llm.server import ServerConfig, ServerState, VLLMServer, list_servers
from agentkit.paths import servers_dir


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))


@pytest.fixture
def healthy_port() -> Iterator[int]:
    """Something else that answers /health on loopback, as a foreign server would."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _stale_state(name: str, pid: int, port: int, started: int | None) -> VLLMServer:
    srv = VLLMServer(ServerConfig(model="m", served_name=name))
    servers_dir().mkdir(parents=True, exist_ok=True)
    state = ServerState(
        name=name, pid=pid, base_url=f"http://127.0.0.1:{port}", model_dir="/m", log="/l",
        started=started,
    )  # fmt: skip
    srv.state_file.write_text(state.model_dump_json())
    return srv


@pytest.mark.parametrize("started", [None, 1])  # an old state file, or a reused PID
def test_a_stale_state_file_is_neither_reused_nor_signalled(healthy_port, started):
    stranger = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        srv = _stale_state("qwen", stranger.pid, healthy_port, started)
        assert srv.find_running() is None  # not attached to whatever answers on that port
        assert list_servers() == []
        srv.stop()
        assert stranger.poll() is None  # the unrelated process is still running
        assert not srv.state_file.exists()  # and the stale record is gone
    finally:
        stranger.kill()
        stranger.wait()


def test_a_recorded_process_with_its_own_start_time_counts_as_ours(healthy_port):
    from agentkit.llm.server import _start_time

    ours = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        srv = _stale_state("qwen", ours.pid, healthy_port, _start_time(ours.pid))
        assert srv.find_running() is not None
        srv.stop(timeout_s=5)
        assert ours.wait(timeout=5) is not None  # stopped: it was the one we recorded
    finally:
        if ours.poll() is None:
            ours.kill()


@pytest.mark.parametrize("name", ["../../..", "/etc/passwd", "Qwen/Qwen2.5-7B", ".hidden"])
def test_served_names_cannot_put_state_outside_the_servers_folder(name):
    srv = VLLMServer(ServerConfig(model="m", served_name=name))
    for path in (srv.state_file, srv.log_path):
        assert path.parent == servers_dir() and not path.name.startswith(".")
    other = VLLMServer(ServerConfig(model="m", served_name=name + "x"))
    assert other.state_file != srv.state_file
