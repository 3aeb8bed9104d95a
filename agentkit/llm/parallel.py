"""vLLM's own parallelism for one server: tensor, pipeline and data parallel sizes and the
distributed executor backend, checked against the GPUs here before minutes of start-up.

agentkit does not schedule GPUs itself: it passes vLLM's flags through as vLLM documents
them (--tensor-parallel-size, --pipeline-parallel-size, --data-parallel-size,
--distributed-executor-backend) and refuses the combinations that cannot start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Literal, Protocol

from agentkit.errors import ConfigError

Backend = Literal["ray", "mp"]


class Parallel(Protocol):
    tensor_parallel_size: int
    pipeline_parallel_size: int
    data_parallel_size: int
    distributed_executor_backend: Backend | None


def gpu_count() -> int:
    """GPUs this process may use: `nvidia-smi -L`, narrowed by CUDA_VISIBLE_DEVICES."""
    found = 0
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(
                ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        found = sum(line.startswith("GPU ") for line in out.splitlines())
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [v for v in visible.split(",") if v.strip() and v.strip() != "-1"]
        found = min(found, len(ids))
    return found


def parallel_args(cfg: Parallel) -> list[str]:
    """vLLM's flags for the sizes that differ from one (nothing for a plain server)."""
    args: list[str] = []
    for flag, size in (
        ("--tensor-parallel-size", cfg.tensor_parallel_size),
        ("--pipeline-parallel-size", cfg.pipeline_parallel_size),
        ("--data-parallel-size", cfg.data_parallel_size),
    ):
        if size != 1:
            args += [flag, str(size)]
    if cfg.distributed_executor_backend is not None:
        args += ["--distributed-executor-backend", cfg.distributed_executor_backend]
    return args


def check_parallel(cfg: Parallel, gpus: int) -> None:
    """A ConfigError naming the fix for sizes that cannot start on `gpus` GPUs. With the
    Ray backend the GPUs may be on other nodes of the Ray cluster, so only CPU-only is
    refused then."""
    tp, pp, dp = cfg.tensor_parallel_size, cfg.pipeline_parallel_size, cfg.data_parallel_size
    if gpus == 0 and (tp > 1 or pp > 1 or dp > 1):
        raise ConfigError(
            f"tensor/pipeline/data parallel sizes {tp}/{pp}/{dp} need GPUs, and none is visible "
            "here (nvidia-smi finds none, or CUDA_VISIBLE_DEVICES hides them); on a CPU set "
            "every size to 1 and scale out instead: one server per machine, all listed in "
            "--base-url URL1,URL2 (an endpoint pool)"
        )
    wanted = tp * pp * dp
    if wanted > gpus and cfg.distributed_executor_backend != "ray":
        raise ConfigError(
            f"tensor x pipeline x data parallel = {tp} x {pp} x {dp} = {wanted} GPUs, but this "
            f"machine has {gpus}; lower the sizes to fit, or span nodes with "
            "--distributed-executor-backend ray on a Ray cluster that has the GPUs"
        )
