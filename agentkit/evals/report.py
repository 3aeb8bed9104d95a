"""Show a comparison as a terminal table, a markdown table and a tokens-vs-score plot."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel
from rich.table import Table

from agentkit.evals.runner import Summary

COLUMNS = [
    ("system", "system"),
    ("n", "n"),
    ("EM", "em"),
    ("F1", "f1"),
    ("tokens/q", "tokens_per_question"),
    ("prompt/q", "prompt_tokens_per_question"),
    ("completion/q", "completion_tokens_per_question"),
    ("LLM calls/q", "llm_calls_per_question"),
    ("tool calls/q", "tool_calls_per_question"),
    ("wall s/q", "wall_s_per_question"),
    ("errors", "errors"),
]


Columns = list[tuple[str, str]]  # (header, the summary's field)


def _cells(s: BaseModel, columns: Columns) -> list[str]:
    out = []
    for _, key in columns:
        v = getattr(s, key)
        if isinstance(v, dict):  # e.g. accuracy by level, failed calls by tool
            v = ", ".join(f"{k}: {x}" for k, x in v.items()) or "-"
        out.append(f"{v:,.1f}" if isinstance(v, float) and "tokens" in key else str(v))
    return out


TERMINAL = ("system", "EM", "F1", "tokens/q", "LLM calls/q", "wall s/q", "errors")


def rich_table(
    summaries: Sequence[BaseModel],
    title: str,
    columns: Columns = COLUMNS,
    terminal: tuple[str, ...] = TERMINAL,
) -> Table:
    """The `terminal` columns, so the table fits an 80-column terminal."""
    keep = [i for i, (c, _) in enumerate(columns) if c in terminal]
    table = Table(*(columns[i][0] for i in keep), title=title)
    for s in summaries:
        cells = _cells(s, columns)
        table.add_row(*(cells[i] for i in keep))
    return table


def markdown_table(summaries: Sequence[BaseModel], columns: Columns = COLUMNS) -> str:
    lines = ["| " + " | ".join(c for c, _ in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cells(s, columns)) + " |" for s in summaries]
    return "\n".join(lines) + "\n"


def plot(summaries: list[Summary], path: Path, title: str) -> Path | None:
    """Tokens per question (log x) against F1; None when matplotlib is not installed."""
    points = [(s.system, s.tokens_per_question, s.f1) for s in summaries]
    return plot_points(points, path, title, "tokens per question", "answer F1")


def plot_points(
    points: list[tuple[str, float, float]], path: Path, title: str, per: str, score: str
) -> Path | None:
    """(system, tokens, score) points, tokens on a log x axis; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    from matplotlib.ticker import FuncFormatter, LogLocator

    fig, ax = plt.subplots(figsize=(7, 5))
    markers = "os^Dv<>P*X"
    for i, (name, tokens, value) in enumerate(points):  # a legend: labels never overlap
        ax.scatter(tokens, value, s=60, marker=markers[i % len(markers)], label=name)
    ax.set_xscale("log")
    xs = [tokens for _, tokens, _ in points if tokens > 0] or [1.0]
    spread = max(xs) / min(xs)  # labels that fit: every tick within 3x, fewer over wider spans
    labelled = tuple(range(1, 10)) if spread < 3 else (1, 2, 3, 5) if spread < 10 else (1, 2, 5)
    ax.xaxis.set_major_locator(LogLocator(subs=[float(v) for v in labelled]))
    ax.xaxis.set_minor_locator(LogLocator(subs=[float(v) for v in range(1, 10)]))
    plain = FuncFormatter(lambda v, _: f"{v:,.0f}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.margins(x=0.1, y=0.1)
    ax.set_xlabel(f"{per} (prompt + completion, log scale)")
    ax.set_ylabel(score)
    ax.set_title(textwrap.fill(title, 80), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
