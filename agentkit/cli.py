"""The `agentkit` command: models, local servers, one-off questions, agent sessions and runs,
traces, document indexes and evaluations."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from agentkit import models as registry
from agentkit.chat.cli import chat_cmd, run_cmd
from agentkit.chat.cli_index import index_app, trace_app
from agentkit.cli_errors import clean_errors, console
from agentkit.cli_memory import memory_app
from agentkit.evals.cli import data_app, eval_app

app = typer.Typer(help="agentkit: LLM agents with far fewer tokens.", no_args_is_help=True)
models_app = typer.Typer(
    help="Embedded models that ship inside PyPI packages.", no_args_is_help=True
)
serve_app = typer.Typer(help="Local vLLM servers.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(serve_app, name="serve")
app.add_typer(eval_app, name="eval")
app.add_typer(data_app, name="data")
app.add_typer(trace_app, name="trace")
app.add_typer(index_app, name="index")
app.add_typer(memory_app, name="memory")
app.command("chat")(chat_cmd)
app.command("run")(run_cmd)


ModelArg = Annotated[str, typer.Argument(help="registry name, local HF directory, or hub id")]


@models_app.command("list")
@clean_errors
def models_list() -> None:
    """Show the embedded models and whether they are pulled."""
    table = Table("name", "pulled", "description", "path")
    for name, spec in registry.REGISTRY.items():
        pulled = registry.is_pulled(name)
        path = str(registry.model_path(name)) if pulled else "-"
        table.add_row(name, "yes" if pulled else "no", spec.description, path)
    console.print(table)


@models_app.command("pull")
@clean_errors
def models_pull(
    name: ModelArg = registry.DEFAULT_MODEL,
    force: Annotated[bool, typer.Option(help="download and convert again")] = False,
) -> None:
    """Download, verify (sha256) and convert an embedded model; idempotent."""
    with console.status(f"pulling {name}") as status:
        registry.pull(name, force=force, say=lambda msg: status.update(msg))
    console.print(f"[green]{name}[/] ready at {registry.model_path(name)}")


@models_app.command("path")
@clean_errors
def models_path(name: ModelArg = registry.DEFAULT_MODEL) -> None:
    """Print the directory a model name resolves to."""
    print(registry.resolve(name))


@serve_app.command("start")
@clean_errors
def serve_start(
    model: ModelArg = registry.DEFAULT_MODEL,
    port: Annotated[int | None, typer.Option(help="default: a free port")] = None,
    max_model_len: Annotated[int, typer.Option()] = 8192,
    threads: Annotated[str, typer.Option(help="'all', 'auto' or a core list like 0-1")] = "all",
    tensor_parallel_size: Annotated[int, typer.Option(min=1, help="GPUs per layer")] = 1,
    pipeline_parallel_size: Annotated[int, typer.Option(min=1, help="pipeline stages")] = 1,
    data_parallel_size: Annotated[int, typer.Option(min=1, help="replicas in this server")] = 1,
    distributed_executor_backend: Annotated[
        str | None, typer.Option(help="vLLM's workers: mp (this node) or ray (a Ray cluster)")
    ] = None,
) -> None:
    """Start (or reuse) a detached local vLLM server for MODEL; the parallel options are
    vLLM's own, checked against the GPUs here first."""
    from agentkit.errors import ConfigError
    from agentkit.llm.server import ServerConfig, VLLMServer

    name = model if model in registry.REGISTRY else None
    if distributed_executor_backend not in (None, "mp", "ray"):
        raise ConfigError(
            f"--distributed-executor-backend {distributed_executor_backend}: use mp or ray"
        )
    cfg = ServerConfig(
        model=model, served_name=name, port=port, max_model_len=max_model_len, threads_bind=threads,
        tensor_parallel_size=tensor_parallel_size, pipeline_parallel_size=pipeline_parallel_size,
        data_parallel_size=data_parallel_size,
        distributed_executor_backend=distributed_executor_backend,  # type: ignore[arg-type]
    )  # fmt: skip
    with console.status(f"starting vLLM for {model} (log: {VLLMServer(cfg).log_path})"):
        srv = VLLMServer(cfg).start()
    verb = "started" if srv.owned else "already serving"
    srv.detach()
    console.print(f"[green]{verb}[/] {cfg.name} at {srv.base_url}  (stop: agentkit serve stop)")


@serve_app.command("stop")
@clean_errors
def serve_stop(model: ModelArg = registry.DEFAULT_MODEL) -> None:
    """Stop the local server recorded for MODEL."""
    from agentkit.llm.server import ServerConfig, VLLMServer

    name = model if model in registry.REGISTRY else None
    VLLMServer(ServerConfig(model=model, served_name=name)).stop()
    console.print(f"stopped {model}")


@serve_app.command("status")
@clean_errors
def serve_status() -> None:
    """List healthy local servers."""
    from agentkit.llm.server import list_servers

    table = Table("name", "url", "pid", "log")
    for s in list_servers():
        table.add_row(s.name, s.base_url, str(s.pid), s.log)
    console.print(table)


@app.command("ask")
@clean_errors
def ask(
    question: str,
    model: Annotated[str, typer.Option(help="model name or dir")] = registry.DEFAULT_MODEL,
    base_url: Annotated[str | None, typer.Option(help="use a running server instead")] = None,
    max_tokens: Annotated[int, typer.Option()] = 256,
) -> None:
    """Ask the model one question; the answer streams, then exact usage is shown."""
    from agentkit.llm import connect

    llm = connect(model, base_url=base_url)
    try:
        done = llm.generate_sync(
            question, max_tokens=max_tokens, on_token=lambda t: console.print(t, end="")
        )
    finally:
        llm.close()
    u = done.usage
    console.print(
        f"\n[dim]prompt {u.prompt_tokens} (cached {u.cached_tokens}) + completion "
        f"{u.completion_tokens} tokens, {done.latency_s:.2f}s[/]"
    )
