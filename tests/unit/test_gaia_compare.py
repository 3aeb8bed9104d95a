"""`agentkit eval gaia` without a server: systems over a GAIA-layout folder with function
models; scoring by GAIA's rules, per-level accuracy, failed tool calls, files written."""

import json

import pytest

from agentkit.errors import ConfigError
from agentkit.evals.gaia import load
from agentkit.evals.gaia.compare import (
    GaiaOptions,
    check,
    compare,
    markdown_table,
    summarise,
    task_text,
)
from agentkit.testing import FunctionModel

ROWS = [
    {"task_id": "t1", "Question": "What is 6 times 7?", "Level": 1, "Final answer": "42",
     "file_name": ""},
    {"task_id": "t2", "Question": "What is the total of column b?", "Level": 2,
     "Final answer": "5", "file_name": "data.csv"},
    {"task_id": "t3", "Question": "Hidden answer", "Level": 2, "Final answer": "?",
     "file_name": ""},
]  # fmt: skip


@pytest.fixture
def tasks(tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (folder / "data.csv").write_text("a,b\n1,2\n7,3\n")
    return load(folder)


def test_the_task_text_says_where_the_file_is_and_how_it_begins(tasks):
    def words(text):
        return len(text.split())

    assert task_text(tasks[0], words) == "What is 6 times 7?"
    text = task_text(tasks[1], words)
    assert "Attached file: data.csv (read_file('data.csv')" in text
    assert text.endswith("It begins:\na | b\n1 | 2\n7 | 3")


def test_direct_reads_the_attachment_and_is_scored_by_gaia_rules(tasks, tmp_path):
    def respond(messages, info):
        prompt = messages[-1].content
        if "data.csv" in prompt:
            assert "7 | 3" in prompt  # the attachment's text is in the one prompt
            return "FINAL ANSWER: 5"
        return "42 units"  # GAIA: a number with a unit is wrong

    model = FunctionModel(respond)
    opts = GaiaOptions(systems=["direct"])
    summaries, results = model.run_sync(compare(model, tasks, opts, tmp_path))
    rows = {r.task_id: r for r in results["direct"]}
    assert rows["t1"].correct is False and rows["t2"].correct is True
    assert rows["t3"].correct is None  # hidden answers are not scored
    (s,) = summaries
    assert s.accuracy == 50.0 and s.accuracy_by_level == {"1": 0.0, "2": 100.0}
    assert s.tokens_per_task > 0 and s.llm_calls_per_task == 1.0
    lines = (tmp_path / "direct.jsonl").read_text().splitlines()
    assert len(lines) == 3
    assert "| direct | 3 | 50.0 | 1: 0.0, 2: 100.0 |" in markdown_table(summaries)


def test_a_planner_uses_the_task_tools_and_failed_calls_are_counted(tasks, tmp_path):
    programs = {
        "What is 6 times 7?": 'answer(calculator("6 * 7"))',
        "What is the total": (
            'rows: str = read_file("missing.csv")\nanswer(llm("Total of b?", rows))'
        ),
    }

    def respond(messages, info):
        role = info.labels.role
        prompt = messages[0].content
        if role == "planner":
            return next((p for q, p in programs.items() if q in prompt), 'answer("no idea")')
        if role == "replanner":
            return '# lines 1-1\nrows: str = read_file("data.csv")\n'
        return "5"

    model = FunctionModel(respond)
    opts = GaiaOptions(systems=["codeagents"])
    summaries, results = model.run_sync(compare(model, tasks, opts, tmp_path))
    rows = {r.task_id: r for r in results["codeagents"]}
    assert rows["t1"].prediction == "42" and rows["t1"].correct is True
    assert rows["t2"].prediction == "5" and rows["t2"].correct is True
    assert rows["t2"].tools_failed == {"read_file": 1}  # the missing file, then the patch
    assert summaries[0].tools_failed == {"read_file": 1}


def test_summaries_of_no_scored_task_have_no_accuracy():
    assert summarise("direct", []).accuracy is None


def test_unknown_systems_are_one_clear_error():
    with pytest.raises(ConfigError, match="unknown system smr; valid: direct, react"):
        check(GaiaOptions(systems=["smr"]))


def test_a_second_run_on_the_same_model_gets_its_own_run_ids(tasks, tmp_path):
    model = FunctionModel(lambda messages, info: "42")
    opts = GaiaOptions(systems=["direct"])
    first, _ = model.run_sync(compare(model, tasks, opts, tmp_path))
    again, _ = model.run_sync(compare(model, tasks, opts, tmp_path))
    assert again[0].tokens_per_task == first[0].tokens_per_task  # not added together
    assert model.ledger.records("direct#2:t1")


def test_a_resumed_run_keeps_what_its_jsonl_holds_and_runs_the_rest(tasks, tmp_path):
    model = FunctionModel(lambda messages, info: "FINAL ANSWER: 42")
    opts = GaiaOptions(systems=["direct"], out=tmp_path, resume=True)
    model.run_sync(compare(model, tasks[:1], opts, tmp_path))  # a run stopped after t1
    (tmp_path / "direct.jsonl").open("a").write('{"task_id": "t2", "sys')  # torn by a crash
    summaries, results = model.run_sync(compare(model, tasks, opts, tmp_path))
    assert [r.task_id for r in results["direct"]] == ["t1", "t2", "t3"]
    assert len(model.calls) == 3  # t1 once, then t2 and t3
    lines = (tmp_path / "direct.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["task_id"] for x in lines) == ["t1", "t2", "t3"]
    assert summaries[0].n == 3 and summaries[0].accuracy == 50.0


def test_resume_needs_the_run_directory():
    with pytest.raises(ConfigError, match="--resume continues a run"):
        check(GaiaOptions(resume=True))
