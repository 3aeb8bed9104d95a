"""TestModel: replies that need no function and no server, valid for whatever a call asks.

- With a regex, JSON schema or lark grammar: a short text the constraint accepts (so a
  constrained ReWOO plan parses, and SMR reads a valid action).
- Otherwise, agentkit's text tool-call convention: while a tool offered to the call (its
  `tools`) and named by `call_tools` has not been called in this run (`labels.run`), the reply
  is `Action: NAME[ARG]`, ARG valid for the tool's arguments; then the final answer, as
  `Action: TERMINAL[TEXT]` when a terminal tool (e.g. finish) is offered, else
  `Final Answer: TEXT`, TEXT being `custom_output_text` or "a".

A tool counts as called once any reply of the run writes `NAME[` (a ReAct action, or a
step of a ReWOO plan). So ReAct calls each tool once, then finishes.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from agentkit.budget import Budget
from agentkit.ledger import Ledger
from agentkit.testing.function import FunctionModel
from agentkit.testing.grammars import sample_grammar
from agentkit.testing.regexes import sample_regex
from agentkit.testing.schemas import sample_schema
from agentkit.tokens import TokenCounter
from agentkit.types import CallInfo, Message, StructuredOutput, ToolSpec


class TestModel(FunctionModel):
    """`seed` 0 writes the simplest valid texts; another seed varies them, reproducibly."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        *,
        custom_output_text: str | None = None,
        call_tools: Literal["all"] | Sequence[str] = "all",
        seed: int = 0,
        tokenizer: TokenCounter | None = None,
        context_window: int | None = 8192,
        ledger: Ledger | None = None,
        budget: Budget | None = None,
        system: str | None = None,
        name: str = "test",
    ) -> None:
        super().__init__(
            self._respond,
            tokenizer=tokenizer,
            context_window=context_window,
            ledger=ledger,
            budget=budget,
            system=system,
            name=name,
        )
        self.custom_output_text = custom_output_text
        self.call_tools = call_tools
        self.seed = seed
        self._called: defaultdict[str, set[str]] = defaultdict(set)

    def _respond(self, messages: list[Message], info: CallInfo) -> str:
        if info.structured is not None:
            text = self._constrained(info.structured)
        else:
            text = self._turn(info)
        called = self._called[info.labels.run]
        called.update(t.name for t in info.tools if _calls(text, t.name))
        return text

    def _constrained(self, structured: StructuredOutput) -> str:
        if structured.regex is not None:
            return sample_regex(structured.regex, seed=self.seed)
        if structured.json_schema is not None:
            return json.dumps(sample_schema(structured.json_schema, seed=self.seed))
        return sample_grammar(str(structured.grammar), seed=self.seed)

    def _turn(self, info: CallInfo) -> str:
        called = self._called[info.labels.run]
        for spec in info.tools:
            wanted = self.call_tools == "all" or spec.name in self.call_tools
            if wanted and not spec.terminal and spec.name not in called:
                return f"Action: {spec.name}[{tool_input(spec, seed=self.seed)}]"
        answer = "a" if self.custom_output_text is None else self.custom_output_text
        terminal = next((t for t in info.tools if t.terminal), None)
        return f"Action: {terminal.name}[{answer}]" if terminal else f"Final Answer: {answer}"


def tool_input(spec: ToolSpec, *, seed: int = 0) -> str:
    """A valid input for a tool, as a model writes it: the text argument's value, or JSON."""
    if spec.text_argument is None:
        return json.dumps(sample_schema(spec.parameters, seed=seed))
    schema = dict(spec.parameters.get("properties", {}).get(spec.text_argument, {}))
    if "$defs" in spec.parameters:
        schema["$defs"] = spec.parameters["$defs"]
    value = sample_schema(schema, seed=seed)
    return value if isinstance(value, str) else json.dumps(value)


def _calls(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}\[", text) is not None
