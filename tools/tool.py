"""A tool: a typed Python function (sync or async) the model calls as `name[input]`.

It returns text (or any value, shown as text), or an Observation to report more (e.g. that it
cut its own output).

The argument model is built from the function's signature, so the model's text input is
validated by pydantic before the function runs. Whatever happens inside (bad input, an
exception, a timeout) comes back as an Observation; only a run's budget running out is
raised, because that ends the run rather than one step.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints, overload

from pydantic import BaseModel, Field, ValidationError, create_model

from agentkit.errors import BudgetExceededError, ConfigError
from agentkit.packing import cap_tokens
from agentkit.tools.context import ToolContext
from agentkit.tools.docs import describe_args, read_docstring
from agentkit.tools.observation import Observation
from agentkit.types import ToolSpec

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class Tool:
    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout_s: float | None = 30.0,
        max_tokens: int | None = None,
        terminal: bool = False,
    ) -> None:
        """`max_tokens` caps this tool's observations (else the run's default cap applies);
        a `terminal` tool's result is the final answer (e.g. finish)."""
        self.fn = fn
        self.name = name or fn.__name__
        if not NAME.fullmatch(self.name):
            raise ConfigError(
                f"tool name {self.name!r} cannot be written as name[input]; use letters, "
                "digits, '_' or '-', starting with a letter"
            )
        summary, self.arg_docs = read_docstring(inspect.getdoc(fn) or "")
        self.description = description or summary
        if not self.description:
            raise ConfigError(f"tool {self.name!r} needs a description: pass one or a docstring")
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.terminal = terminal
        self._context_param, self.args_model = _args_model(fn, self.name, self.arg_docs)
        self.text_field = _text_field(self.args_model)

    def __repr__(self) -> str:
        return f"Tool({self.usage})"

    @property
    def usage(self) -> str:
        """How the model writes a call: `search[query]`, or JSON for several arguments."""
        if self.text_field is not None:
            return f"{self.name}[{self.text_field}]"
        fields = ", ".join(f"{json.dumps(f)}: ..." for f in self.args_model.model_fields)
        return f"{self.name}[{{{fields}}}]"

    def render(self) -> str:
        """One line: `convert[value]: what it does (value: ...; unit: ..., default "m")`, the
        parenthesis only where the docstring has an Args section."""
        return f"{self.usage}: {self.description}{describe_args(self.args_model, self.arg_docs)}"

    @property
    def spec(self) -> ToolSpec:
        """What a model is told of this tool (test models use it to call it validly)."""
        return ToolSpec(
            name=self.name,
            description=self.description,
            usage=self.usage,
            parameters=self.args_model.model_json_schema(),
            text_argument=self.text_field,
            terminal=self.terminal,
        )

    def parse(self, raw: str | Mapping[str, Any]) -> BaseModel:
        """Validate the model's input: a mapping, JSON of the arguments, or any text, exactly
        as given, for the text argument (JSON naming other keys is text too)."""
        if isinstance(raw, Mapping):
            return self.args_model.model_validate(raw)
        fields = self.args_model.model_fields
        args = _json_object(raw)
        names_arguments = len(fields) > 1 and args.keys() <= fields.keys()
        if args and (self.text_field is None or names_arguments):
            return self.args_model.model_validate(args)
        if self.text_field is None:
            raise ValueError(f"{self.name} takes several arguments; write {self.usage}")
        return self.args_model.model_validate({self.text_field: raw})

    async def __call__(
        self, raw: str | Mapping[str, Any], ctx: ToolContext | None = None
    ) -> Observation:
        ctx = ctx or ToolContext()
        t0 = time.perf_counter()
        try:
            args = self.parse(raw)
        except (ValidationError, ValueError) as exc:
            msg = f"bad input for {self.name} ({_brief(exc)}); call it as {self.usage}"
            return Observation.failure(msg, time.perf_counter() - t0)
        kwargs = {name: getattr(args, name) for name in self.args_model.model_fields}
        if self._context_param:
            kwargs[self._context_param] = ctx
        try:
            result = await asyncio.wait_for(self._invoke(kwargs), self.timeout_s)
        except BudgetExceededError:
            raise
        except asyncio.TimeoutError:
            msg = f"{self.name} timed out after {self.timeout_s:g}s"
            return Observation.failure(msg, time.perf_counter() - t0)
        except Exception as exc:
            msg = f"{self.name} failed: {type(exc).__name__}: {exc}"
            return Observation.failure(msg, time.perf_counter() - t0)
        obs = result if isinstance(result, Observation) else Observation(text=_as_text(result))
        limit = self.max_tokens or ctx.max_observation_tokens
        text, cut = cap_tokens(obs.text, limit, ctx.count) if limit else (obs.text, False)
        return obs.model_copy(
            update={
                "text": text,
                "truncated": obs.truncated or cut,
                "latency_s": time.perf_counter() - t0,
            }
        )

    async def _invoke(self, kwargs: dict[str, Any]) -> Any:
        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(**kwargs)
        return await asyncio.to_thread(self.fn, **kwargs)


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    timeout_s: float | None = 30.0,
    max_tokens: int | None = None,
    terminal: bool = False,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Make a Tool of a function: `@tool` or `@tool(name=..., timeout_s=...)`."""
    if fn is None:
        return lambda f: Tool(f, **options)
    return Tool(fn, **options)


def _args_model(
    fn: Callable[..., Any], name: str, docs: Mapping[str, str]
) -> tuple[str | None, type[BaseModel]]:
    """(name of the injected ToolContext parameter or None, pydantic model of the rest, each
    field described by the docstring's Args where it says something)."""
    hints = get_type_hints(fn)
    context_param = None
    fields: dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ConfigError(f"tool {name!r}: *args/**kwargs cannot be validated; name them")
        hint = hints.get(p.name, Any)
        if hint is ToolContext:
            context_param = p.name
            continue
        default = ... if p.default is p.empty else p.default
        fields[p.name] = (hint, Field(default, description=docs.get(p.name) or None))
    model_name = "".join(part.title() for part in re.split(r"[_-]", name)) + "Args"
    return context_param, create_model(model_name, **fields)


def _text_field(model: type[BaseModel]) -> str | None:
    """The argument a plain-text input fills: the only one, or the only required one."""
    fields = model.model_fields
    required = [n for n, f in fields.items() if f.is_required()]
    if len(required) == 1:
        return required[0]
    return next(iter(fields)) if len(fields) == 1 else None


def _json_object(raw: str) -> dict[str, Any]:
    """The JSON object `raw` is, or {} if it is none."""
    if not raw.lstrip().startswith("{"):
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _as_text(result: Any) -> str:
    return result.model_dump_json() if isinstance(result, BaseModel) else str(result)


def _brief(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        return f"{where}: {err['msg']}" if where else err["msg"]
    return str(exc)
