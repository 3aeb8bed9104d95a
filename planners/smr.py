"""State Machine Reasoning (SMR, 2025): retrieval as a small state machine, not free-form
reasoning, so the model writes one short JSON action per step instead of long thoughts.

State = (current query, ranked document list), starting from the retriever's top `top_k`.
Each step the model picks one action (a JSON schema constrains it):

- refine: a new query; its top `top_k` documents not yet in the list are appended (the
  list is capped at `max_docs`);
- rerank: a new order of the shown numbers; documents it leaves out keep their order after
  it (nothing is dropped);
- stop.

It stops on `stop`, when an action leaves the document list as it was (a refine that
finds nothing new, a rerank to the same order), at `max_steps`, or after
`max_failures` unusable replies (each retry 0.1 warmer, as in the paper). Our choice:
"no change" looks at the documents only, so a refine to new words that finds nothing new
ends the search rather than wander. Every call is labelled role "smr", and the result
reports what SMR generated and what it read, from the engine's usage.

Standalone: `await SMR(corpus).retrieve(question, ctx)`. As a planner: retrieve, then one
answer call over the top documents. Inside other planners: `smr_search_tool(smr)`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from agentkit.errors import BudgetExceededError, StructuredOutputError
from agentkit.llm import StructuredOutput
from agentkit.memory.lexical import Hit
from agentkit.packing import cap_tokens, pack_passages
from agentkit.planners.answer import short_answer
from agentkit.planners.base import PlannerOutput
from agentkit.planners.context import RunContext
from agentkit.planners.settings import SMRSettings
from agentkit.prompts import PromptTemplates
from agentkit.text import Passage
from agentkit.tools import Observation, Tool, ToolContext

TEMPLATES = {
    "smr": ("question", "query", "documents", "history"),
    "smr_answer": ("documents", "question"),
}
StopReason = Literal["stop", "no_change", "max_steps", "parse_failures"]


class Retriever(Protocol):
    """What SMR searches: a Corpus (BM25), a GraphRetriever, or anything alike."""

    def search(self, query: str, k: int = 2) -> list[Hit]: ...


class SMRAction(BaseModel):
    action: Literal["refine", "rerank", "stop"]
    query: str | None = None
    order: list[int] | None = None


class Transition(BaseModel):
    """One step: the action taken and what it did."""

    action: SMRAction | None
    query: str
    added: int = 0
    changed: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


class SMRResult(BaseModel):
    question: str
    query: str
    documents: list[Passage]
    steps: list[Transition] = Field(default_factory=list)
    stop_reason: StopReason
    generated_tokens: int = 0
    read_tokens: int = 0

    def render(self) -> str:
        lines = [
            f"{t.action.action}: {t.action.query or t.action.order or ''}".rstrip(": ")
            if t.action
            else f"unusable reply ({t.error})"
            for t in self.steps
        ]
        return "\n".join([*lines, f"[{self.stop_reason}]"])


def action_schema(max_docs: int) -> dict[str, Any]:
    def shape(name: str, **fields: Any) -> dict[str, Any]:
        properties = {"action": {"const": name}, **fields}
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    query = {"type": "string", "minLength": 1, "maxLength": 80}
    number = {"type": "integer", "minimum": 1, "maximum": max_docs}
    order = {"type": "array", "items": number, "minItems": 1, "maxItems": max_docs}
    return {"anyOf": [shape("refine", query=query), shape("rerank", order=order), shape("stop")]}


class SMR:
    name = "smr"

    def __init__(
        self,
        retriever: Retriever,
        *,
        top_k: int = 5,
        max_docs: int = 15,
        max_steps: int = 16,
        max_failures: int = 3,
        doc_tokens: int = 40,
        action_tokens: int = 60,
        answer_docs: int = 3,
        answer_context_tokens: int = 400,
        answer_tokens: int = 32,
        prompt_templates: Mapping[str, str] | None = None,
    ) -> None:
        """The paper uses top_k=10, max_docs=25; smaller defaults keep each prompt short on a
        CPU (documents are shown cut to `doc_tokens`). As a planner it answers from the top
        `answer_docs` documents, cut to `answer_context_tokens` in all. Settings are checked
        as SMRSettings. `prompt_templates` replaces either template (each must keep its
        placeholders): "smr" (one action: {question}, {query}, {documents}, {history}) and
        "smr_answer" ({documents}, {question})."""
        self.retriever = retriever
        self.settings = SMRSettings.from_arguments(locals())
        self.prompts = PromptTemplates("SMR", "agentkit.planners", TEMPLATES, prompt_templates)
        self.schema = action_schema(self.settings.max_docs)

    async def _search(self, query: str) -> list[Passage]:
        hits = await asyncio.to_thread(self.retriever.search, query, self.settings.top_k)
        return [h.passage for h in hits]

    async def retrieve(self, question: str, ctx: ToolContext) -> SMRResult:
        """Run the state machine from `question`; the final ranked documents and the trace."""
        query, docs = question, (await self._search(question))[: self.settings.max_docs]
        steps: list[Transition] = []
        failures = 0
        reason: StopReason = "max_steps"
        while len(steps) < self.settings.max_steps:
            step = await self._step(question, query, docs, steps, failures, ctx)
            steps.append(step)
            if step.action is None:
                failures += 1
                if failures >= self.settings.max_failures:
                    reason = "parse_failures"
                    break
                continue
            if step.action.action == "stop":
                reason = "stop"
                break
            before = [d.title for d in docs]
            query, docs = await self._apply(step.action, query, docs)
            step.query, step.changed = query, [d.title for d in docs] != before
            step.added = len({d.title for d in docs} - set(before))
            if not step.changed:
                reason = "no_change"
                break
        return SMRResult(
            question=question,
            query=query,
            documents=docs,
            steps=steps,
            stop_reason=reason,
            generated_tokens=sum(s.completion_tokens for s in steps),
            read_tokens=sum(s.prompt_tokens for s in steps),
        )

    async def _step(
        self,
        question: str,
        query: str,
        docs: list[Passage],
        steps: list[Transition],
        failures: int,
        ctx: ToolContext,
    ) -> Transition:
        prompt = self.prompts.render(
            "smr",
            question=question,
            query=query,
            documents=self._show(docs, ctx),
            history=_history(steps),
        )
        try:
            reply = await ctx.generate(
                prompt,
                role="smr",
                purpose="action",
                tools=(),
                max_tokens=self.settings.action_tokens,
                temperature=0.1 * failures,
                structured=StructuredOutput(json_schema=self.schema),
            )
        except BudgetExceededError:
            raise
        except StructuredOutputError as exc:
            return Transition(action=None, query=query, error=str(exc)[:200])
        step = Transition(
            action=None,
            query=query,
            prompt_tokens=reply.usage.prompt_tokens,
            completion_tokens=reply.usage.completion_tokens,
        )
        try:
            step.action = _valid(SMRAction.model_validate(json.loads(reply.text)), len(docs))
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            step.error = f"{type(exc).__name__}: {str(exc)[:160]}"
        return step

    def _show(self, docs: list[Passage], ctx: ToolContext) -> str:
        return "\n".join(
            f"[{i}] " + cap_tokens(d.render(), self.settings.doc_tokens, ctx.count)[0]
            for i, d in enumerate(docs, 1)
        )

    async def _apply(
        self, action: SMRAction, query: str, docs: list[Passage]
    ) -> tuple[str, list[Passage]]:
        if action.action == "refine" and action.query:
            titles = {d.title for d in docs}
            fresh = [d for d in await self._search(action.query) if d.title not in titles]
            return action.query, (docs + fresh)[: self.settings.max_docs]
        order = list(dict.fromkeys(i - 1 for i in action.order or []))
        first = [docs[i] for i in order]
        return query, first + [d for i, d in enumerate(docs) if i not in set(order)]

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        """Planner: retrieve with SMR, then answer in one call from the top documents."""
        result = await self.retrieve(question, ctx)
        s = self.settings
        context, _ = pack_passages(
            result.documents[: s.answer_docs], s.answer_context_tokens, ctx.count
        )
        prompt = self.prompts.render("smr_answer", documents=context, question=question)
        reply = await ctx.generate(
            prompt, role="solver", purpose="answer", max_tokens=s.answer_tokens, tools=()
        )
        return PlannerOutput(answer=short_answer(reply.text), plan=result.render())


def _valid(action: SMRAction, n_docs: int) -> SMRAction:
    """Reject what the schema cannot: an empty query, numbers beyond the shown list."""
    if action.action == "refine" and not (action.query or "").strip():
        raise ValueError("refine needs a non-empty query")
    if action.action == "rerank":
        order = action.order or []
        if not order or any(not 1 <= i <= n_docs for i in order):
            raise ValueError(f"rerank needs numbers from 1 to {n_docs}, got {order}")
    return action


def _history(steps: list[Transition]) -> str:
    done = [
        f"- refine {s.action.query!r}: {s.added} new" if s.action.action == "refine" else "- rerank"
        for s in steps
        if s.action is not None and s.action.action != "stop"
    ]
    return "Done so far:\n" + "\n".join(done) + "\n" if done else ""


def smr_search_tool(smr: SMR, *, k: int = 2, max_tokens: int = 250, name: str = "search") -> Tool:
    """SMR as the retrieval step of another planner: `search[query]` runs the state machine
    from the query (its calls charged to the run, role "smr") and shows the top k passages."""

    async def search(query: str, ctx: ToolContext) -> Observation:
        result = await smr.retrieve(query, ctx)
        if not result.documents:
            return Observation(text="No passage matches; try other keywords.")
        text, cut = pack_passages(result.documents[:k], max_tokens, ctx.count)
        return Observation(text=text, truncated=cut)

    what = f"the {k} passages that best answer the query, found by a short search loop"
    return Tool(search, name=name, description=what, max_tokens=max_tokens, timeout_s=None)
