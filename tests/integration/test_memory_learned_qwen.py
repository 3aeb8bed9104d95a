"""Learned memories on a real model: learn from a few HotpotQA runs with Qwen2.5-Coder-1.5B
and the embedded MiniLM, then a new run is given the items, and its plan may cite them; a
real plan kept as a worked example is given to the next run's planner; a real read kept as
its question and answer is shown to the next read."""

import json

import pytest

from agentkit import Agent, Reader, ReWOO
from agentkit.memory.evidence import LinkedEvidence
from agentkit.memory.learned import (
    Episode,
    Exemplars,
    Handbook,
    Judgement,
    Memories,
    ReasoningBank,
)
from agentkit.memory.lexical import Corpus
from agentkit.memory.store import SentenceTransformerEmbedder, VectorStore
from agentkit.tools import llm_tool, search_tool

pytestmark = [pytest.mark.integration, pytest.mark.qwen]


def _questions(path, n):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(next(fh)) for _ in range(n)]


async def test_learn_from_real_runs_then_recall_and_cite(qwen_llm, hotpot_path, tmp_path):
    *learn, test = _questions(hotpot_path, 4)
    with VectorStore.open(tmp_path / "memory", SentenceTransformerEmbedder()) as store:
        memory = Memories(Handbook(store), ReasoningBank(store))
        agent = Agent(qwen_llm, planner=ReWOO(plan_tokens=200), memory=memory)

        def tools(q):
            return [search_tool(Corpus.from_hotpot(q["context"])), llm_tool()]

        for q in learn:
            result = await agent.run(q["question"], tools=tools(q))
            report = await agent.learn(result, gold=q["answer"])
            assert report.tokens > 0 and report.judgement is not None
        assert Handbook(store).all() or ReasoningBank(store).all()

        result = await agent.run(test["question"], tools=tools(test))
    use = result.memory
    assert use is not None and use.items and use.tokens > 0
    assert set(use.cited) <= set(use.names)
    # the reopened store holds the items with their provenance, and counts this use
    reopened = VectorStore.open(tmp_path / "memory", SentenceTransformerEmbedder(), read_only=True)
    items = Handbook(reopened).all() + ReasoningBank(reopened).all()
    assert all(r.metadata.provenance.run_ids for r in items)
    assert sum(r.metadata.provenance.uses for r in items) >= len(use.items)
    print("injected:", use.names, "cited:", use.cited, "tokens:", use.tokens)


async def test_a_real_plan_kept_as_an_exemplar_guides_the_next_plan(
    qwen_llm, hotpot_path, tmp_path
):
    first, second = _questions(hotpot_path, 2)
    right = Judgement(success=True, judge="gold")  # judging is tested above; here: the plan
    with VectorStore.open(tmp_path / "memory", SentenceTransformerEmbedder()) as store:
        examples = Exemplars(store)
        agent = Agent(qwen_llm, planner=ReWOO(plan_tokens=200), memory=examples)
        tools = [search_tool(Corpus.from_hotpot(first["context"])), llm_tool()]
        result = await agent.run(first["question"], tools=tools)
        episode = Episode.from_record(result.model_dump(mode="json"))
        report = await examples.learn(episode, qwen_llm, judgement=right)
        [kept] = examples.all()
        assert report.added == [kept.id] and report.tokens == 0
        assert kept.metadata.content.startswith("Plan: ")  # the plan as written
        assert "Plan:" not in kept.metadata.render()  # as a note: the steps only

        tools = [search_tool(Corpus.from_hotpot(second["context"])), llm_tool()]
        beside = await agent.run(second["question"], tools=tools)  # notes beside its own
        stand_in = ReWOO(plan_tokens=200, learned_examples=True)
        instead = await Agent(qwen_llm, planner=stand_in, memory=examples).run(
            second["question"], tools=tools
        )
    for result in (beside, instead):  # the real planner still writes a usable plan
        assert result.ok and result.plan
        assert result.memory is not None and result.memory.items == [kept.id]
        assert 0 < result.memory.tokens < result.usage["planner"].usage.prompt_tokens


async def test_a_real_read_kept_as_its_answer_is_shown_to_the_next_read(
    qwen_llm, hotpot_path, tmp_path
):
    first, second = _questions(hotpot_path, 2)
    with VectorStore.open(tmp_path / "memory", SentenceTransformerEmbedder()) as store:
        examples = Exemplars(store)

        def agent(q):
            reader = Reader(LinkedEvidence(q["context"]), compare=False)
            return Agent(qwen_llm, planner=reader, memory=examples)

        result = await agent(first).run(first["question"])
        episode = Episode.from_record(result.model_dump(mode="json"))
        right = Judgement(success=True, judge="gold")
        await examples.learn(episode, qwen_llm, judgement=right)
        [kept] = examples.all()
        assert kept.metadata.content == f"Answer: {result.answer}" and result.answer

        shown = await agent(second).run(second["question"])
    assert shown.ok and shown.answer
    assert shown.memory is not None and shown.memory.items == [kept.id]
    assert 0 < shown.memory.tokens < shown.usage["reader"].usage.prompt_tokens
