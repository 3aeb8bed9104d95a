"""The budgeted reader and Auto: two-hop evidence, features, the policy (fit, save, load),
each escalation branch, budgets across stages, and fitting from collected rows."""

import asyncio
import json
import subprocess
import sys

import pytest

from agentkit import Agent, Budget, Limits, RunStatus
from agentkit.errors import ConfigError, PlanError
from agentkit.evals import hotpotqa, retrieval, systems
from agentkit.evals.auto_fit import FitRow, cascade, collect, fit, load_rows
from agentkit.memory.evidence import EvidenceSettings, LinkedEvidence
from agentkit.planners import Auto, PlannerOutput, Policy, Reader, RunContext, fit_policy
from agentkit.planners.auto import FEATURES, features
from agentkit.planners.reader import Reading
from agentkit.testing import FunctionModel, WordCounter
from agentkit.tools import ToolRegistry, llm_tool, search_tool

PAGES = [
    ("Jaws (film)", ["Jaws is a 1975 film directed by Steven Spielberg.", "It was a hit."]),
    ("Steven Spielberg", ["Steven Spielberg is a director.", "He attended Long Beach State."]),
    ("Long Beach", ["Long Beach is a city in California."]),
    ("Ada Lovelace", ["Ada Lovelace was a mathematician.", "She was born in 1815."]),
]
QUESTION = "Which university did the director of Jaws attend?"
count = WordCounter().count_text


def test_the_page_that_hop_one_names_comes_second():
    ev = LinkedEvidence(PAGES, EvidenceSettings(first=1))
    first, linked = ev.hops(QUESTION)
    assert [ev.pages[i].title for i in first] == ["Jaws (film)"]
    assert [ev.pages[i].title for i in linked] == ["Steven Spielberg"]  # named by hop 1
    chosen = ev.select(QUESTION, 60, count)
    assert {u.title for u in chosen.units} == {"Jaws (film)", "Steven Spielberg"}
    assert "Long Beach State" in chosen.text and chosen.tokens <= 60
    assert "Ada" not in chosen.text


def test_evidence_stays_within_its_budget_and_keeps_whole_sentences():
    ev = LinkedEvidence(PAGES)
    for budget in (0, 5, 12, 30, 200):
        chosen = ev.select(QUESTION, budget, count)
        assert chosen.tokens <= budget
        sentences = {s for _, ss in PAGES for s in ss}
        assert all(u.text in sentences for u in chosen.units)


def test_a_qualified_title_is_found_by_its_name_and_short_titles_are_not_looked_for():
    pages = [("Rush (band)", ["Rush was a band."]), ("Counterparts", ["Counterparts is by Rush."])]
    ev = LinkedEvidence(pages, EvidenceSettings(first=1))
    first, linked = ev.hops("Who recorded Counterparts?")
    assert [ev.pages[i].title for i in first + linked] == ["Counterparts", "Rush (band)"]
    ev = LinkedEvidence(pages, EvidenceSettings(first=1, min_title_chars=5))
    assert ev.hops("Who recorded Counterparts?")[1] == []  # "Rush" is too short to look for


def _reader_model(answer="Long Beach State", logprobs=(-0.1, -0.3)):
    def respond(messages, info):
        if info.labels.role == "reader":
            assert info.extra_body == {"logprobs": True}
            return answer
        if info.labels.role == "planner":
            return 'more: str = search("Steven Spielberg")\nanswer(llm(question, found + more))'
        return "CSU Long Beach"

    model = FunctionModel(respond)
    model.logprobs = list(logprobs)
    return model


@pytest.fixture(autouse=True)
def _logprobs(monkeypatch):
    """FunctionModel replies carry the model's `logprobs` attribute, as vLLM's do."""
    original = FunctionModel._complete

    async def with_logprobs(self, messages, info, **kw):
        done = await original(self, messages, info, **kw)
        lps = getattr(self, "logprobs", None)
        wanted = (info.extra_body or {}).get("logprobs")
        return done.model_copy(update={"logprobs": [lps] if wanted and lps else None})

    monkeypatch.setattr(FunctionModel, "_complete", with_logprobs)


