"""vLLM's parallelism flags: passed through as vLLM spells them, refused when they cannot
start here (checked before any process is launched)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agentkit.cli import app
from agentkit.errors import ConfigError
from agentkit.llm import ServerConfig, VLLMServer
from agentkit.llm import server as server_module
from agentkit.llm.parallel import check_parallel, gpu_count, parallel_args


def test_sizes_become_vllm_flags_and_a_plain_server_gets_none():
    assert parallel_args(ServerConfig(model="m")) == []
    cfg = ServerConfig(
        model="m", tensor_parallel_size=2, pipeline_parallel_size=2, data_parallel_size=2,
        distributed_executor_backend="ray",
    )  # fmt: skip
    assert parallel_args(cfg) == [
        "--tensor-parallel-size", "2", "--pipeline-parallel-size", "2",
        "--data-parallel-size", "2", "--distributed-executor-backend", "ray",
    ]  # fmt: skip


def test_sizes_below_one_and_unknown_backends_are_refused():
    with pytest.raises(ValueError, match="tensor_parallel_size"):
        ServerConfig(model="m", tensor_parallel_size=0)
    with pytest.raises(ValueError, match="distributed_executor_backend"):
        ServerConfig(model="m", distributed_executor_backend="slurm")


def test_more_gpus_than_present_names_the_fix():
    with pytest.raises(ConfigError, match=r"2 x 2 x 1 = 4 GPUs, but this machine has 2.*ray"):
        check_parallel(ServerConfig(model="m", tensor_parallel_size=2, pipeline_parallel_size=2), 2)
    check_parallel(ServerConfig(model="m", tensor_parallel_size=2), 2)
    # the Ray backend may find the GPUs on other nodes
    spread = ServerConfig(model="m", tensor_parallel_size=8, distributed_executor_backend="ray")
    check_parallel(spread, 2)


def test_on_a_cpu_parallel_sizes_are_refused_with_the_pool_as_the_fix():
    for field in ("tensor_parallel_size", "pipeline_parallel_size"):
        with pytest.raises(ConfigError, match="--base-url URL1,URL2"):
            check_parallel(ServerConfig(model="m", **{field: 2}), 0)


def test_gpus_are_counted_from_nvidia_smi_and_cuda_visible_devices(monkeypatch, tmp_path):
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: A (UUID: x)'\necho 'GPU 1: A (UUID: y)'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert gpu_count() == 2
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert gpu_count() == 1
    monkeypatch.setenv("PATH", "/nonexistent")
    assert gpu_count() == 0


def test_start_checks_before_launching(monkeypatch, tmp_path):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))
    monkeypatch.setattr(server_module, "gpu_count", lambda: 0)
    launched = []
    monkeypatch.setattr(VLLMServer, "_launch", lambda self: launched.append(1))
    with pytest.raises(ConfigError, match="need GPUs"):
        VLLMServer(ServerConfig(model="m", served_name="m", tensor_parallel_size=2)).start()
    assert not launched


def test_serve_start_takes_the_flags(monkeypatch, tmp_path):
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path))
    monkeypatch.setattr(server_module, "gpu_count", lambda: 0)
    result = CliRunner().invoke(app, ["serve", "start", "m", "--tensor-parallel-size", "2"])
    assert result.exit_code != 0 and "need GPUs" in result.output
    result = CliRunner().invoke(app, ["serve", "start", "m", "--distributed-executor-backend", "x"])
    assert result.exit_code != 0 and "use mp or ray" in result.output
