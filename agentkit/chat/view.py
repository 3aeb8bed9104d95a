"""A turn on the terminal, live: the plan as a block when the planner has written it, each
tool step (a spinner while it runs, then one line: its result, or its error in red), the
answer as it streams; then the token meter.

Finished items are printed for good as they happen; only what is still running sits in a
transient live area below them, so the scrollback reads like a log of the turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from agentkit.budget import Limits
from agentkit.ledger import Totals
from agentkit.planners import AnswerToken, CallFinished, RunEvent, Step, StepFinished, StepStarted
from agentkit.planners.syntax import write_call

RESULT_CHARS = 90


class TurnView:
    def __init__(self, console: Console, count: Callable[[str], int]) -> None:
        self.console = console
        self.count = count
        self.running: dict[int, Spinner] = {}
        self._thinking = Spinner("dots", Text("thinking…", "dim"))
        self.answer = ""
        self.plan_shown = False
        self._live = Live(
            console=console, transient=True, refresh_per_second=8, get_renderable=self._render
        )

    def __enter__(self) -> TurnView:
        self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._live.stop()

    def __call__(self, event: RunEvent) -> None:
        """The run's event hook (Agent.run(on_event=...))."""
        if isinstance(event, StepStarted):
            call = write_call(event.tool, event.input)[:120]
            self.running[event.step] = Spinner("dots", Text(f"#{event.step} {call}", "yellow"))
        elif isinstance(event, StepFinished):
            self.running.pop(event.step.id, None)
            self._print(step_line(event.step, self.count, show_note=not self.plan_shown))
        elif isinstance(event, CallFinished):
            self._call(event)
        elif isinstance(event, AnswerToken):
            self.answer += event.text

    def _call(self, event: CallFinished) -> None:
        role, text = event.labels.role, event.text.strip()
        if role == "planner" and text:
            title = "plan" if event.labels.purpose != "replan" else "plan (again)"
            self._print(plan_block(text, title))
            self.plan_shown = True
        elif role == "smr" and text:  # SMR's plan is its actions, one call each
            self._print(Text(f"  smr · {text}", style="dim"))

    def _print(self, item: RenderableType) -> None:
        self._live.console.print(item)

    def _render(self) -> RenderableType:
        rows: list[RenderableType] = list(self.running.values())
        if self.answer:
            rows.append(Text.assemble(("answer ", "bold"), self.answer))
        elif not rows:
            rows.append(self._thinking)
        return Group(*rows)


def plan_block(text: str, title: str = "plan") -> Panel:
    body = Text(text)
    body.highlight_regex(r"#E\d+", "bold magenta")
    body.highlight_regex(r"(?<== )[\w-]+(?=\[)", "bold cyan")
    return Panel(body, title=title, title_align="left", border_style="cyan", expand=False)


def step_line(step: Step, count: Callable[[str], int], *, show_note: bool = True) -> Text:
    """`✓ #1 search[Rush drummer] → Rush: Neil Peart was… (24 tokens, 0.01 s)`."""
    obs = step.observation
    mark, style = ("✓", "green") if obs.ok else ("✗", "red")
    call = write_call(step.tool, step.input) if step.tool else "(no action)"
    first = " ".join(obs.text.split())
    short = first if len(first) <= RESULT_CHARS else first[: RESULT_CHARS - 1] + "…"
    line = Text.assemble((f"  {mark} ", style), (f"#{step.id} ", "bold"), (call, "cyan"))
    line.append(f" → {short}", style="red" if not obs.ok else "")
    line.append(f"  ({count(obs.text)} tokens, {obs.latency_s:.2f} s)", style="dim")
    if show_note and step.note:
        line = Text.assemble(Text(f"    {step.note}\n", style="dim italic"), line)
    return line


def meter(
    by_role: Mapping[str, Totals], turn: Totals, budget: Limits, session: Totals, note: str
) -> Table:
    """Tokens by role for the turn, the turn against its budget, and the session so far."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    for column in ("tokens", "calls", "prompt", "completion", "cached"):
        table.add_column(column, justify="left" if column == "tokens" else "right")
    table.add_column("", style="dim")
    for role, t in sorted(by_role.items()):
        table.add_row(role, *_numbers(t), "")
    table.add_row("turn", *_numbers(turn), against(turn, budget), style="bold")
    table.add_row("session", *_numbers(session), note)
    return table


def _numbers(t: Totals) -> list[str]:
    u = t.usage
    return [
        f"{t.calls:,}",
        f"{u.prompt_tokens:,}",
        f"{u.completion_tokens:,}",
        f"{u.cached_tokens:,}",
    ]


def against(t: Totals, budget: Limits) -> str:
    """`488 of 4,000 tokens (12%)`, or the total alone without a token limit."""
    used = t.usage.total_tokens
    if budget.total_tokens is None:
        return f"{used:,} tokens (no budget)"
    return f"{used:,} of {budget.total_tokens:,} tokens ({used / budget.total_tokens:.0%})"
