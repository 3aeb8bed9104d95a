"""Learned memories with scripted models: each distiller on recorded runs (good and malformed
replies), merge rules, provenance, budgeted injection, persistence and forgetting."""

from __future__ import annotations

import json

import pytest

from agentkit.agent import Agent
from agentkit.budget import Budget, Limits
from agentkit.memory.evidence import LinkedEvidence
from agentkit.memory.learned import (
    ArcMemo,
    Candidate,
    Episode,
    Exemplars,
    GoldJudge,
    Handbook,
    ItemMeta,
    Judgement,
    Memories,
    MemorySettings,
    ReasoningBank,
    pack,
    read_episodes,
)
from agentkit.memory.learned.scaling import best_of, parallel, sequential, vote
from agentkit.memory.lexical import Corpus
from agentkit.memory.store import HashingEmbedder, VectorStore
from agentkit.planners import Reader, ReWOO
from agentkit.testing import FunctionModel, WordCounter
from agentkit.tools import search_tool
from agentkit.types import CallLabels

# A ReWOO run as AgentResult.model_dump(mode="json") records it (trimmed).
RUN = {
    "run_id": "r1",
    "question": "Which university did the director of Jaws attend?",
    "planner": "rewoo",
    "answer": "California State University, Long Beach",
    "plan": "Plan: Find the director.\n#E1 = search[Jaws director]\n"
    "Plan: Find his university.\n#E2 = search[#E1 university]",
    "steps": [
        {
            "id": 1,
            "tool": "search",
            "input": "Jaws director",
            "observation": {
                "text": "Jaws is a 1975 film directed by Steven Spielberg.",
                "ok": True,
            },
        },
        {
            "id": 2,
            "tool": "search",
            "input": "Steven Spielberg university",
            "observation": {"text": "Spielberg attended CSU Long Beach.", "ok": True},
        },
    ],
    "status": "ok",
    "error": None,
}
BEHAVIORS = "behavior_search_entity_first: search the entity the question names first\n"
BANK = [
    {
        "title": "Chain searches",
        "description": "Find the bridge entity.",
        "content": "Search it, then its attribute.",
    }
]
LESSONS = [
    {
        "situation": "a question goes through a bridge entity",
        "suggestion": "search the bridge first",
    }
]
CONCEPT = {
    "name": "bridge_lookup",
    "kind": "routine",
    "output": "str",
    "parameters": [{"name": "entity", "type": "str"}],
    "cues": ["names a person by role"],
    "notes": ["search the role first"],
}


def scripted(replies=None, *, verdict="success"):
    """Distiller replies by call purpose; a planner writes a plan citing a behaviour."""
    replies = {
        "judge": verdict,
        "reflect": "Right. Searching the named entity first was generic; one search was enough.",
        "behaviors": BEHAVIORS,
        "success": json.dumps(BANK),
        "failure": json.dumps(BANK),
        "contrast": json.dumps(BANK),
        "lessons": json.dumps(LESSONS),
        "concepts": json.dumps([CONCEPT]),
        "select": "1",
        **(replies or {}),
    }

    def fn(messages, info):
        if info.labels.role == "planner":
            return "Plan: behavior_search_entity_first Jaws director\n#E1 = search[Jaws director]"
        if info.labels.role == "solver":
            return "Steven Spielberg"
        return replies[info.labels.purpose]

    return FunctionModel(fn)


def store():
    return VectorStore(HashingEmbedder(dim=64))


def episode(**update):
    return Episode.from_record({**RUN, **update})


# -- the behaviour handbook ----------------------------------------------------------------
async def test_handbook_reflects_then_writes_behaviours_with_provenance():
    llm, hb = scripted(), Handbook(store())
    report = await hb.learn(episode(id="q7"), llm)
    assert report.judgement == Judgement(success=True, judge="self") and report.problems == []
    [item] = hb.all()
    assert item.metadata.name == "behavior_search_entity_first"
    p = item.metadata.provenance
    assert (p.run_ids, p.question_ids, p.judge, p.outcome) == (["r1"], ["q7"], "self", "success")
    purposes = [c.info.labels.purpose for c in llm.calls]
    assert purposes == ["judge", "reflect", "behaviors"]
    assert {c.info.labels.role for c in llm.calls} == {"memory"}
    assert {c.info.labels.run for c in llm.calls} == {"learn-r1"}
    assert report.tokens == llm.ledger.total(run="learn-r1").usage.total_tokens > 0


