"""The systems a HotpotQA comparison runs: `direct` (one retrieval, one call), the budgeted
`reader` (one call over two-hop or graph evidence), `auto` (the reader, escalating to
CodeAgents when its learned policy doubts the answer) and the planners.

All of them search the same documents (agentkit.evals.retrieval), so only the way they use
the model differs: direct, ReAct, ReWOO and CodeAgents through the `search` tool, SMR with
its own state machine over the same retriever.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agentkit.agent import Agent
from agentkit.errors import ConfigError
from agentkit.evals.hotpotqa import HotpotQuestion
from agentkit.evals.retrieval import Retrieval
from agentkit.evals.runner import Outcome, System
from agentkit.llm import Model
from agentkit.planners import SMR, CodeAgents, Planner, ReAct, ReWOO, short_answer
from agentkit.planners.auto import Auto, Policy
from agentkit.planners.reader import Evidence, Reader
from agentkit.prompts import load_prompt
from agentkit.tools import Tool, ToolContext, llm_tool

SYSTEMS = ("direct", "reader", "auto", "react", "rewoo", "smr", "codeagents")
# CodeAgents' programs read this description in the tool's signature (the default names
# ReWOO's #E references, which a program does not have)
CODE_LLM = "answer a question from the context text"
SearchFor = Callable[[HotpotQuestion], Tool]
POLICIES = Path(__file__).parent / "data"


def direct(llm: Model, search_for: SearchFor, *, answer_tokens: int = 32) -> System:
    """Retrieve with the question itself, then answer in one call."""
    template = load_prompt("agentkit.planners", "reader")

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        ctx = ToolContext(llm=llm, run_id=run_id, role="reader")
        passages = await search_for(q)(q.question, ctx)
        prompt = template.format(passages=passages.text, question=q.question)
        reply = await ctx.generate(prompt, purpose="answer", max_tokens=answer_tokens)
        return Outcome(answer=short_answer(reply.text), tool_calls=1)

    return run


def planner_system(
    llm: Model, planner: Planner, search_for: SearchFor, helper: Tool | None = None
) -> System:
    agent = Agent(llm, planner=planner)
    helper = helper or llm_tool()

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        res = await agent.run(q.question, run_id=run_id, tools=[search_for(q), helper])
        return Outcome(answer=res.answer, tool_calls=res.tool_calls, plan=res.plan, error=res.error)

    return run


def smr_system(llm: Model, retrieval: Retrieval) -> System:
    """SMR over each question's retriever (its own search loop, then one answer call)."""

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        system = planner_system(llm, SMR(retrieval.retriever(q)), retrieval.tool)
        return await system(q, run_id)

    return run


def evidence_system(
    llm: Model, retrieval: Retrieval, planner: Callable[[Evidence], Planner]
) -> System:
    """A planner built per question over its evidence (the budgeted reader, Auto), with the
    question's search tool and CodeAgents' llm tool for an escalation."""

    async def run(q: HotpotQuestion, run_id: str) -> Outcome:
        helper = llm_tool(description=CODE_LLM)
        system = planner_system(llm, planner(retrieval.evidence(q)), retrieval.tool, helper)
        return await system(q, run_id)

    return run


def policy_path(model: str, setting: str = "distractor", search: str = "bm25") -> Path:
    """Where the policy shipped for `model` with that setting and search lives: a policy
    is specific to what its reads read (in the open setting the distractor-fitted policy
    escalated two thirds of the graph reads)."""
    tail = "" if (setting, search) == ("distractor", "bm25") else f".{setting}-{search}"
    return POLICIES / f"auto_{model}{tail}.json"


def shipped_policy(model: str, setting: str = "distractor", search: str = "bm25") -> Policy:
    """The policy fitted for `model`, `setting` and `search` on the shipped questions 51-200
    (benchmarks/adaptive.py)."""
    path = policy_path(model, setting, search)
    if not path.exists():
        raise ConfigError(
            f"no Auto policy ships for {model!r} with {search} search in the {setting} setting; "
            "fit one on your labelled questions with `agentkit eval auto-fit --out policy.json "
            f"--setting {setting} --search {search}` and pass --policy policy.json"
        )
    return Policy.load(path)


def build(name: str, llm: Model, retrieval: Retrieval, policy: Policy | None = None) -> System:
    """`policy` is Auto's (default: the one shipped for the model)."""
    if name == "direct":
        return direct(llm, retrieval.tool)
    if name == "reader":
        return evidence_system(llm, retrieval, Reader)
    if name == "auto":
        chosen = policy or shipped_policy(llm.model, retrieval.setting, retrieval.search)
        return evidence_system(llm, retrieval, lambda ev: Auto(Reader(ev), chosen))
    if name == "smr":
        return smr_system(llm, retrieval)
    if name == "codeagents":
        return planner_system(llm, CodeAgents(), retrieval.tool, llm_tool(description=CODE_LLM))
    planners: dict[str, Callable[[], Planner]] = {"react": ReAct, "rewoo": ReWOO}
    if name not in planners:
        raise ConfigError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    return planner_system(llm, planners[name](), retrieval.tool)
