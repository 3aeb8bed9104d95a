"""Typed request/response values shared by every LLM backend."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


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


class CallLabels(BaseModel):
    """What a call was for; the ledger sums by these."""

    model_config = ConfigDict(frozen=True)

    run: str = "default"
    role: str = "default"
    step: int | None = None
    purpose: str = ""


class Usage(BaseModel):
    """Token usage exactly as the engine reported it."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

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

    @property
    def text(self) -> str:
        return self.texts[0] if self.texts else ""

    @property
    def overhead_s(self) -> float:
        """Time agentkit itself added around the HTTP exchange."""
        return max(0.0, self.latency_s - self.http_s)
