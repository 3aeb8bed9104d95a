"""Interactive terminal sessions with an agent (`agentkit chat`), one-off runs (`agentkit
run`), traces as trees (`agentkit trace show`) and document indexes (`agentkit index`)."""

from agentkit.chat.commands import Command, parse_command
from agentkit.chat.config import ChatConfig, load_config
from agentkit.chat.conversation import Context, Conversation, Turn
from agentkit.chat.memory import ChatMemory
from agentkit.chat.session import ChatSession, TurnReport

__all__ = [
    "ChatConfig",
    "ChatMemory",
    "ChatSession",
    "Command",
    "Context",
    "Conversation",
    "Turn",
    "TurnReport",
    "load_config",
    "parse_command",
]
