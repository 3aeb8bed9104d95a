"""The tools a run may call, looked up by name and rendered compactly for prompts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from agentkit.errors import ConfigError
from agentkit.tools.context import ToolContext
from agentkit.tools.observation import Observation
from agentkit.tools.tool import Tool


class ToolRegistry:
    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            self.add(t)

    @classmethod
    def of(cls, tools: ToolRegistry | Iterable[Tool]) -> ToolRegistry:
        return tools if isinstance(tools, ToolRegistry) else cls(tools)

    def add(self, tool: Tool) -> None:
        key = tool.name.lower()
        if key in self._tools:
            raise ConfigError(f"two tools are named {tool.name!r}; give one another name=")
        self._tools[key] = tool

    def get(self, name: str) -> Tool | None:
        """Case-insensitive: small models write `Search[...]` for `search`."""
        return self._tools.get(name.strip().lower())

    @property
    def names(self) -> list[str]:
        return [t.name for t in self]

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def render(self) -> str:
        """One line per tool: `search[query]: what it does`."""
        return "\n".join(t.render() for t in self)

    async def call(
        self, name: str, raw: str | Mapping[str, Any], ctx: ToolContext | None = None
    ) -> Observation:
        """Run a tool; an unknown name is an observation saying which tools exist."""
        found = self.get(name)
        if found is None:
            return Observation.failure(
                f"unknown tool {name!r}; the tools are: {', '.join(self.names) or 'none'}"
            )
        return await found(raw, ctx)