async def test_handbook_merges_by_name_and_by_similarity_keeping_the_first_wording():
    hb = Handbook(store(), settings=MemorySettings(merge_similarity=0.85))
    await hb.learn(episode(), scripted())
    same_name = "behavior_search_entity_first: another wording of the same thing\n"
    await hb.learn(episode(run_id="r2"), scripted({"behaviors": same_name}))
    same_text = "behavior_other_name: search the entity the question names first\n"
    await hb.learn(episode(run_id="r3"), scripted({"behaviors": same_text}))
    [item] = hb.all()
    assert item.metadata.content == "search the entity the question names first"
    assert item.metadata.provenance.run_ids == ["r1", "r2", "r3"]


@pytest.mark.parametrize(
    "reply",
    ["", "I think the run was fine overall.", "x" * 5000, "behavior_snake_case_name: do it\n"],
)
async def test_malformed_behaviours_are_dropped_with_a_reason_never_raised(reply, caplog):
    hb = Handbook(store(), settings=MemorySettings(structured=False))
    report = await hb.learn(episode(), scripted({"behaviors": reply}))
    assert hb.all() == [] and report.problems and report.added == []
    assert "handbook" in caplog.text


async def test_a_reply_breaking_its_constraint_is_dropped_too():
    hb = Handbook(store())  # structured: the test model refuses a reply off the regex
    report = await hb.learn(episode(), scripted({"behaviors": "not a behaviour"}))
    assert report.added == [] and "StructuredOutputError" in report.problems[0]


# -- ReasoningBank -------------------------------------------------------------------------
@pytest.mark.parametrize(("verdict", "prompt"), [("success", "success"), ("failure", "failure")])
async def test_reasoning_bank_extracts_with_the_prompt_of_the_outcome(verdict, prompt):
    llm, bank = scripted(verdict=verdict), ReasoningBank(store())
    report = await bank.learn(episode(), llm)
    assert llm.calls[-1].info.labels.purpose == prompt
    assert ("judged a " + prompt) in llm.calls[-1].prompt
    [item] = bank.all()
    assert item.metadata.title == "Chain searches"
    assert item.metadata.provenance.outcome == prompt and report.judgement.judge == "self"


async def test_gold_judging_is_labelled_and_needs_no_judge_call():
    llm = scripted()
    bank = ReasoningBank(store(), judge=GoldJudge(lambda p, g: float(p == g)))
    await bank.learn(episode(gold="Yale"), llm)
    assert [c.info.labels.purpose for c in llm.calls] == ["failure"]
    assert bank.all()[0].metadata.provenance.judge == "gold"
    unjudged = await ReasoningBank(store(), judge=GoldJudge(lambda p, g: 1.0)).learn(episode(), llm)
    assert unjudged.added == [] and "no judgement" in unjudged.problems[0]


async def test_reasoning_bank_keeps_at_most_three_items_and_appends():
    many = json.dumps(BANK * 5)
    bank = ReasoningBank(store(), settings=MemorySettings(structured=False, top_k=1))
    await bank.learn(episode(), scripted({"success": many}))
    await bank.learn(episode(run_id="r2"), scripted({"success": many}))
    assert len(bank.all()) == 6  # plain append, three per run


# -- ArcMemo -------------------------------------------------------------------------------
async def test_arcmemo_writes_nothing_from_a_failed_run():
    arc = ArcMemo(store())
    report = await arc.learn(episode(), scripted(verdict="failure"))
    assert arc.all() == [] and report.added == []


