"""`agentkit eval hotpotqa|gaia` and `agentkit data download hotpotqa`.

The root command (agentkit.cli) adds these apps; nothing here imports it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from agentkit.cli_errors import clean_errors, console
from agentkit.errors import ConfigError
from agentkit.evals import download
from agentkit.evals.auto_fit import FitOptions, run_fit
from agentkit.evals.compare import EvalOptions, names, run_hotpotqa
from agentkit.evals.gaia.compare import GaiaOptions, run_gaia
from agentkit.evals.on_ray import RaySettings
from agentkit.models import DEFAULT_MODEL

RayFlag = Annotated[
    bool, typer.Option("--ray", help="each question (task) as a Ray task on a local Ray cluster")
]
RayAddress = Annotated[
    str | None,
    typer.Option(
        help="each question (task) as a Ray task on this cluster (auto, HOST:6379, ray://...)"
    ),
]
RayCpus = Annotated[
    float,
    typer.Option(
        help="CPUs each Ray task holds; below 1 runs more per CPU (tasks mostly wait on the model)"
    ),
]
Resume = Annotated[
    bool, typer.Option(help="continue the run in --out: skip what its JSONL files already hold")
]


def ray_settings(ray: bool, address: str | None, cpus: float) -> RaySettings | None:
    """--ray / --ray-address / --ray-cpus as settings; None when the run stays here."""
    if not ray and address is None:
        return None
    try:
        return RaySettings(address=address, cpus_per_question=cpus)
    except ValidationError:
        raise ConfigError(f"--ray-cpus must be above 0; got {cpus}") from None


eval_app = typer.Typer(help="Evaluations on public benchmarks.", no_args_is_help=True)
data_app = typer.Typer(help="Data sets agentkit can fetch.", no_args_is_help=True)


@eval_app.command("hotpotqa")
@clean_errors
def hotpotqa_cmd(
    n: Annotated[int, typer.Option("-n", "--n", help="number of questions")] = 5,
    offset: Annotated[int, typer.Option(help="skip this many questions first")] = 0,
    compare: Annotated[
        str,
        typer.Option(help="comma list of systems: direct,reader,auto,react,rewoo,smr,codeagents"),
    ] = "direct,react,rewoo",
    setting: Annotated[
        str, typer.Option(help="distractor (each question's 10 paragraphs) or open (all)")
    ] = "distractor",
    search: Annotated[
        str, typer.Option(help="bm25 (passages) or graph (PPR over a KnowledgeIndex)")
    ] = "bm25",
    triplets: Annotated[
        bool, typer.Option(help="graph search: extract LLM triplets too (slow on a CPU)")
    ] = False,
    model: Annotated[str, typer.Option(help="model name, HF dir or id")] = DEFAULT_MODEL,
    base_url: Annotated[
        str | None,
        typer.Option(help="a running server instead; several, comma-separated, make a pool"),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="HotpotQA file in the official format (default: the shipped 200)"),
    ] = None,
    download_: Annotated[
        bool,
        typer.Option("--download", help="fetch the official dev-distractor file and run on it"),
    ] = False,
    concurrency: Annotated[int, typer.Option(help="questions in flight")] = 8,
    out: Annotated[Path | None, typer.Option(help="output directory")] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="auto's policy file (default: the one shipped for the model)"),
    ] = None,
    ray: RayFlag = False,
    ray_address: RayAddress = None,
    ray_cpus: RayCpus = 1.0,
    resume: Resume = False,
) -> None:
    """HotpotQA with each system on the same questions: EM, F1 and exact tokens."""
    on_ray = ray_settings(ray, ray_address, ray_cpus)
    opts = EvalOptions(
        n=n, offset=offset, systems=names(compare), setting=setting, search=search,
        triplets=triplets, model=model, base_url=base_url, data=data, download=download_,
        concurrency=concurrency, out=out, policy=policy, ray=on_ray, resume=resume,
    )  # fmt: skip
    run_hotpotqa(opts, console)


@eval_app.command("auto-fit")
@clean_errors
def auto_fit_cmd(
    out: Annotated[Path, typer.Option(help="where to write the policy (JSON)")],
    data: Annotated[
        Path | None,
        typer.Option(help="labelled questions in HotpotQA's format (default: the shipped 200)"),
    ] = None,
    offset: Annotated[int, typer.Option(help="skip this many questions first")] = 50,
    n: Annotated[int, typer.Option("-n", "--n", help="questions to fit on")] = 150,
    setting: Annotated[str, typer.Option(help="distractor or open")] = "distractor",
    search: Annotated[str, typer.Option(help="bm25 or graph")] = "bm25",
    max_tokens: Annotated[
        float, typer.Option(help="tokens per question the chosen threshold may spend")
    ] = 600,
    model: Annotated[str, typer.Option(help="model name, HF dir or id")] = DEFAULT_MODEL,
    base_url: Annotated[str | None, typer.Option(help="a running server instead")] = None,
    concurrency: Annotated[int, typer.Option(help="questions in flight")] = 8,
    escalations: Annotated[
        Path | None,
        typer.Option(help="an earlier fit's .rows.jsonl: reuse its escalations, re-run the reads"),
    ] = None,
    read_tokens: Annotated[
        int | None,
        typer.Option(help="evidence tokens per read (default 350); the policy keeps it for Auto"),
    ] = None,
) -> None:
    """Fit auto's policy on your labelled questions: each is read once and escalated once,
    and a logistic policy learns when the read is right enough to keep (default: the
    shipped questions 51-200, never the first 50 that the benchmarks test on)."""
    opts = FitOptions(
        out=out, data=data, offset=offset, n=n, setting=setting, search=search,
        max_tokens=max_tokens, model=model, base_url=base_url, concurrency=concurrency,
        escalations=escalations, read_tokens=read_tokens,
    )  # fmt: skip
    run_fit(opts, console)


@eval_app.command("gaia")
@clean_errors
def gaia_cmd(
    data: Annotated[
        Path | None,
        typer.Option(
            help="your GAIA copy: a folder with metadata.jsonl or .parquet and the attachments "
            "(default: the GAIA-style tasks shipped with agentkit)"
        ),
    ] = None,
    compare: Annotated[
        str, typer.Option(help="comma list of systems: direct,react,rewoo,codeagents")
    ] = "direct,react,rewoo,codeagents",
    levels: Annotated[str, typer.Option(help="comma list of levels to keep, e.g. 1,2")] = "",
    n: Annotated[int | None, typer.Option("-n", "--n", help="first n tasks")] = None,
    model: Annotated[str, typer.Option(help="model name, HF dir or id")] = DEFAULT_MODEL,
    base_url: Annotated[str | None, typer.Option(help="a running server instead")] = None,
    web: Annotated[bool, typer.Option(help="give the planners web_search and web_fetch")] = False,
    concurrency: Annotated[int, typer.Option(help="tasks in flight")] = 4,
    out: Annotated[Path | None, typer.Option(help="output directory")] = None,
    ray: RayFlag = False,
    ray_address: RayAddress = None,
    ray_cpus: RayCpus = 1.0,
    resume: Resume = False,
) -> None:
    """GAIA with each system on the same tasks: accuracy per level, tokens and time per task,
    and a leaderboard submission file per system."""
    try:
        kept = [int(x) for x in names(levels)] or None
    except ValueError:
        raise ConfigError(f"--levels takes numbers like 1,2; got {levels!r}") from None
    opts = GaiaOptions(
        data=data, systems=names(compare), levels=kept, n=n, model=model, base_url=base_url,
        web=web, concurrency=concurrency, out=out, resume=resume,
        ray=ray_settings(ray, ray_address, ray_cpus),
    )  # fmt: skip
    run_gaia(opts, console)


@data_app.command("download")
@clean_errors
def data_download(
    name: Annotated[str, typer.Argument(help="the data set: hotpotqa")] = "hotpotqa",
    force: Annotated[bool, typer.Option(help="download again even if verified")] = False,
) -> None:
    """Fetch the official HotpotQA dev-distractor file (sha256-checked) into the cache."""
    if name != "hotpotqa":
        raise ConfigError(f"unknown data set {name!r}; valid: hotpotqa")
    path = download.download_with_bar(force=force)
    same, total = download.check_shipped(path)
    console.print(f"[green]verified[/] {path} (sha256 {download.SHA256[:12]}…)")
    console.print(
        f"the {total} shipped questions: {same} identical to their official records; "
        f"run on the whole file with: agentkit eval hotpotqa --data {path}"
    )