def test_the_reader_reads_its_evidence_in_one_call_and_reports_logprobs():
    model = _reader_model()
    ctx = RunContext(llm=model, run_id="r", tools=ToolRegistry())
    reading = asyncio.run(Reader(LinkedEvidence(PAGES), max_tokens=40).read(QUESTION, ctx))
    assert reading.answer == "Long Beach State" and reading.logprobs == [-0.1, -0.3]
    assert reading.evidence.tokens <= 40 and reading.tokens > 0
    (call,) = model.calls
    assert "Steven Spielberg: Steven Spielberg is a director." in call.prompt
    result = Agent(model, Reader(LinkedEvidence(PAGES))).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.plan.startswith("read ")
    assert set(result.usage) == {"reader"}


def test_features_come_from_the_read_alone():
    ev = LinkedEvidence(PAGES).select(QUESTION, 60, count)
    f = features(QUESTION, Reading(answer="Long Beach State", evidence=ev, logprobs=[-0.1, -0.3]))
    assert set(f) == set(FEATURES)
    assert f["mean_logprob"] == pytest.approx(-0.2) and f["min_logprob"] == -0.3
    assert f["answer_in_evidence"] == 1.0 and f["answer_words"] == 3.0
    assert f["comparison_question"] == 0.0 and f["yes_no_question"] == 0.0
    g = features("Are Jaws and Alien both films?", Reading(answer="Unknown.", evidence=ev))
    assert g["yes_no_question"] == 1.0 and g["no_answer"] == 1.0 and g["mean_logprob"] == 0.0
    h = features(
        "Who was born first, Ada Lovelace or Charles Babbage?", Reading(answer="x", evidence=ev)
    )
    assert h["comparison_question"] == 1.0


def _policy(threshold):
    rows = [{"mean_logprob": -0.01 * i} for i in range(20)]
    right = [i < 10 for i in range(20)]  # confident reads are the right ones
    return fit_policy(rows, right, threshold=threshold, fitted_on="test")


def test_a_policy_learns_confidence_and_survives_a_round_trip(tmp_path):
    policy = _policy(0.5)
    assert policy.p_right({"mean_logprob": 0.0}) > 0.5 > policy.p_right({"mean_logprob": -0.19})
    path = policy.save(tmp_path / "p.json")
    assert Policy.load(path) == policy
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not an Auto policy"):
        Policy.load(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="agentkit eval auto-fit"):
        Policy.load(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="both right and wrong"):
        fit_policy([{"mean_logprob": 0.0}] * 3, [True] * 3, threshold=0.5, fitted_on="x")


def _auto_agent(model, threshold, **kw):
    auto = Auto(Reader(LinkedEvidence(PAGES)), _policy(threshold))
    tools = [search_tool(PAGES), llm_tool(description="answer a question from the context text")]
    return Agent(model, auto, tools=tools, **kw)


def test_a_confident_read_is_kept_and_costs_one_call():
    model = _reader_model(logprobs=(-0.001,))
    result = _auto_agent(model, 0.5).run_sync(QUESTION)
    assert result.answer == "Long Beach State" and "kept" in result.plan
    assert [c.info.labels.role for c in model.calls] == ["reader"]


def test_auto_reads_with_the_budget_its_policy_was_fitted_with():
    model = _reader_model(logprobs=(-0.001,))
    policy = _policy(0.5).model_copy(update={"read_tokens": 12})
    Agent(model, Auto(Reader(LinkedEvidence(PAGES), max_tokens=300), policy)).run_sync(QUESTION)
    (call,) = model.calls
    passages = call.prompt.split("Passages:")[1].split("Question:")[0]
    assert 0 < count(passages) <= 14  # the policy's 12 evidence tokens (+ line breaks), not 300


def test_a_doubtful_read_escalates_and_the_plan_says_why_and_what_it_cost():
    model = _reader_model(logprobs=(-0.5,))
    result = _auto_agent(model, 0.5).run_sync(QUESTION)
    assert result.answer == "CSU Long Beach"
    assert "P(right) 0.0" in result.plan and "escalated to codeagents" in result.plan
    assert {"reader", "planner", "worker"} <= set(result.usage)


class _Empty:
    """An escalation that comes back with nothing, or fails."""

    name = "empty"

    def __init__(self, fail):
        self.fail = fail

    async def run(self, question, ctx):
        if self.fail:
            raise PlanError("the planner wrote no program that can run")
        return PlannerOutput(answer="Unknown.", plan="answer('Unknown.')")