async def test_arcmemo_writes_lessons_and_concepts_and_extends_a_reused_name():
    arc = ArcMemo(store())
    await arc.learn(episode(), scripted())
    kinds = sorted(r.metadata.kind for r in arc.all())
    assert kinds == ["concept", "lesson"]
    reused = {
        **CONCEPT,
        "kind": "structure",
        "parameters": [{"name": "entity", "type": "person"}, {"name": "attribute", "type": "str"}],
        "cues": ["Names a person by role", "asks where someone studied"],
    }
    report = await arc.learn(
        episode(run_id="r2"), scripted({"concepts": json.dumps([reused]), "lessons": "[]"})
    )
    concept = next(r.metadata for r in arc.all() if r.metadata.kind == "concept")
    assert concept.concept_kind == "routine"  # the first writer's field stays
    assert [(p.name, p.type) for p in concept.parameters] == [
        ("entity", "str"),
        ("attribute", "str"),
    ]
    assert concept.cues == ["names a person by role", "asks where someone studied"]
    assert concept.provenance.run_ids == ["r1", "r2"] and report.merged


async def test_arcmemo_selects_by_one_model_call_over_the_names():
    arc = ArcMemo(store(), select="model")
    await arc.learn(episode(), scripted())
    llm = scripted({"select": "2"})
    recall = await arc.recall("Where did the director of Psycho study?", llm, run_id="q")
    [call] = llm.calls
    assert call.info.labels.purpose == "select" and call.info.labels.run == "q"
    assert len(recall.items) == 1 and "1. " in call.prompt and "2. " in call.prompt


# -- injection under a budget --------------------------------------------------------------
# -- exemplars ----------------------------------------------------------------------------
def gold(threshold=1.0):
    return GoldJudge(lambda p, g: float(p == g), threshold=threshold)


async def test_exemplars_keep_a_right_runs_question_and_steps_at_no_model_cost():
    llm, ex = scripted(), Exemplars(store(), judge=gold())
    right = episode(id="q1", gold=RUN["answer"])
    report = await ex.learn(right, llm)
    assert llm.calls == [] and report.tokens == 0 and report.problems == []
    [item] = ex.all()
    assert item.metadata.situation == RUN["question"]
    assert item.metadata.content == RUN["plan"]  # as written; as a note, the steps only
    steps = "#E1 = search[Jaws director]\n#E2 = search[#E1 university]"
    assert item.metadata.render() == f"Question: {RUN['question']}\n{steps}"
    assert item.metadata.provenance.outcome == "success"
    again = await ex.learn(episode(run_id="r2", id="q1", gold=RUN["answer"]), llm)
    assert again.merged == report.added  # one item per question: the run adds provenance
    assert ex.all()[0].metadata.provenance.run_ids == ["r1", "r2"]
    wrong = await ex.learn(episode(run_id="r3", gold="Yale"), llm)
    assert wrong.added == wrong.merged == [] and len(ex.all()) == 1


@pytest.mark.parametrize(
    ("plan", "problem"),
    [(None, "no plan"), ("#E1 = search[" + "x" * 700 + "]", "over max_chars")],
)
async def test_exemplars_drop_a_run_without_a_usable_plan_with_a_reason(plan, problem):
    ex = Exemplars(store(), judge=gold())
    report = await ex.learn(episode(plan=plan, gold=RUN["answer"]), scripted())
    assert ex.all() == [] and problem in report.problems[0]


async def test_a_run_that_called_no_tool_is_kept_as_its_question_and_answer():
    ex = Exemplars(store(), judge=gold())
    read = episode(plan="read 40 tokens of evidence from: Jaws", steps=[], gold=RUN["answer"])
    report = await ex.learn(read, scripted())
    [item] = ex.all()
    assert report.problems == [] and item.metadata.content == f"Answer: {RUN['answer']}"
    assert item.metadata.example() == f"Question: {RUN['question']}\nAnswer: {RUN['answer']}"


PAGES = [
    ("Alien (film)", ["Alien is a 1979 film directed by Ridley Scott."]),
    ("Ridley Scott", ["Ridley Scott studied at the Royal College of Art."]),
]


