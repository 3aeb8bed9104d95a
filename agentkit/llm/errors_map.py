"""Turn HTTP failures from an OpenAI-compatible server into agentkit's typed errors."""

from __future__ import annotations

import httpx

from agentkit.errors import (
    AgentkitError,
    ContextWindowExceededError,
    LLMError,
    ModelNotFoundError,
    StructuredOutputError,
    TransientLLMError,
)

_STRUCTURED_HINTS = ("structured", "grammar", "schema", "regex", "guided", "xgrammar", "json")
_CONTEXT_HINTS = ("context length", "maximum context", "max_model_len", "too long", "exceeds")


def error_for_response(resp: httpx.Response, model: str) -> AgentkitError:
    try:
        message = error_message(resp.json())
    except ValueError:
        message = resp.text[:500]
    return error_for(resp.status_code, message, model)


def error_message(body: object) -> str:
    """The message of an error body: {"error": {"message": ...}} or {"message": ...}."""
    detail = body.get("error", body) if isinstance(body, dict) else body
    return str(detail.get("message", detail)) if isinstance(detail, dict) else str(detail)


def error_for(code: int, message: str, model: str) -> AgentkitError:
    """The typed error for an HTTP status and the server's message (also for an error event
    in the middle of a stream, whose HTTP status was already 200)."""
    low = message.lower()
    if code in (408, 429) or code >= 500:
        return TransientLLMError(f"server error {code}: {message}")
    if code == 404 and "model" in low:
        return ModelNotFoundError(
            f"the server does not serve model {model!r}: {message}. "
            "List what it serves with `agentkit serve status` or GET /v1/models."
        )
    if code in (401, 403):
        return LLMError(f"server refused credentials ({code}); set api_key= or AGENTKIT_API_KEY")
    if any(h in low for h in _CONTEXT_HINTS) and "token" in low:
        return ContextWindowExceededError(f"prompt does not fit the model's context: {message}")
    if any(h in low for h in _STRUCTURED_HINTS):
        return StructuredOutputError(f"structured output rejected by the server: {message}")
    return LLMError(f"server rejected the request ({code}): {message}")
