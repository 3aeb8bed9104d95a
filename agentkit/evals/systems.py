"""The systems a HotpotQA comparison runs: `direct` (one retrieval, one call) and the planners.

All of them get the same search tool over the same passages, so only the way they use the
model differs.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from agentkit.agent import Agent
from agentkit.evals.hotpotqa import HotpotQuestion, Setting, open_corpus
from agentkit.evals.runner import Outcome, System
from agentkit.llm import LLM
from agentkit.memory.lexical import Corpus
from agentkit.planners import Planner, ReAct, ReWOO, short_answer
from agentkit.tools import Tool, ToolContext, llm_tool, search_tool

SYSTEMS = ("direct", "react", "rewoo")
SearchFor = Callable[[HotpotQuestion], Tool]


def search_factory(
    setting: Setting, questions: list[HotpotQuestion], *, k: int = 2, max_tokens: int = 300
) -> SearchFor:
    """Distractor: each question searches its own 10 paragraphs. Open: one shared corpus."""
    if setting == "open":
        shared = search_tool(Corpus(open_corpus(questions)), k=k, max_tokens=max_tokens)
        return lambda q: shared
    return lambda q: search_tool(Corpus.from_hotpot(q.context), k=k, max_tokens=max_tokens)


def direct(llm: LLM, search_for: SearchFor, *, answer_tokens: int = 32) -> System:
    """Retrieve with the question itself, then answer in one call."""
    template = files("agentkit.evals").joinpath("prompts/direct.txt").read_text()

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        ctx = ToolContext(llm=llm, run_id=run_id, role="reader")
        passages = await search_for(q)(q.question, ctx)
        prompt = template.format(passages=passages.text, question=q.question)
        reply = await ctx.generate(prompt, purpose="answer", max_tokens=answer_tokens)
        return Outcome(answer=short_answer(reply.text), tool_calls=1)

    return run


def planner_system(llm: LLM, planner: Planner, search_for: SearchFor) -> System:
    agent = Agent(llm, planner=planner)
    helper = llm_tool()

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        res = await agent.run(q.question, run_id=run_id, tools=[search_for(q), helper])
        return Outcome(answer=res.answer, tool_calls=res.tool_calls, plan=res.plan, error=res.error)

    return run


def build(name: str, llm: LLM, search_for: SearchFor) -> System:
    if name == "direct":
        return direct(llm, search_for)
    planners: dict[str, Callable[[], Planner]] = {"react": ReAct, "rewoo": ReWOO}
    if name not in planners:
        from agentkit.errors import ConfigError

        raise ConfigError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    return planner_system(llm, planners[name](), search_for)