@pytest.mark.parametrize("memory", ["exemplars", "handbook"])
async def test_the_reader_reads_after_the_questions_answered_like_it_and_the_notes(memory):
    s, llm = store(), FunctionModel(lambda messages, info: "Royal College of Art")
    kind = Exemplars(s, judge=gold()) if memory == "exemplars" else Handbook(s, judge=gold())
    learned = episode(plan="read", steps=[], gold=RUN["answer"])
    await kind.learn(learned, scripted())
    agent = Agent(llm, planner=Reader(LinkedEvidence(PAGES), compare=False), memory=kind)
    result = await agent.run("Which school did the director of Alien attend?", run_id="new")
    [call] = llm.calls
    head, read = call.prompt.split("\n\nAnswer the question from the passages.")
    if memory == "exemplars":  # the worked example, in the reader's own words for it
        assert (
            head == f"Questions like this one, answered right:\n{kind.all()[0].metadata.example()}"
        )
    else:  # notes before the read, as for any planner
        assert head.startswith("Notes learned from earlier runs") and "behavior_" in head
    assert "Ridley Scott studied" in read and result.answer == "Royal College of Art"
    assert result.memory.names == [kind.all()[0].metadata.label] and result.memory.tokens > 0


async def _plan_prompt_with(ex, planner=None):
    llm = scripted()
    await ex.learn(episode(gold=RUN["answer"]), llm)
    corpus = Corpus.from_hotpot([("Jaws", ["Jaws is a 1975 film directed by Steven Spielberg."])])
    agent = Agent(llm, planner=planner, tools=[search_tool(corpus)], memory=ex)
    result = await agent.run("Which school did the director of Alien attend?", run_id="new")
    plan_call = next(c for c in llm.calls if c.info.labels.role == "planner")
    return plan_call.prompt, result


async def test_a_worked_example_stands_in_for_rewoos_own_when_asked():
    planner = ReWOO(learned_examples=True)
    prompt, result = await _plan_prompt_with(Exemplars(store(), judge=gold()), planner)
    shown = f"Question: {RUN['question']}\n{RUN['plan']}"  # whole: the format ReWOO writes
    assert f"{shown}\n\nQuestion: Which school did the director of Alien" in prompt
    assert "Ada Lovelace" not in prompt and "Plans that answered" not in prompt
    assert result.memory.names == [RUN["question"]] and result.memory.tokens > 0


async def test_worked_examples_have_their_own_cap():
    settings = MemorySettings.model_validate({**Exemplars.defaults, "example_tokens": 5})
    ex, llm = Exemplars(store(), judge=gold(), settings=settings), scripted()
    await ex.learn(episode(gold=RUN["answer"]), llm)
    shown = await ex.recall("Who directed Jaws?", llm, examples=True)
    assert shown.examples == "" and len(shown.dropped) == 1  # whole plans, their own cap
    assert (await ex.recall("Who directed Jaws?", llm)).text  # the notes cap still fits


async def test_rewoo_reads_worked_examples_as_notes_beside_its_own_by_default():
    prompt, result = await _plan_prompt_with(Exemplars(store(), judge=gold()))
    notes = prompt.split("\n\n")[0]
    assert notes.startswith("Plans that answered similar questions")
    assert RUN["question"] in notes and "#E2 = search[#E1 university]" in notes
    assert "Find the director" not in notes  # the steps, not their prose
    assert "Ada Lovelace" in prompt  # its own examples stay
    assert result.memory.names == [RUN["question"]] and result.memory.tokens > 0


@pytest.mark.parametrize("examples", [False, True])
async def test_exemplars_among_memories_are_examples_only_when_the_planner_takes_them(examples):
    s, llm = store(), scripted()
    both = Memories(Exemplars(s, judge=gold()), Handbook(s), judge=gold(threshold=0.0))
    await both.learn(episode(gold=RUN["answer"]), llm)
    recall = await both.recall("Who directed Jaws?", llm, examples=examples)
    assert {c.memory for c in recall.items} == {"exemplars", "handbook"}
    assert recall.text.startswith("Notes learned from earlier runs")
    assert (RUN["question"] in recall.text) is not examples
    assert recall.examples == (f"Question: {RUN['question']}\n{RUN['plan']}" if examples else "")
    count = llm.tokenizer.count_text
    assert recall.tokens == count(recall.text) + (count(recall.examples) if examples else 0)


