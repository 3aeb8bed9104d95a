"""Run untrusted Python in a bubblewrap sandbox, under hard limits.

Isolation is bubblewrap's (Debian's `bubblewrap`), not ours: new pid, network, IPC and UTS
namespaces (no network at all, not even the host's loopback), a root of read-only system
directories, the interpreter and its site-packages bound read-only under /opt, and two
size-capped tmpfs (/scratch, the working directory, holding read-only copies of the task's
files, and /tmp). Home, /root, /work, /etc and the agentkit cache do not exist inside; the
environment is cleared. Limits are kernel rlimits set by `prlimit` inside the sandbox (CPU
seconds, address space, processes and threads, file size, open files), a wall clock that
kills the whole process group, and a cap on the output kept.

As root, bwrap sets up the mounts without a user namespace and `setpriv` then drops to a
fresh unprivileged uid with no capabilities and no_new_privs: RLIMIT_NPROC never applies to
uid 0, so a per-run uid is what makes the process limit real. As another user, bwrap makes
a user namespace (RLIMIT_NPROC then counts that namespace's processes) and nested user
namespaces are disabled. Each run starts afresh: what one run writes, the next does not see.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from agentkit.errors import SandboxError

SCRATCH = "/scratch"
_BASE_UIDS = (200_000, 260_000)  # per-run uids: no account and no file on the host uses them
_SIGNALS = {int(signal.SIGXCPU): "cpu", int(signal.SIGKILL): "kill", int(signal.SIGXFSZ): "fsize"}


@dataclass(frozen=True)
class Limits:
    wall_s: float = 15.0
    cpu_s: int = 10
    memory_mb: int = 1024  # address space per process (numpy and pandas load within it)
    total_memory_mb: int = 2048  # resident memory of all its processes together (watched)
    processes: int = 32  # processes and threads of the run's uid
    file_mb: int = 16  # largest file a run may write
    scratch_mb: int = 64  # /scratch tmpfs (and /tmp, a quarter of it)
    open_files: int = 256
    output_bytes: int = 16_000  # of stdout and of stderr, each
    code_chars: int = 100_000


@dataclass(frozen=True)
class RunResult:
    stdout: str
    stderr: str
    exit_code: int
    wall_s: float
    limit: str | None = None  # which limit ended the run, said for the agent
    output_cut: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.limit is None


def available() -> str | None:
    """None when the sandbox can run here, else why not and how to fix it."""
    missing = [b for b in ("bwrap", "prlimit", "setpriv") if shutil.which(b) is None]
    if missing:
        return (
            f"the python sandbox needs {', '.join(missing)}: install bubblewrap and util-linux "
            "(apt-get install -y bubblewrap util-linux), or run `make install` as root"
        )
    return None


class Sandbox:
    """Runs code in bwrap with `files` (a host folder) copied read-only into /scratch."""

    def __init__(self, files: str | Path | None = None, limits: Limits | None = None) -> None:
        self.files = Path(files) if files is not None else None
        self.limits = limits or Limits()

    def run(self, code: str) -> RunResult:
        """Run `code` with python3 (from stdin); raises SandboxError only when the sandbox
        itself cannot start. Whatever the code does comes back in the RunResult."""
        if len(code) > self.limits.code_chars:
            return RunResult("", "", 1, 0.0, f"the code is over {self.limits.code_chars} chars")
        if why := available():
            raise SandboxError(why)
        info_r, info_w = os.pipe()
        cmd = self.command(info_fd=info_w)
        split = cmd.index("--")
        args = _args_fd(cmd[1:split])
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(
                ["bwrap", "--args", str(args), *cmd[split:]],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={"PATH": "/usr/bin:/bin"},  # bwrap's own environment: nothing of the host's
                start_new_session=True,
                pass_fds=(info_w, args),
            )
        finally:
            os.close(info_w)
            os.close(args)
        out, err = (_Capped(pipe, self.limits.output_bytes) for pipe in (proc.stdout, proc.stderr))
        try:
            _feed(proc, code)
            limit = self._watch(proc, info_r, t0)
        finally:
            os.close(info_r)
            if proc.poll() is None:
                _kill_group(proc)
        out.join()
        err.join()
        stderr = err.text()
        if proc.returncode == 1 and stderr.startswith(("bwrap:", "usage: bwrap")):
            raise SandboxError(f"the python sandbox did not start: {stderr.strip()[:300]}")
        limit = limit or self._limit(proc.returncode, stderr)
        wall = time.monotonic() - t0
        return RunResult(out.text(), stderr, proc.returncode, wall, limit, out.cut or err.cut)

    def _watch(self, proc: subprocess.Popen[bytes], info_fd: int, t0: float) -> str | None:
        """Wait for the run to end; stop it at the wall clock or when its processes together
        hold more than `total_memory_mb` (each is also capped by RLIMIT_AS). Killing the
        sandbox's pid 1 takes the namespace down, and the kernel has reaped every process in
        it before bwrap returns, so nothing of a run outlives run()."""
        os.set_blocking(info_fd, False)
        info, child = b"", None
        lim = self.limits
        while proc.poll() is None:
            if child is None:
                info, child = _child_pid(info_fd, info)
            why = None
            if time.monotonic() - t0 > lim.wall_s:
                why = f"killed after {lim.wall_s:g} s wall time (limit)"
            elif child is not None and _tree_rss(child) > lim.total_memory_mb << 20:
                why = f"killed: its processes held over {lim.total_memory_mb} MiB (limit)"
            if why:
                if child is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGKILL)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                return why
            time.sleep(0.02)
        return None

    def command(self, info_fd: int | None = None) -> list[str]:
        lim = self.limits
        root = os.geteuid() == 0
        python, py_binds, py_env = _interpreter()
        cmd = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        cmd += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
        if info_fd is not None:
            cmd += ["--info-fd", str(info_fd)]
        if not root:
            cmd += ["--unshare-user", "--disable-userns"]
        cmd += _system_dirs()
        cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", "/opt"]
        cmd += py_binds
        cmd += ["--perms", "1777", "--size", str(lim.scratch_mb << 20), "--tmpfs", SCRATCH]
        cmd += ["--perms", "1777", "--size", str(lim.scratch_mb << 18), "--tmpfs", "/tmp"]
        for entry in sorted(self.files.iterdir()) if self.files else ():
            cmd += ["--ro-bind", str(entry.resolve()), f"{SCRATCH}/{entry.name}"]
        cmd += ["--chdir", SCRATCH, "--clearenv"]
        env = {
            "PATH": "/opt/python/bin:/usr/bin:/bin",
            "HOME": SCRATCH,
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "MPLCONFIGDIR": "/tmp",
            **{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
            **py_env,
        }
        for k, v in env.items():
            cmd += ["--setenv", k, v]
        if root:  # kept only for setpriv, which drops them all with the uid
            cmd += [
                "--cap-add",
                "CAP_SETUID",
                "--cap-add",
                "CAP_SETGID",
                "--cap-add",
                "CAP_SETPCAP",
            ]
        cpu = f"{lim.cpu_s}:{lim.cpu_s + 1}"  # SIGXCPU at the soft limit, SIGKILL a second later
        cmd += ["--", "prlimit", f"--cpu={cpu}", f"--as={lim.memory_mb << 20}"]
        cmd += [f"--nproc={lim.processes}", f"--fsize={lim.file_mb << 20}"]
        cmd += [f"--nofile={lim.open_files}", "--core=0", "--"]
        if root:
            uid = str(random.randrange(*_BASE_UIDS))
            cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
            cmd += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return [*cmd, python, "-B", "-u", "-"]

    def _limit(self, code: int, stderr: str) -> str | None:
        """Which limit ended the run, read off its exit status and stderr, or None."""
        lim = self.limits
        kind = _SIGNALS.get(code - 128) if code > 128 else None
        tail = stderr[-2000:]
        if kind == "cpu":
            return f"killed after {lim.cpu_s} s of CPU time (limit)"
        if "MemoryError" in tail or "Cannot allocate memory" in tail:
            return f"out of memory (limit {lim.memory_mb} MiB per process)"
        if "File too large" in tail or kind == "fsize":
            return f"a file passed the {lim.file_mb} MiB size limit"
        if "No space left on device" in tail:
            return f"no space left ({SCRATCH} holds {lim.scratch_mb} MiB, /tmp a quarter of it)"
        if "Resource temporarily unavailable" in tail or "can't start new thread" in tail:
            return f"process limit reached ({lim.processes} processes and threads)"
        if "Network is unreachable" in tail or "Temporary failure in name resolution" in tail:
            return "no network in the sandbox"
        if kind == "kill":
            return f"killed by SIGKILL (CPU time limit {lim.cpu_s} s, or the code killed itself)"
        return None


def _interpreter() -> tuple[str, list[str], dict[str, str]]:
    """(python inside, bwrap binds, environment): this interpreter's installation, and the
    site-packages of the environment agentkit runs in, read-only; /usr is bound anyway."""
    base = Path(sys.base_prefix).resolve()
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    binds: list[str] = []
    env: dict[str, str] = {}
    if _under(base, Path("/usr")):
        python = str(base / "bin" / name)
    else:
        binds += ["--ro-bind", str(base), "/opt/python"]
        env |= {"PYTHONHOME": "/opt/python", "LD_LIBRARY_PATH": "/opt/python/lib"}
        python = f"/opt/python/bin/{name}"
    paths = sysconfig.get_paths()
    sites = dict.fromkeys(Path(paths[k]).resolve() for k in ("purelib", "platlib"))
    extra = [p for p in sites if p.is_dir() and not _under(p, base) and not _under(p, Path("/usr"))]
    for i, site in enumerate(extra):
        binds += ["--ro-bind", str(site), f"/opt/site{i}"]
    if extra:
        env["PYTHONPATH"] = ":".join(f"/opt/site{i}" for i in range(len(extra)))
    return python, binds, env


def _system_dirs() -> list[str]:
    """/usr read-only, and /bin, /lib... as the host has them (links on merged-/usr)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        p = Path(top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            args += ["--ro-bind", top, top]
    return args


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _feed(proc: subprocess.Popen[bytes], code: str) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(code.encode("utf-8", "replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):  # it died before reading all of it
        pass


def _args_fd(args: list[str]) -> int:
    """bwrap's options in a memfd (--args): the sandbox's /proc/1/cmdline then shows none of
    the host paths it binds."""
    fd = os.memfd_create("bwrap-args")
    os.write(fd, b"".join(a.encode() + b"\0" for a in args))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _child_pid(fd: int, info: bytes) -> tuple[bytes, int | None]:
    """bwrap's --info-fd JSON, read as it comes: the sandbox's pid 1, as the host sees it."""
    with contextlib.suppress(BlockingIOError):
        info += os.read(fd, 4096)
    try:
        return info, int(json.loads(info)["child-pid"])
    except (ValueError, KeyError):
        return info, None


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its descendants (every process of the sandbox descends
    from its pid 1: orphans are re-parented to it)."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
            for task in os.scandir(f"/proc/{p}/task"):
                todo += map(int, Path(task.path, "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL bwrap's process group; the pid namespace takes everything else inside down."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class _Capped:
    """Drains a pipe on a thread, keeping its first `limit` bytes."""

    def __init__(self, pipe: object, limit: int) -> None:
        self.pipe, self.limit = pipe, limit
        self.data = bytearray()
        self.cut = False
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        read = self.pipe.read1  # type: ignore[attr-defined]
        while chunk := read(65536):
            room = self.limit - len(self.data)
            if len(chunk) > room:
                self.cut = True
            self.data += chunk[: max(room, 0)]

    def join(self) -> None:
        self.thread.join(timeout=5)

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")
