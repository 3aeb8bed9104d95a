"""The LLM layer: typed calls to vLLM with exact usage."""

from agentkit.llm.client import LLM
from agentkit.llm.connect import connect
from agentkit.llm.server import ServerConfig, VLLMServer, list_servers
from agentkit.types import CallLabels, Completion, Message, StructuredOutput, Usage

__all__ = [
    "LLM",
    "CallLabels",
    "Completion",
    "Message",
    "ServerConfig",
    "StructuredOutput",
    "Usage",
    "VLLMServer",
    "connect",
    "list_servers",
]
