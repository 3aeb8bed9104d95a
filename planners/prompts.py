"""Prompt templates, kept as text files in planners/prompts/ so they can be read and diffed."""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def load_prompt(name: str) -> str:
    """The template `prompts/<name>.txt` (placeholders in {braces}, filled with str.format)."""
    return (resources.files(__package__) / "prompts" / f"{name}.txt").read_text(encoding="utf-8")
