"""The LLM layer: typed calls to vLLM with exact usage."""

from agentkit.llm.client import LLM
from agentkit.llm.connect import connect
from agentkit.llm.model import Model, ModelBase
from agentkit.llm.pool import EndpointPool, PoolSettings
from agentkit.llm.server import ServerConfig, VLLMServer, list_servers
from agentkit.types import (
    CallInfo,
    CallLabels,
    Completion,
    Message,
    StructuredOutput,
    ToolSpec,
    Usage,
)

ALLOW_MODEL_REQUESTS = True
"""False makes the vLLM client raise ModelRequestsDisabledError instead of sending anything
(set it in a test suite's conftest; test models are never blocked)."""

__all__ = [
    "ALLOW_MODEL_REQUESTS",
    "LLM",
    "CallInfo",
    "CallLabels",
    "Completion",
    "EndpointPool",
    "Message",
    "Model",
    "ModelBase",
    "PoolSettings",
    "ServerConfig",
    "StructuredOutput",
    "ToolSpec",
    "Usage",
    "VLLMServer",
    "connect",
    "list_servers",
]
