"""What a tool call gives back: data for the planner, failures included."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from agentkit.text import clean_text


class Observation(BaseModel):
    """A tool's result as data: the planner reads `text`; failures are observations too."""

    text: str
    ok: bool = True
    error: str | None = None
    truncated: bool = False
    latency_s: float = 0.0

    @field_validator("text")
    @classmethod
    def _encodable(cls, text: str) -> str:
        return clean_text(text)

    @classmethod
    def failure(cls, error: str, latency_s: float = 0.0) -> Observation:
        return cls(text=f"Error: {error}", ok=False, error=error, latency_s=latency_s)
