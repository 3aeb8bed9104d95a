"""Hostile text at every boundary (question, tool result, model reply): lone surrogates,
control characters, huge runs of blanks. A run returns a result and its trace is written."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkit import Agent, ReAct, ReWOO, tool
from agentkit.testing import FunctionModel
from agentkit.trace import TraceWriter, read_trace

# any code point, with lone surrogates, controls and escapes made likely
_pieces = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b[31m", "\u2028", " " * 200]),
)
nasty = st.lists(_pieces, max_size=20).map("".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=nasty, result=nasty, reply=nasty, react=st.booleans())
def test_any_text_at_the_boundaries_gives_a_result_and_a_trace(
    tmp_path_factory, question, result, reply, react
):
    @tool
    def lookup(query: str) -> str:
        """Look something up."""
        return result + query

    def respond(messages, info):
        if info.labels.role == "planner":
            return f"Plan: look\n#E1 = lookup[{reply[:5] or 'x'}]"
        if info.labels.purpose in ("step",) and react:
            return "Action: lookup[" + reply + "]"
        return "Final Answer: " + reply

    path = tmp_path_factory.mktemp("t") / "trace.jsonl"
    llm = FunctionModel(respond)
    planner = ReAct(max_steps=2) if react else ReWOO(constraint="none")
    agent = Agent(llm, planner=planner, tools=[lookup], trace=TraceWriter(path))
    out = agent.run_sync(question)
    out.question.encode("utf-8")  # encodable: no lone surrogate is left
    out.answer.encode("utf-8")
    assert not [c for c in out.answer if unicodedata.category(c) == "Cc"]
    assert list(read_trace(path))[-1]["kind"] == "agent_result"
    llm.close()
