"""The budgeted reader: one call over evidence chosen sentence by sentence under a budget.

On a 1.5B model the plainest system, one retrieval and one call, beat every planner; what
it lacked was the right sentences (the two gold paragraphs read give ~61 F1 against 47 for
BM25's top two). The reader keeps the one call and spends its budget on better evidence:
any `Evidence` (two-hop BM25 over pages, `LinkedEvidence`; graph PPR, `GraphRetriever`)
picks whole sentences within `max_tokens`. A question that names two options to choose from
is answered from each option's fact instead (`compare`), compared in code where it can be.
It also reports what `Auto` decides from: the answer's token log-probabilities (vLLM's,
asked for on the call), the evidence used and how the answer was reached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from agentkit.packing import Selection
from agentkit.planners.answer import short_answer
from agentkit.planners.base import PlannerOutput
from agentkit.planners.compare import choose, decide, fact_lines, options
from agentkit.planners.context import RunContext
from agentkit.planners.settings import ReaderSettings
from agentkit.prompts import PromptTemplates

__all__ = ["Evidence", "Reader", "Reading"]

TEMPLATES = {
    "reader": ("passages", "question"),
    "reader_examples": ("examples",),
    "compare_facts": ("passages", "question", "a", "b"),
    "compare_choose": ("question", "a", "b", "fact_a", "fact_b"),
}
_FACT_TOKENS = 64


@runtime_checkable
class Evidence(Protocol):
    """What a reader reads from: the best text for a question within a token budget."""

    def select(self, question: str, max_tokens: int, count: Callable[[str], int]) -> Selection: ...


class Reading(BaseModel):
    """One read: the answer and what it rests on."""

    answer: str
    evidence: Selection
    logprobs: list[float] | None = None
    tokens: int = 0  # prompt + completion, from the engine, of every call it made
    how: Literal["read", "computed", "chosen"] = "read"
    """read: one call over the evidence; computed: a choice question decided in code from
    the options' facts; chosen: the model picked between the two fact lines"""
    facts: tuple[str, str] | None = None


class Reader:
    name = "reader"
    takes_examples = True  # a memory's worked examples (questions answered right) come first

    def __init__(
        self,
        evidence: Evidence,
        *,
        max_tokens: int = 350,
        answer_tokens: int = 32,
        logprobs: bool = True,
        compare: bool = True,
        prompt_templates: Mapping[str, str] | None = None,
    ) -> None:
        """`max_tokens` of evidence, picked by `evidence` (350: on HotpotQA questions 51-200,
        two-hop evidence read at 350 tokens gave F1 56.7, at 250 53.9); `logprobs` asks the
        server for the answer's log-probabilities (vLLM and OpenAI-compatible servers return
        them; a server that does not simply leaves them out). `compare` answers choice
        questions from the options' facts (on the 32 among questions 51-200: F1 53.1 -> 68.8
        for 61 more tokens; see compare.py).
        `prompt_templates` may replace "reader" ({passages}, {question}), "reader_examples"
        ({examples}: a memory's recalled questions with their answers, before the read),
        "compare_facts" ({passages}, {question}, {a}, {b}) and "compare_choose" (+ {fact_a},
        {fact_b}). A memory's notes and examples reach the one read, not a choice decided from
        the options' facts."""
        self.evidence = evidence
        self.settings = ReaderSettings.from_arguments(locals())
        self.prompts = PromptTemplates("Reader", "agentkit.planners", TEMPLATES, prompt_templates)

    async def run(self, question: str, ctx: RunContext) -> PlannerOutput:
        reading = await self.read(question, ctx)
        return PlannerOutput(answer=reading.answer, plan=_plan(reading))

    async def read(
        self, question: str, ctx: RunContext, *, max_tokens: int | None = None, role: str = "reader"
    ) -> Reading:
        """One call over the evidence for `question` (a choice question: see `_compare`);
        `max_tokens` overrides the evidence setting."""
        budget = max_tokens or self.settings.max_tokens
        chosen = self.evidence.select(question, budget, ctx.count)
        pair = options(question) if self.settings.compare else None
        spent = 0
        if pair is not None:
            choice = await self._compare(question, pair, chosen, ctx, role)
            if isinstance(choice, Reading):
                return choice
            spent = choice
        prompt = self.prompts.render("reader", passages=chosen.text, question=question)
        if ctx.examples:
            shown = self.prompts.render("reader_examples", examples=ctx.examples)
            prompt = f"{shown.rstrip()}\n\n{prompt}"
        prompt = ctx.with_notes(prompt)
        answer, logprobs, tokens = await self._call(ctx, prompt, role, self.settings.answer_tokens)
        return Reading(answer=answer, evidence=chosen, logprobs=logprobs, tokens=spent + tokens)

    async def _compare(
        self, question: str, pair: tuple[str, str], chosen: Selection, ctx: RunContext, role: str
    ) -> Reading | int:
        """Each option's fact, then the option they pick: computed, else chosen by a short
        call over the two facts. Facts that do not parse: the tokens spent, to read instead."""
        a, b = pair
        prompt = self.prompts.render(
            "compare_facts", passages=chosen.text, question=question, a=a, b=b
        )
        reply, logprobs, tokens = await self._call(ctx, prompt, role, _FACT_TOKENS, raw=True)
        facts = fact_lines(reply, a, b)
        if facts is None:
            return tokens
        done = {"evidence": chosen, "facts": facts}
        winner = decide(question, a, b, *facts)
        if winner is not None:
            return Reading(answer=winner, logprobs=logprobs, tokens=tokens, how="computed", **done)
        prompt = self.prompts.render(
            "compare_choose", question=question, a=a, b=b, fact_a=facts[0], fact_b=facts[1]
        )
        answer, logprobs, more = await self._call(ctx, prompt, role, self.settings.answer_tokens)
        return Reading(
            answer=choose(answer, a, b), logprobs=logprobs, tokens=tokens + more, how="chosen",
            **done,
        )  # fmt: skip

    async def _call(
        self, ctx: RunContext, prompt: str, role: str, max_tokens: int, *, raw: bool = False
    ) -> tuple[str, list[float] | None, int]:
        """One answer call: its text (the short answer unless `raw`), log-probabilities, tokens."""
        extra = {"logprobs": True} if self.settings.logprobs else None
        reply = await ctx.generate(
            prompt, role=role, purpose="answer", max_tokens=max_tokens, tools=(), extra_body=extra
        )
        text = reply.text if raw else short_answer(reply.text)
        logprobs = reply.logprobs[0] if reply.logprobs else None
        return text, logprobs, reply.usage.prompt_tokens + reply.usage.completion_tokens


def _plan(reading: Reading) -> str:
    titles = list(dict.fromkeys(u.title for u in reading.evidence.units))
    plan = f"read {reading.evidence.tokens} tokens of evidence from: {'; '.join(titles)}"
    if reading.facts is not None:
        plan += f"\nfacts: {' | '.join(reading.facts)}; answer {reading.how}"
    return plan
