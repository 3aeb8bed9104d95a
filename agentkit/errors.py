"""Typed exceptions. Each message says what went wrong and how to fix it."""

from __future__ import annotations


class AgentkitError(Exception):
    """Base class for every error agentkit raises on purpose."""


class ConfigError(AgentkitError, ValueError):
    """A setting, path or argument is wrong."""


class ModelNotFoundError(AgentkitError):
    """An unknown model name, or a model the server does not serve."""


class ModelIntegrityError(AgentkitError):
    """Downloaded weights do not match their published sha256."""


class InsufficientDiskError(AgentkitError):
    """Not enough free disk for a download or a conversion."""


class LLMError(AgentkitError):
    """Base class for errors from the inference server."""


class ServerUnreachableError(LLMError):
    """No server answers at the configured URL."""


class ServerStartError(LLMError):
    """A local vLLM server failed to start or become healthy."""


class ContextWindowExceededError(LLMError):
    """The prompt plus requested output does not fit the model's context window."""


class StructuredOutputError(LLMError):
    """A JSON schema, regex or grammar was rejected, or output did not match it."""


class TransientLLMError(LLMError):
    """A failure worth retrying (timeouts, 5xx, connection resets)."""


class BudgetExceededError(AgentkitError):
    """A call would exceed a token, request or time budget. Raised before sending."""


class MemoryStoreError(AgentkitError):
    """Base class for errors from the vector memory store (agentkit.memory)."""


class DimensionMismatchError(MemoryStoreError, ValueError):
    """Vectors or an embedder have a different dimension than the store."""


class EmbedderMismatchError(MemoryStoreError):
    """A store is opened with a different embedder than the one that built it."""


class CorruptStoreError(MemoryStoreError):
    """A store's files are damaged or inconsistent. Nothing is deleted."""


class StoreLockedError(MemoryStoreError):
    """Another process holds the store open for writing."""


class ReadOnlyStoreError(MemoryStoreError):
    """A write was attempted on a store opened read-only."""


class DuplicateIdError(MemoryStoreError, ValueError):
    """`add` got an id that exists already (or twice in one batch)."""
