"""Memory-aware test-time scaling (MaTTS, ReasoningBank): more compute on one task, turned
into better memories, with every token reported.

- `parallel`: k rollouts of the task (each with memory), each judged; the answer is the
  most common among those judged successes (else among all: best-of-k by vote); one
  extraction contrasts the k runs (up to 5 items).
- `sequential`: one rollout, then k rounds in which the model re-checks its own run and
  may correct the answer; the items come from the last round's run.

A rollout is any `run_id -> Episode` coroutine (e.g. an Agent run turned into an Episode),
so this module needs no planner. `best_of` alone (no memory) is the plain baseline at the
same number of rollouts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel, Field

from agentkit.llm.model import Model
from agentkit.prompts import PromptTemplates

from .calls import Calls
from .episode import Episode
from .items import Provenance
from .judge import Judge, Judgement
from .reasoning_bank import ReasoningBank

log = logging.getLogger(__name__)

Rollout = Callable[[str], Awaitable[Episode]]


class Scaled(BaseModel):
    """What a scaled run answered and what it cost, by part."""

    answer: str
    episodes: list[Episode]
    judgements: list[Judgement | None]
    rollout_tokens: int = Field(description="the k rollouts' own tokens (memory injected too)")
    memory_tokens: int = Field(description="judging, refining and extracting")
    added: list[str] = Field(default_factory=list, description="items written")


def vote(episodes: Sequence[Episode], judgements: Sequence[Judgement | None]) -> str:
    """The most common answer among runs judged successes, else among all (first on ties)."""
    good = [e for e, j in zip(episodes, judgements, strict=True) if j and j.success]
    answers = [e.answer.strip() for e in good or episodes if e.answer.strip()]
    if not answers:
        return ""
    counts = Counter(a.lower() for a in answers)
    top = max(counts.values())
    return next(a for a in answers if counts[a.lower()] == top)


def _tokens(llm: Model, run_ids: Sequence[str]) -> int:
    return sum(llm.ledger.total(run=r).usage.total_tokens for r in run_ids)


async def best_of(task_id: str, rollout: Rollout, k: int, judge: Judge, llm: Model) -> Scaled:
    """k rollouts, each judged, the answer by vote: the baseline MaTTS is compared with."""
    ids = [f"{task_id}-r{i}" for i in range(k)]
    episodes = list(await asyncio.gather(*(rollout(i) for i in ids)))
    calls = Calls(llm, f"learn-{task_id}")
    judgements = [await judge(e, calls) for e in episodes]
    return Scaled(
        answer=vote(episodes, judgements),
        episodes=episodes,
        judgements=judgements,
        rollout_tokens=_tokens(llm, ids),
        memory_tokens=calls.tokens(),
    )


async def parallel(
    task_id: str, rollout: Rollout, k: int, memory: ReasoningBank, llm: Model
) -> Scaled:
    """MaTTS parallel: best_of with memory's judge, then one self-contrast extraction."""
    scaled = await best_of(task_id, rollout, k, memory.judge, llm)
    calls = Calls(llm, f"learn-{task_id}")
    metas, problems = await memory.contrast(scaled.episodes, scaled.judgements, calls)
    for problem in problems:
        log.warning("%s: contrast of %s: %s", memory.name, task_id, problem)
    judged = [j for j in scaled.judgements if j is not None]
    for meta in metas:
        meta.provenance = Provenance(
            run_ids=[e.run_id for e in scaled.episodes if e.run_id],
            question_ids=list({e.question_id for e in scaled.episodes if e.question_id}),
            judge=judged[0].judge if judged else "none",
            outcome="success" if any(j.success for j in judged) else "failure",
        )
        scaled.added.append(memory.merge(meta)[0])
    memory.enforce_cap()
    memory.save()
    scaled.memory_tokens = calls.tokens()
    return scaled


async def sequential(
    task_id: str,
    rollout: Rollout,
    k: int,
    memory: ReasoningBank,
    llm: Model,
    *,
    prompt_templates: dict[str, str] | None = None,
) -> Scaled:
    """MaTTS sequential: one rollout, k rounds of self-refinement, then learning from it."""
    prompts = PromptTemplates(
        "MaTTS", "agentkit.memory.learned", {"refine": ("run",)}, prompt_templates
    )
    run_id = f"{task_id}-r0"
    episode = await rollout(run_id)
    calls = Calls(llm, f"learn-{task_id}")
    for round_ in range(k):
        prompt = prompts.render("refine", run=episode.render(memory.settings.trace_chars))
        reply = await calls.generate(prompt, purpose=f"refine {round_ + 1}", max_tokens=48)
        answer = reply.text.strip().splitlines()[0] if reply.text.strip() else episode.answer
        episode = episode.model_copy(update={"answer": answer})
    report = await memory.learn(episode, llm)
    return Scaled(
        answer=episode.answer,
        episodes=[episode],
        judgements=[report.judgement],
        rollout_tokens=_tokens(llm, [run_id]),
        memory_tokens=calls.tokens(),
        added=report.added,
    )