def candidate(label, relevance, words):
    meta = ItemMeta(kind="behavior", name=label, content=" ".join(["w"] * words))
    return Candidate(id=label, memory="handbook", meta=meta, relevance=relevance)


def test_pack_drops_the_least_relevant_whole_items_to_fit():
    count = WordCounter().count_text
    found = [candidate("b_low", 0.1, 5), candidate("b_high", 0.9, 5), candidate("b_mid", 0.5, 30)]
    header = "Notes:\n{items}"
    recall = pack(found, 25, count, header)
    assert [c.id for c in recall.items] == ["b_high"]
    assert [c.id for c in recall.dropped] == ["b_mid", "b_low"]  # not skipped over: dropped
    assert recall.tokens == count(recall.text) <= 25 and "b_high: w w w w w" in recall.text
    assert pack(found, 1, count, header).text == ""


def test_pack_as_examples_lists_them_without_header_or_bullets():
    count = WordCounter().count_text
    found = [candidate("b_low", 0.1, 2), candidate("b_high", 0.9, 2), candidate("b_mid", 0.5, 30)]
    recall = pack(found, 12, count, "Notes:\n{items}", as_examples=True)
    assert recall.text == "" and recall.examples == "b_high: w w"
    assert [c.id for c in recall.dropped] == ["b_mid", "b_low"]
    both = pack(found[:2], 12, count, "Notes:\n{items}", as_examples=True)
    assert both.examples == "b_high: w w\n\nb_low: w w" and both.tokens == count(both.examples)


async def test_an_agent_injects_notes_into_the_plan_prompt_and_records_use():
    llm, hb = scripted(), Handbook(store())
    await hb.learn(episode(), llm)
    corpus = Corpus.from_hotpot([("Jaws", ["Jaws is a 1975 film directed by Steven Spielberg."])])
    agent = Agent(llm, tools=[search_tool(corpus)], memory=hb)
    result = await agent.run("Who directed Jaws?", run_id="new")
    plan_call = next(c for c in llm.calls if c.info.labels.role == "planner")
    assert plan_call.prompt.startswith("Notes learned from earlier runs")
    assert "behavior_search_entity_first" in plan_call.prompt
    use = result.memory
    assert use.names == ["behavior_search_entity_first"] == use.cited
    assert 0 < use.tokens < result.usage["planner"].usage.prompt_tokens
    [item] = hb.all()
    assert (item.metadata.provenance.uses, item.metadata.provenance.cited) == (1, 1)
    await agent.learn(result)  # judged a success: the item's record of use says so
    assert hb.all()[0].metadata.provenance.used_successes == 1


async def test_a_run_budget_caps_the_notes():
    llm, hb = scripted(), Handbook(store())
    await hb.learn(episode(), llm)
    budget = Budget(run=Limits(total_tokens=50))  # 10% of it: too little for the item
    recall = await hb.recall("Who directed Jaws?", llm, run_limit=budget.run.total_tokens)
    assert recall.items == [] and len(recall.dropped) == 1 and recall.text == ""


async def test_memories_judge_once_and_share_one_cap():
    s, llm = store(), scripted()
    both = Memories(Handbook(s), ReasoningBank(s), ArcMemo(s), max_tokens=400)
    report = await both.learn(episode(), llm)
    purposes = [c.info.labels.purpose for c in llm.calls]
    assert purposes.count("judge") == 1 and len(report.added) == 4
    recall = await both.recall("Who directed Jaws?", llm)
    assert {c.memory for c in recall.items} == {"handbook", "reasoning_bank", "arcmemo"}


# -- persistence, forgetting, the size cap -------------------------------------------------
async def test_items_and_provenance_survive_a_reopen(tmp_path):
    embedder = HashingEmbedder(dim=64)
    with VectorStore.open(tmp_path, embedder) as s:
        await Handbook(s).learn(episode(id="q1"), scripted())
    reopened = VectorStore.open(tmp_path, embedder, read_only=True)
    [item] = Handbook(reopened).all()
    assert item.metadata.provenance.question_ids == ["q1"]


