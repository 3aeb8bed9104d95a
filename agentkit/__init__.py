"""agentkit: LLM agents that reach the same answers with far fewer tokens.

The user's surface, grouped. Internals (budget trackers, call labels, the server
supervisor, packing helpers) stay importable from their modules. Names from the memory
store and the graph load lazily, so `import agentkit` does not load FAISS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentkit import errors

# -- agent ---------------------------------------------------------------------------------
from agentkit.agent import Agent, AgentResult, RunStatus

# -- budgets, usage, traces ------------------------------------------------------------------
from agentkit.budget import Budget, Limits

# -- errors (the whole tree is drawn in agentkit.errors) ---------------------------------------
from agentkit.errors import (
    AgentkitError,
    BudgetExceededError,
    ConfigError,
    ContextWindowExceededError,
    LLMError,
    MemoryStoreError,
    ModelNotFoundError,
    PlanError,
    PlannerError,
    ServerUnreachableError,
    StructuredOutputError,
)
from agentkit.lazy import lazy_exports
from agentkit.ledger import Ledger, Totals

# -- models ------------------------------------------------------------------------------------
from agentkit.llm import (
    LLM,
    Completion,
    Message,
    Model,
    ServerConfig,
    StructuredOutput,
    Usage,
    connect,
)

# -- retrieval and text --------------------------------------------------------------------
from agentkit.memory.evidence import LinkedEvidence
from agentkit.memory.lexical import Corpus
from agentkit.models import DEFAULT_MODEL, TEST_MODEL

# -- planners ----------------------------------------------------------------------------------
from agentkit.planners import (
    SMR,
    Auto,
    CodeAgents,
    Planner,
    PlannerOutput,
    Policy,
    ReAct,
    Reader,
    ReWOO,
    RunContext,
)
from agentkit.text import Paragraph, Passage

# -- tools -------------------------------------------------------------------------------------
from agentkit.tools import (
    Observation,
    Tool,
    ToolContext,
    calculator_tool,
    finish_tool,
    llm_tool,
    search_tool,
    tool,
)
from agentkit.trace import TraceWriter, read_trace

if TYPE_CHECKING:
    from agentkit.memory.graph import GraphRetriever, KnowledgeIndex
    from agentkit.memory.store import (
        Collection,
        HashingEmbedder,
        SentenceTransformerEmbedder,
        VectorStore,
    )
    from agentkit.tools.graph_search import graph_search_tool

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "GraphRetriever": "agentkit.memory.graph",
        "KnowledgeIndex": "agentkit.memory.graph",
        "graph_search_tool": "agentkit.tools.graph_search",
        "Collection": "agentkit.memory.store",
        "HashingEmbedder": "agentkit.memory.store",
        "SentenceTransformerEmbedder": "agentkit.memory.store",
        "VectorStore": "agentkit.memory.store",
    },
)

__all__ = [
    "DEFAULT_MODEL",
    "LLM",
    "SMR",
    "TEST_MODEL",
    "Agent",
    "AgentResult",
    "AgentkitError",
    "Auto",
    "Budget",
    "BudgetExceededError",
    "CodeAgents",
    "Collection",
    "Completion",
    "ConfigError",
    "ContextWindowExceededError",
    "Corpus",
    "GraphRetriever",
    "HashingEmbedder",
    "KnowledgeIndex",
    "LLMError",
    "Ledger",
    "Limits",
    "LinkedEvidence",
    "MemoryStoreError",
    "Message",
    "Model",
    "ModelNotFoundError",
    "Observation",
    "Paragraph",
    "Passage",
    "PlanError",
    "Planner",
    "PlannerError",
    "PlannerOutput",
    "Policy",
    "ReAct",
    "ReWOO",
    "Reader",
    "RunContext",
    "RunStatus",
    "SentenceTransformerEmbedder",
    "ServerConfig",
    "ServerUnreachableError",
    "StructuredOutput",
    "StructuredOutputError",
    "Tool",
    "ToolContext",
    "Totals",
    "TraceWriter",
    "Usage",
    "VectorStore",
    "calculator_tool",
    "connect",
    "errors",
    "finish_tool",
    "graph_search_tool",
    "llm_tool",
    "read_trace",
    "search_tool",
    "tool",
]
