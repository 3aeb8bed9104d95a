"""Validated settings: a component's numbers as a pydantic model, so a 0 or a negative is
refused when the component is built (ConfigError naming the field), not deep inside a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from agentkit.errors import ConfigError

__all__ = ["Settings", "explain"]

S = TypeVar("S", bound="Settings")


class Settings(BaseModel):
    """Base of the settings models; `owner` names the component in error messages."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    owner: ClassVar[str] = "settings"

    @classmethod
    def validated(cls: type[S], **values: Any) -> S:
        """The settings, or ConfigError saying which field is wrong and why."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(explain(cls.owner, exc)) from exc

    @classmethod
    def from_arguments(cls: type[S], arguments: Mapping[str, Any]) -> S:
        """The settings from a constructor's `locals()`, whose keywords are the fields."""
        return cls.validated(**{name: arguments[name] for name in cls.model_fields})


def explain(owner: str, exc: ValidationError) -> str:
    """`ReWOO max_steps: Input should be greater than or equal to 1 (got 0)`, one per error."""
    problems = []
    for err in exc.errors():
        where = " ".join([owner, *(str(part) for part in err["loc"])])
        msg = err["msg"].removeprefix("Value error, ")
        got = f" (got {err['input']!r})" if err["loc"] else ""
        problems.append(f"{where}: {msg}{got}")
    return "; ".join(problems)
