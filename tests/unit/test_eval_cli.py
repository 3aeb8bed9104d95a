"""`agentkit eval hotpotqa` end to end on agentkit.testing models: options, names, titles,
files, and which documents each setting searches.

The graph's embedder is a HashingEmbedder (no MiniLM) and AGENTKIT_HOME a temporary folder,
so the graph cache starts empty and nothing outside the test is touched.
"""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from agentkit.cli import app
from agentkit.evals import compare, hotpotqa, retrieval
from agentkit.ledger import Ledger
from agentkit.memory.store import HashingEmbedder
from agentkit.testing import FunctionModel, TestModel
from agentkit.trace import read_trace


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """The TestModel `connect` hands out (valid replies for every planner), with a fast
    embedder for graph search."""
    model = TestModel()
    monkeypatch.setenv("AGENTKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AGENTKIT_HOTPOTQA", raising=False)

    def connect(*args, **kwargs):
        model.ledger = Ledger()  # a fresh connection's ledger: run ids start unused
        return model

    monkeypatch.setattr(compare, "connect", connect)
    monkeypatch.setattr(retrieval, "_minilm", lambda: HashingEmbedder(dim=64))
    monkeypatch.setattr("agentkit.evals.report.plot", lambda *a, **k: None)
    return model


def run(*args: str):
    return CliRunner().invoke(app, ["eval", "hotpotqa", *args])


def text(result) -> str:
    """The output as one line (rich wraps at 80 columns)."""
    return " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--compare", "direct,smr,cot"],
            "unknown system cot; valid: direct, reader, auto, react, rewoo, smr, codeagents",
        ),
        (["--setting", "closed"], "unknown --setting closed; valid: distractor, open"),
        (["--search", "dense"], "unknown --search dense; valid: bm25, graph"),
        (["--triplets"], "--triplets adds LLM triplets to the graph; use it with --search graph"),
        (["--data", "x.jsonl", "--download"], "give --data PATH or --download, not both"),
    ],
)
def test_wrong_names_are_one_line_listing_the_valid_ones(args, says, fake):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {says}"
    assert fake.calls == []  # checked before anything was loaded or started


def test_every_system_runs_and_the_title_names_the_shipped_data(fake, tmp_path):
    out = tmp_path / "out"
    result = run("-n", "2", "--compare", "direct,react,rewoo,smr", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    title = summary["title"]
    assert title.startswith("HotpotQA dev distractor (shipped, 200): 2 questions, distractor")
    assert [s["system"] for s in summary["systems"]] == ["direct", "react", "rewoo", "smr"]
    assert all(s["errors"] == 0 and s["llm_calls_per_question"] >= 1 for s in summary["systems"])
    assert summary["run"]["data"] == str(hotpotqa.SHIPPED) and summary["run"]["git"]
    assert (out / "summary.md").read_text().startswith(f"# {title}")
    assert {f"{s}.jsonl" for s in ("direct", "react", "rewoo", "smr")} <= {
        p.name for p in out.iterdir()
    }
    assert {c.info.labels.role for c in fake.calls} >= {"reader", "smr", "solver"}


def test_a_data_file_names_the_title(fake, tmp_path):
    data = tmp_path / "my_hotpot.jsonl"
    data.write_text("\n".join(hotpotqa.SHIPPED.read_text().splitlines()[:3]) + "\n")
    out = tmp_path / "out"
    result = run("--data", str(data), "--compare", "direct", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["title"].startswith(
        "my_hotpot.jsonl: 3 questions"
    )


def test_graph_search_in_the_open_setting_builds_once_then_loads(fake, tmp_path):
    args = ["-n", "1", "--setting", "open", "--search", "graph", "--compare", "direct,smr"]
    first = run(*args, "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    assert "1 index over 1,971 paragraphs, 0 loaded from the cache" in text(first)
    assert "no LLM triplets (add --triplets" in text(first)
    again = run(*args, "--out", str(tmp_path / "b"))
    assert "1 index over 1,971 paragraphs, 1 loaded from the cache" in text(again)
    title = json.loads((tmp_path / "b" / "summary.json").read_text())["title"]
    assert "open setting, graph search" in title


def test_the_open_setting_searches_one_shared_corpus_of_every_paragraph():
    """Fails if the open setting quietly searched each question's own 10 paragraphs."""
    questions = hotpotqa.load()
    shown = questions[:3]
    open_ = retrieval.build("bm25", "open", shown, questions)
    assert len({id(open_.retriever(q)) for q in shown}) == 1  # the same corpus for each
    assert len(open_.retriever(shown[0]).passages) == 1971  # distinct titles of all 200
    distractor = retrieval.build("bm25", "distractor", shown)
    assert [len(distractor.retriever(q).passages) for q in shown] == [10, 10, 10]


async def test_open_search_finds_evidence_that_only_another_question_holds():
    """Question 0 asks about a page that only question 1's paragraphs contain."""
    q0, q1 = hotpotqa.load(n=2)
    title, sentences = q1.context[0]
    q0 = q0.model_copy(update={"question": f"What does {title} say? {sentences[0]}"})
    model = FunctionModel(lambda messages, info: "yes")
    for setting, found in (("open", True), ("distractor", False)):
        search = retrieval.build("bm25", setting, [q0], [q0, q1])
        model.calls.clear()
        await compare.systems.direct(model, search.tool)(q0, f"{setting}:q0")
        assert (f"{title}:" in model.calls[0].prompt) is found, setting


def test_no_import_cycle_between_the_two_clis():
    code = "import sys, agentkit.evals.cli; print('agentkit.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_triplets_come_from_the_model_and_the_output_says_so(fake, monkeypatch, tmp_path):
    def reply(messages, info):
        page = messages[-1].content.split("\n\n")[-1].split(":")[0]  # "{title}: {text}"
        return f'[["{page}","is about","{page}"]]' if info.labels.role == "indexer" else "yes"

    model = FunctionModel(reply)
    monkeypatch.setattr(compare, "connect", lambda *a, **k: model)
    args = ["-n", "1", "--search", "graph", "--triplets", "--compare", "direct"]
    result = run(*args, "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert "LLM triplets for 10 paragraphs" in text(result)
    assert sum(c.info.labels.role == "indexer" for c in model.calls) == 10


def test_a_whole_eval_is_traced_and_trace_show_renders_it(fake, tmp_path):
    out = tmp_path / "out"
    result = run("-n", "2", "--compare", "direct,rewoo", "--out", str(out))
    assert result.exit_code == 0, result.output
    runs = {
        json.loads(line)["id"] for f in ("direct", "rewoo") for line in (out / f"{f}.jsonl").open()
    }
    calls = [e for e in read_trace(out / "trace.jsonl") if e["kind"] == "llm_call"]
    assert len(calls) == len(fake.calls) and len({e["labels"]["run"] for e in calls}) == 4
    assert len(runs) == 2
    shown = CliRunner().invoke(app, ["trace", "show", str(out / "trace.jsonl")])
    assert shown.exit_code == 0 and "4 runs, 6 model calls" in " ".join(shown.output.split())