@pytest.mark.parametrize("fail", [False, True])
def test_an_escalation_that_finds_nothing_or_fails_keeps_the_read(fail):
    model = _reader_model(logprobs=(-0.5,))
    auto = Auto(Reader(LinkedEvidence(PAGES)), _policy(0.5), escalate=_Empty(fail))
    result = Agent(model, auto).run_sync(QUESTION)
    assert result.status is RunStatus.OK and result.answer == "Long Beach State"
    assert "escalated to empty, which found nothing: kept" in result.plan
    assert ("PlanError" in result.plan) is fail


def test_the_run_budget_holds_across_the_read_and_the_escalation():
    model = _reader_model(logprobs=(-0.5,))
    budget = Budget(run=Limits(total_tokens=120))
    result = _auto_agent(model, 0.5, budget=budget).run_sync(QUESTION)
    assert result.status is not RunStatus.OK  # stopped before the planner could pass it
    assert result.total.usage.total_tokens <= 120


def _row(i, reader_f1, escalated_f1, lp):
    return FitRow(
        id=str(i), features={"mean_logprob": lp}, reader_answer="a", reader_f1=reader_f1,
        reader_tokens=300, escalated_answer="b", escalated_f1=escalated_f1, escalated_tokens=500,
    )  # fmt: skip


def test_fitting_picks_the_best_threshold_within_the_token_budget():
    rows = [_row(i, 1.0, 0.0, -0.01) for i in range(10)]
    rows += [_row(10 + i, 0.0, 1.0, -1.0) for i in range(10)]
    policy, best = fit(rows, max_tokens=600, fitted_on="test", read_tokens=500)
    assert best.f1 == 100.0 and best.escalated_share == 0.5 and policy.read_tokens == 500
    assert best.tokens_per_question == 550.0
    assert cascade(rows, policy, 0.0).f1 == 50.0  # never escalating
    _, tight = fit(rows, max_tokens=300, fitted_on="test")
    assert tight.escalated_share == 0.0 and tight.tokens_per_question == 300


async def test_collect_reads_and_escalates_every_question(tmp_path):
    q = hotpotqa.HotpotQuestion(
        id="q1", question=QUESTION, answer="CSU Long Beach", type="bridge", level="hard",
        supporting_facts=[("Steven Spielberg", 1)], context=PAGES,
    )  # fmt: skip
    model = _reader_model()
    found = retrieval.build("bm25", "distractor", [q])
    [row] = await collect(model, [q], found, tmp_path / "rows.jsonl")
    assert row.reader_answer == "Long Beach State" and row.escalated_answer == "CSU Long Beach"
    assert row.escalated_f1 == 1.0 and 0 < row.reader_f1 < 1
    assert row.reader_tokens > 0 and row.escalated_tokens > 0
    assert json.loads((tmp_path / "rows.jsonl").read_text())["id"] == "q1"

    again = _reader_model(answer="Long Beach")  # a changed reader, the escalation reused
    [row2] = await collect(again, [q], found, tmp_path / "rows2.jsonl", escalations={"q1": row})
    assert {c.info.labels.role for c in again.calls} == {"reader"}  # no planner call
    assert (row2.reader_answer, row2.escalated_answer) == ("Long Beach", "CSU Long Beach")
    assert row2.escalated_tokens == row.escalated_tokens
    assert load_rows(tmp_path / "rows2.jsonl") == [row2]
    with pytest.raises(ConfigError, match="no fit rows"):
        load_rows(tmp_path / "missing.jsonl")
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(ConfigError, match="not a file of fit rows"):
        load_rows(tmp_path / "bad.jsonl")


def test_auto_without_a_shipped_policy_for_the_model_is_one_clear_error():
    with pytest.raises(ConfigError, match="agentkit eval auto-fit"):
        systems.shipped_policy("some-other-model")
    with pytest.raises(ConfigError, match="--setting open --search bm25"):  # none fitted for it
        systems.shipped_policy("qwen2.5-coder-1.5b", "open", "bm25")
    assert systems.policy_path("m").name == "auto_m.json"
    assert systems.policy_path("m", "open", "graph").name == "auto_m.open-graph.json"


def test_import_agentkit_loads_neither_faiss_nor_sklearn():
    code = "import sys, agentkit; print('faiss' in sys.modules, 'sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"


def test_the_policy_shipped_for_the_default_model_loads_and_says_what_it_learned_from():
    from agentkit.models import DEFAULT_MODEL

    policy = systems.shipped_policy(DEFAULT_MODEL)
    assert policy.features == list(FEATURES) and 0 < policy.threshold < 1
    assert "questions 51-200" in policy.fitted_on  # never the first 50 the benchmarks test
