"""Typed request/response values shared by every LLM backend."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agentkit.text import clean_text

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    content: str

    @field_validator("content")
    @classmethod
    def _encodable(cls, text: str) -> str:
        return clean_text(text)


def as_messages(prompt: str | list[Message] | list[dict[str, str]]) -> list[Message]:
    """Accept a bare string (one user turn), dicts or Messages."""
    if isinstance(prompt, str):
        return [Message(role="user", content=prompt)]
    return [m if isinstance(m, Message) else Message.model_validate(m) for m in prompt]


class StructuredOutput(BaseModel):
    """Constrain decoding; exactly one of the three is set."""

    model_config = ConfigDict(frozen=True)

    json_schema: dict[str, Any] | None = None
    regex: str | None = None
    grammar: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> StructuredOutput:
        given = [x for x in (self.json_schema, self.regex, self.grammar) if x is not None]
        if len(given) != 1:
            raise ValueError("StructuredOutput needs exactly one of json_schema, regex, grammar")
        return self

    def wire(self) -> dict[str, Any]:
        """vLLM's `structured_outputs` request field."""
        for key, value in (("json", self.json_schema), ("regex", self.regex)):
            if value is not None:
                return {key: value}
        return {"grammar": self.grammar}


class CallLabels(BaseModel):
    """What a call was for; the ledger sums by these."""

    model_config = ConfigDict(frozen=True)

    run: str = "default"
    role: str = "default"
    step: int | None = None
    purpose: str = ""


class ToolSpec(BaseModel):
    """A tool as a model sees it. The vLLM client ignores these (planners write tool calls as
    text); test models read them to call tools with valid arguments."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    usage: str = Field(description="how a call is written, e.g. `search[query]`")
    parameters: dict[str, Any] = Field(description="JSON schema of the arguments")
    text_argument: str | None = Field(
        default=None, description="the argument a plain-text input fills; None: write JSON"
    )
    terminal: bool = Field(default=False, description="its call gives the final answer")


class CallInfo(BaseModel):
    """One call's request, after the shared checks, as a model backend receives it."""

    model_config = ConfigDict(frozen=True)

    labels: CallLabels = Field(default_factory=CallLabels)
    tools: tuple[ToolSpec, ...] = ()
    structured: StructuredOutput | None = None
    max_tokens: int = 256
    stop: tuple[str, ...] | None = None
    temperature: float = 0.0
    top_p: float | None = None
    n: int = 1
    seed: int | None = None
    extra_body: dict[str, Any] = Field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The request's settings in vLLM's wire form (what the ledger records as `params`)."""
        params: dict[str, Any] = {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "n": self.n,
        }
        stop = None if self.stop is None else list(self.stop)
        optional = {"top_p": self.top_p, "stop": stop, "seed": self.seed}
        params.update({k: v for k, v in optional.items() if v is not None})
        if self.structured is not None:
            params["structured_outputs"] = self.structured.wire()
        params.update(self.extra_body)
        return params


class Usage(BaseModel):
    """Token usage exactly as the engine reported it (or, where it reported none, as counted
    here: see Completion.usage_counted). Never negative, so a budget cannot be refilled."""

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


class Completion(BaseModel):
    """One call's outcome: n choices, exact usage and where the time went."""

    texts: list[str]
    finish_reasons: list[str | None] = Field(default_factory=list)
    usage: Usage
    model: str
    latency_s: float
    http_s: float = Field(description="time spent waiting on the server, inside latency_s")
    labels: CallLabels = Field(default_factory=CallLabels)
    usage_counted: bool = Field(
        default=False,
        description="the server reported no usage: prompt and completion were counted here",
    )
    endpoint: str | None = Field(
        default=None, description="the server that answered (its base URL), when one did"
    )
    logprobs: list[list[float]] | None = Field(
        default=None,
        description="each choice's token log-probabilities, when asked for (extra_body "
        '{"logprobs": true}; non-streamed calls)',
    )

    @field_validator("texts")
    @classmethod
    def _encodable(cls, texts: list[str]) -> list[str]:
        return [clean_text(t) for t in texts]

    @property
    def text(self) -> str:
        return self.texts[0] if self.texts else ""

    @property
    def overhead_s(self) -> float:
        """Time agentkit itself added around the HTTP exchange."""
        return max(0.0, self.latency_s - self.http_s)
