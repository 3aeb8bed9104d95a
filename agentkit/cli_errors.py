"""What every `agentkit` command (and demo script) shares: one console, and agentkit's errors
shown as one line.

Its own module so that agentkit.cli (the root app) and agentkit.evals.cli (a sub-app it
adds) both use it without importing each other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from agentkit.errors import AgentkitError

F = TypeVar("F", bound=Callable[..., Any])
console = Console()


def show(exc: AgentkitError) -> None:
    console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)  # one line, to copy whole


def clean_errors(fn: F) -> F:
    """Show agentkit's own errors as one red line and exit 2, not as a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AgentkitError as exc:
            show(exc)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def run_main(main: Callable[[], Any]) -> None:
    """`clean_errors` for a plain script (the demos): one line and exit status 2."""
    try:
        main()
    except AgentkitError as exc:
        show(exc)
        raise SystemExit(2) from None
