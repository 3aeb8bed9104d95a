"""Prompt templates: text files beside the code that fills them, overridable per component.

Every prompt lives in `<package>/prompts/<name>.txt`, so it can be read and diffed as text,
and is filled with str.format. A component declares which placeholders its code fills; a
user's override is checked against them when the component is built, not when a run fails.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

from agentkit.errors import ConfigError

__all__ = ["PromptTemplates", "load_prompt", "placeholders"]


@functools.cache
def load_prompt(package: str, name: str) -> str:
    """The template `<package>/prompts/<name>.txt` (placeholders in {braces})."""
    path = resources.files(package) / "prompts" / f"{name}.txt"
    return path.read_text(encoding="utf-8")


def placeholders(template: str) -> set[str]:
    """The names a template's {placeholders} use (`{a.b}` and `{a[0]}` use `a`; `{}` is "")."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:  # a single { or }
        raise ConfigError(f"{exc}; write a literal brace as {{{{ or }}}}") from exc
    return {f.split(".", 1)[0].split("[", 1)[0] for f in fields}


class PromptTemplates(Mapping[str, str]):
    """A component's templates by name: the packaged defaults, with `overrides` in place of any.

    `fields` maps each template name to the placeholders the code fills; an override must
    use exactly those (a missing one would drop what the code meant to show, an unknown one
    would fail at format time)."""

    def __init__(
        self,
        owner: str,
        package: str,
        fields: Mapping[str, Iterable[str]],
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.owner = owner
        self.fields = {name: frozenset(names) for name, names in fields.items()}
        unknown = sorted(set(overrides or {}) - set(self.fields))
        if unknown:
            raise ConfigError(
                f"{owner} has no prompt template {unknown[0]!r}; its templates are: "
                f"{', '.join(self.fields)}"
            )
        self._texts = {name: load_prompt(package, name) for name in self.fields}
        self._texts.update(overrides or {})
        for name, text in self._texts.items():
            self._check(name, text)

    def _check(self, name: str, text: str) -> None:
        where = f"{self.owner} prompt template {name!r}"
        try:
            used = placeholders(text)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        wanted = self.fields[name]
        allowed = ", ".join(f"{{{f}}}" for f in sorted(wanted)) or "none"
        for problem, names in (("lacks", wanted - used), ("has an unknown", used - wanted)):
            if names:
                raise ConfigError(
                    f"{where} {problem} placeholder {{{sorted(names)[0]}}}; "
                    f"its placeholders are: {allowed}"
                )

    def render(self, name: str, **values: Any) -> str:
        """Template `name` filled with `values`."""
        return self._texts[name].format(**values)

    def __getitem__(self, name: str) -> str:
        return self._texts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)