async def test_forget_prunes_items_whose_use_goes_with_failures():
    hb = Handbook(store(), settings=MemorySettings(prune_failures=2, prune_trust=0.3))
    await hb.learn(episode(), scripted())
    [item] = hb.all()
    for n in range(3):
        await hb.learn(
            episode(run_id=f"f{n}", memory={"items": [item.id]}, answer=""),
            scripted({"behaviors": f"behavior_unrelated_{n}: do something else {n} times\n"}),
        )
    [used] = [r for r in hb.all() if r.id == item.id]
    assert used.metadata.provenance.used_failures == 3
    assert item.id in hb.forget()
    assert item.id not in {r.id for r in hb.all()}


async def test_the_size_cap_removes_the_least_proven_items():
    hb = Handbook(store(), settings=MemorySettings(max_items=2))
    for n in range(4):
        reply = f"behavior_rule_{n}: follow rule number {n} {'x' * n}\n"
        await hb.learn(episode(run_id=f"r{n}"), scripted({"behaviors": reply}))
    assert len(hb.all()) == 2


# -- learning from files of past runs ------------------------------------------------------
def test_episodes_come_from_traces_and_eval_results(tmp_path):
    trace = tmp_path / "trace.jsonl"
    lines = [
        {"kind": "llm_call", "run": "r1"},
        {"kind": "agent_result", **RUN},
        "not json",
        {"id": "q2", "question": "Q?", "prediction": "A", "gold": "A", "f1": 1.0, "plan": "p"},
    ]
    trace.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines))
    first, second = read_episodes(trace)
    assert first.run_id == "r1" and first.steps[0].startswith("search[Jaws director] -> Jaws")
    assert (second.answer, second.gold, second.score, second.question_id) == ("A", "A", 1.0, "q2")


async def test_learn_file_uses_an_eval_score_as_the_gold_judgement(tmp_path):
    path = tmp_path / "rewoo.jsonl"
    row = {"id": "q2", "question": "Q?", "prediction": "B", "gold": "A", "f1": 0.0, "plan": "p"}
    path.write_text(json.dumps(row) + "\n")
    llm = scripted()
    bank = ReasoningBank(store(), judge=GoldJudge(lambda p, g: 1.0))
    [report] = await bank.learn_file(path, llm)
    assert report.judgement == Judgement(success=False, judge="gold")


# -- memory-aware test-time scaling --------------------------------------------------------
async def test_matts_parallel_contrasts_k_runs_and_reports_tokens():
    llm = scripted()
    bank = ReasoningBank(store())

    async def rollout(run_id):
        await llm.generate("solve", labels=CallLabels(run=run_id, role="solver"))
        return episode(run_id=run_id, answer="Yale" if run_id.endswith("0") else "CSULB")

    scaled = await parallel("t", rollout, 3, bank, llm)
    assert scaled.answer == "CSULB" and len(scaled.episodes) == 3
    assert scaled.rollout_tokens > 0 and scaled.memory_tokens > 0
    [item] = bank.all()
    assert item.metadata.provenance.run_ids == ["t-r0", "t-r1", "t-r2"]
    assert "Run 3" in llm.calls[-1].prompt
    plain = await best_of("u", rollout, 3, bank.judge, llm)
    assert plain.answer == "CSULB" and plain.added == []


async def test_matts_sequential_refines_then_learns():
    llm = scripted({"refine 1": "Long Beach", "refine 2": "CSU Long Beach"})

    async def rollout(run_id):
        return episode(run_id=run_id)

    scaled = await sequential("t", rollout, 2, ReasoningBank(store()), llm)
    assert scaled.answer == "CSU Long Beach" and scaled.added and scaled.memory_tokens > 0


def test_vote_prefers_answers_judged_right():
    eps = [episode(answer=a) for a in ("x", "y", "y")]
    good, bad = Judgement(success=True, judge="self"), Judgement(success=False, judge="self")
    assert vote(eps, [good, bad, bad]) == "x" and vote(eps, [None, None, None]) == "y"
