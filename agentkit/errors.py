"""Every error agentkit raises on purpose. Each message says what went wrong and how to fix it.

AgentkitError
├── ConfigError (also ValueError)          a setting, path or argument is wrong
├── ModelNotFoundError                     unknown model, or one the server does not serve
├── ModelIntegrityError                    downloaded weights fail their sha256
├── InsufficientDiskError                  no room for a download or conversion
├── DownloadError                          a data download failed (offline, bad sha256)
├── BudgetExceededError                    a call would pass a budget (raised before sending)
├── ModelRequestsDisabledError             a real model request while tests forbid them
├── SandboxError                           the code sandbox cannot start (bwrap missing, ...)
├── RemoteRunError                         a Ray task failed for good (rerun with --resume)
├── MalformedMemoryError                   a distiller's reply could not be read (logged, dropped)
├── LLMError                               from the inference server
│   ├── ServerUnreachableError             nothing answers at the URL
│   ├── ServerStartError                   a local vLLM did not start or become healthy
│   ├── ContextWindowExceededError         prompt + max_tokens exceed the context window
│   ├── StructuredOutputError              bad schema/regex/grammar, or output not matching
│   ├── MalformedResponseError             a reply that is not a valid chat completion
│   └── TransientLLMError                  worth retrying (timeouts, 5xx, resets)
├── PlannerError                           a planner could not reach an answer
│   ├── PlanError (also ValueError)        a plan could not be read or run as written
│   │   └── ProgramRefusedError            a program uses what the plan language leaves out
│   └── ProgramError                       a CodeAgents program failed as it ran (names the line)
│       ├── ProgramLimitError              it passed a step, time, size or call limit
│       ├── ProgramAssertionError          one of its asserts failed (the message is the feedback)
│       └── ToolResultError                a tool failed or gave an empty or implausible result
└── MemoryStoreError                       from the vector store
    ├── DimensionMismatchError (ValueError) vectors of another dimension
    ├── EmbedderMismatchError              opened with another embedder than built it
    ├── CorruptStoreError                  damaged files; nothing is deleted
    ├── StoreLockedError                   another process holds the writer lock
    ├── ReadOnlyStoreError                 a write to a read-only store
    └── DuplicateIdError (also ValueError) `add` got an id that exists
"""

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


class DownloadError(AgentkitError):
    """A data file could not be downloaded, or it failed its sha256."""


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


class MalformedResponseError(LLMError):
    """The server's reply is not a valid chat completion (bad JSON or UTF-8, no choices,
    negative or non-integer usage)."""


class TransientLLMError(LLMError):
    """A failure worth retrying (timeouts, 5xx, connection resets)."""


class BudgetExceededError(AgentkitError):
    """A call would exceed a token, request or time budget. Raised before sending."""


class PlannerError(AgentkitError):
    """A planner could not reach an answer (its Agent reports this in the result)."""


class PlanError(PlannerError, ValueError):
    """A plan could not be read or run as written (no steps, a step used before it exists...)."""


class ProgramRefusedError(PlanError):
    """A CodeAgents program uses something its language does not allow (an import, a dunder
    name, an attribute outside the allow-list, ...); refused before anything runs."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class ProgramError(PlannerError):
    """A CodeAgents program failed as it ran; `line` is the program line that failed, and
    the message starts with it, so the replanner and a person read the same feedback."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class ProgramLimitError(ProgramError):
    """A program passed one of its limits (steps, time, sizes, integer size, tool calls)."""


class ProgramAssertionError(ProgramError):
    """An `assert` of the program failed; its message is the program's own feedback."""


class ToolResultError(ProgramError):
    """A tool called by a program failed, or returned nothing usable (empty, "unknown")."""


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


class MalformedMemoryError(AgentkitError):
    """A memory distiller's reply held no usable item (bad JSON, empty, an essay). Learning
    logs it and keeps nothing from that reply; it never ends a run."""


class ModelRequestsDisabledError(AgentkitError):
    """A real model request while agentkit.llm.ALLOW_MODEL_REQUESTS is False (in tests)."""


class SandboxError(AgentkitError):
    """The code sandbox cannot start here (bubblewrap missing or not permitted); what the
    sandboxed code itself does is never raised, it is the tool's result."""


class RemoteRunError(AgentkitError):
    """A question sent to a Ray cluster failed for good: its system raised, or its worker
    died more often than the task may be retried. The results so far are in the run's JSONL,
    and the same command with --resume runs only what is missing."""
