"""What a session runs: model, planner, tools, documents and budgets, from flags or TOML.

A TOML file (`--config FILE`, else `$AGENTKIT_HOME/chat.toml` when it exists) sets any
field; a flag given on the command line wins over it. Example:

    model = "qwen2.5-coder-1.5b"
    planner = "rewoo"
    tools = ["search", "llm", "calculator"]
    docs = "~/notes"
    history_tokens = 300

    [budget]          # each turn (agentkit.Limits)
    total_tokens = 4000
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator

from agentkit.budget import Budget, Limits
from agentkit.errors import ConfigError
from agentkit.models import DEFAULT_MODEL
from agentkit.paths import home
from agentkit.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PLANNERS = ("rewoo", "react", "smr", "codeagents")
TOOLS = ("search", "llm", "calculator")


class ChatConfig(Settings):
    owner: ClassVar[str] = "chat config"

    model: str = Field(default=DEFAULT_MODEL, description="registry name, HF dir or id")
    base_url: str | None = Field(default=None, description="a running server instead")
    planner: str = "rewoo"
    tools: tuple[str, ...] | None = Field(
        default=None, description="default: llm and calculator, and search with docs"
    )
    docs: Path | None = Field(default=None, description="a folder of text, markdown or PDF")
    graph: bool = Field(default=False, description="index the docs as a graph too")
    history_tokens: int = Field(default=300, ge=0, description="earlier turns kept as context")
    budget: Limits = Field(default=Limits(total_tokens=4000), description="each turn")
    call: Limits = Field(default=Limits(), description="each model call")
    system: str = Field(default="", description='system message ("": none)')

    @field_validator("planner")
    @classmethod
    def _known_planner(cls, name: str) -> str:
        if name not in PLANNERS:
            raise ValueError(f"unknown planner {name!r}; choose from {', '.join(PLANNERS)}")
        return name

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, names: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [n for n in names or () if n not in TOOLS]
        if unknown:
            raise ValueError(f"unknown tool {unknown[0]!r}; choose from {', '.join(TOOLS)}")
        return names

    @property
    def tool_names(self) -> tuple[str, ...]:
        if self.tools is not None:
            return self.tools
        return ("search", "llm", "calculator") if self.docs else ("llm", "calculator")

    def run_budget(self) -> Budget:
        return Budget(run=self.budget, call=self.call)


def default_config_path() -> Path:
    return home() / "chat.toml"


def load_config(
    path: Path | None = None, *, budget_tokens: int | None = None, **flags: Any
) -> ChatConfig:
    """The file's settings (`path`, else the default file if present), overridden by the
    flags that were given (None means not given); `budget_tokens` sets the turn budget's
    total_tokens and keeps the file's other limits."""
    values: dict[str, Any] = {}
    file = path or default_config_path()
    if path is not None or file.is_file():
        values = read_toml(file)
    values.update({k: v for k, v in flags.items() if v is not None})
    if budget_tokens is not None:
        values["budget"] = {**dict(values.get("budget", {})), "total_tokens": budget_tokens}
    return ChatConfig.validated(**values)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.expanduser().open("rb") as fh:
            data: Mapping[str, Any] = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return dict(data)
