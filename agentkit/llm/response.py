"""Reading an OpenAI-compatible server's replies, trusting nothing about their shape.

A reply that is not valid UTF-8 JSON, has no choices, a null message, or a usage block with
negative or non-integer counts is a MalformedResponseError naming what was wrong, never a
KeyError or a budget quietly refilled. A missing usage block is allowed (some servers omit
it): the caller then counts the tokens itself and says so.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError

from agentkit.errors import MalformedResponseError, TransientLLMError
from agentkit.llm.errors_map import error_for, error_message
from agentkit.types import Usage


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Usage(_Strict):
    prompt_tokens: StrictInt = Field(ge=0)
    completion_tokens: StrictInt = Field(ge=0)
    prompt_tokens_details: dict[str, Any] | None = None

    def usage(self) -> Usage:
        cached = (self.prompt_tokens_details or {}).get("cached_tokens") or 0
        if not isinstance(cached, int) or isinstance(cached, bool) or cached < 0:
            raise MalformedResponseError(f"usage has cached_tokens={cached!r}")
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cached_tokens=cached,
        )


class _Message(_Strict):
    content: str | None = None


class _TokenLogprob(_Strict):
    logprob: float


class _Logprobs(_Strict):
    content: list[_TokenLogprob] | None = None


class _Choice(_Strict):
    message: _Message
    finish_reason: str | None = None
    logprobs: _Logprobs | None = None


def _no_usage(value: Any) -> Any:
    """An empty usage block reports nothing: treated like a missing one (counted here)."""
    return None if value == {} else value


class _Response(_Strict):
    choices: list[_Choice] = Field(min_length=1)
    usage: Annotated[_Usage | None, BeforeValidator(_no_usage)] = None


class _Delta(_Strict):
    content: str | None = None


class _ChunkChoice(_Strict):
    index: StrictInt = Field(default=0, ge=0)
    delta: _Delta | None = None
    finish_reason: str | None = None


class _Chunk(_Strict):
    choices: list[_ChunkChoice] = []
    usage: Annotated[_Usage | None, BeforeValidator(_no_usage)] = None


class Reply(BaseModel):
    """What a whole response (or a whole stream) said."""

    texts: list[str]
    finish_reasons: list[str | None]
    usage: Usage | None
    logprobs: list[list[float]] | None = None  # per choice, per token; when asked for


def _load(raw: bytes | str, what: str) -> Any:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedResponseError(f"{what} is not UTF-8 JSON ({exc}): {raw[:120]!r}") from None


def _validated(model: type[_Strict], data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise MalformedResponseError(f"{what} is malformed at {where}: {first['msg']}") from None


def parse_response(raw: bytes | str) -> Reply:
    """A non-streamed chat completion."""
    data = _validated(_Response, _load(raw, "the response"), "the response")
    return Reply(
        texts=[c.message.content or "" for c in data.choices],
        finish_reasons=[c.finish_reason for c in data.choices],
        usage=data.usage.usage() if data.usage else None,
        logprobs=_logprobs(data.choices),
    )


def _logprobs(choices: list[_Choice]) -> list[list[float]] | None:
    """Each choice's token log-probabilities, when the request asked for them."""
    if all(c.logprobs is None or c.logprobs.content is None for c in choices):
        return None
    return [[t.logprob for t in (c.logprobs.content or [])] if c.logprobs else [] for c in choices]


class StreamReader:
    """Server-sent events of a streamed completion, accumulated per choice. A stream that
    stops before `data: [DONE]` broke off (worth a retry); one that ends without a finish
    reason for each choice, or with a line that is not UTF-8 JSON, is malformed."""

    def __init__(self, n: int, model: str = "") -> None:
        self.model = model
        self.texts = [""] * n
        self.finish_reasons: list[str | None] = [None] * n
        self.usage: Usage | None = None
        self.done = False

    def feed(self, raw: bytes) -> str:
        """Take one SSE line; returns the new text of choice 0 (for on_token)."""
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise MalformedResponseError(f"a stream line is not UTF-8: {raw[:120]!r}") from None
        if line == "data: [DONE]":
            self.done = True
        if not line.startswith("data: ") or self.done:
            return ""
        data = _load(line[6:], "a stream chunk")
        if isinstance(data, dict) and ("error" in data or data.get("object") == "error"):
            nested = data.get("error")
            error: dict[str, Any] = nested if isinstance(nested, dict) else data
            code = error.get("code")
            code = code if isinstance(code, int) else 500
            raise error_for(code, error_message(data), self.model)
        chunk = _validated(_Chunk, data, "a stream chunk")
        self.usage = chunk.usage.usage() if chunk.usage else self.usage
        new = ""
        for choice in chunk.choices:
            if choice.index >= len(self.texts):
                raise MalformedResponseError(f"a stream chunk names choice {choice.index}")
            delta = (choice.delta.content if choice.delta else None) or ""
            self.texts[choice.index] += delta
            self.finish_reasons[choice.index] = (
                choice.finish_reason or self.finish_reasons[choice.index]
            )
            if choice.index == 0:
                new += delta
        return new

    def reply(self) -> Reply:
        if not self.done:
            raise TransientLLMError("the stream ended before [DONE]: the connection broke")
        if None in self.finish_reasons:
            raise MalformedResponseError("the stream finished without a finish_reason")
        return Reply(texts=self.texts, finish_reasons=self.finish_reasons, usage=self.usage)


class _ModelEntry(_Strict):
    model_config = ConfigDict(extra="allow")

    id: str
    max_model_len: StrictInt | None = Field(default=None, ge=1)
    root: str | None = None


class _Models(_Strict):
    data: list[_ModelEntry] = []


def parse_models(raw: bytes | str) -> list[dict[str, Any]]:
    """GET /v1/models: what the server serves."""
    data = _validated(_Models, _load(raw, "the model list"), "the model list")
    return [m.model_dump() for m in data.data]
