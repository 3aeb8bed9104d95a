"""Models for tests: no server, the real bookkeeping.

`TestModel()` answers every call validly by itself (a text matching a requested regex, JSON
schema or grammar; otherwise it calls each offered tool once, then gives a final answer).
`FunctionModel(fn)` answers with your function of the messages and the call's `CallInfo`
(labels, tools, structured-output spec, max_tokens, stop, ...). Both count tokens with
`WordCounter` unless given another tokenizer, and treat replies as vLLM would (stop strings,
max_tokens, constraints), so budgets, labels and the ledger behave as with a real model.

To make sure a test suite never reaches a real model, put in its conftest:

    import agentkit.llm
    agentkit.llm.ALLOW_MODEL_REQUESTS = False

or wrap code in `override_allow_model_requests(False)`.
"""

from agentkit.testing.function import (
    FunctionModel,
    ModelCall,
    ModelFunction,
    check_structure,
    in_order,
)
from agentkit.testing.grammars import sample_grammar
from agentkit.testing.guard import override_allow_model_requests
from agentkit.testing.regexes import sample_regex
from agentkit.testing.schemas import sample_schema
from agentkit.testing.test import TestModel, tool_input
from agentkit.testing.words import WordCounter
from agentkit.types import CallInfo, ToolSpec

__all__ = [
    "CallInfo",
    "FunctionModel",
    "ModelCall",
    "ModelFunction",
    "TestModel",
    "ToolSpec",
    "WordCounter",
    "check_structure",
    "in_order",
    "override_allow_model_requests",
    "sample_grammar",
    "sample_regex",
    "sample_schema",
    "tool_input",
]
