import json

import pytest

from agentkit.errors import ConfigError
from agentkit.evals import hotpotqa
from agentkit.evals.metrics import exact_match, f1, normalize
from agentkit.evals.report import markdown_table, plot_points
from agentkit.evals.runner import Outcome, run_system, summarise
from agentkit.ledger import Ledger
from agentkit.types import CallLabels, Completion, Usage


@pytest.mark.parametrize(
    ("pred", "gold", "em", "f1_"),
    [
        ("The Eiffel Tower!", "eiffel tower", 1.0, 1.0),
        ("an apple a day", "Apple day", 1.0, 1.0),
        ("Paris France", "Paris", 0.0, 2 / 3),
        ("yes", "no", 0.0, 0.0),
        ("no", "no", 1.0, 1.0),
        ("yes it is", "yes", 0.0, 0.0),  # yes/no gold: any other normalised string scores 0
        ("", "1974", 0.0, 0.0),
        ("in 1974", "1974", 0.0, 2 / 3),
    ],
)
def test_official_metric_cases(pred, gold, em, f1_):
    assert exact_match(pred, gold) == em
    assert f1(pred, gold) == pytest.approx(f1_)


def test_normalize_drops_punctuation_articles_and_case():
    assert normalize("  The  U.S.A., a  Country ") == "usa country"


def _record(i: int) -> dict:
    return {
        "_id": f"q{i}",
        "question": f"Question {i}?",
        "answer": "x",
        "type": "bridge",
        "level": "hard",
        "supporting_facts": [["T", 0]],
        "context": [["T", ["A sentence."]], [f"U{i}", ["Other."]]],
    }


def test_loader_reads_the_official_format_and_builds_the_open_corpus(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(json.dumps(_record(i)) for i in range(5)))
    qs = hotpotqa.load(path, n=2, offset=1)
    assert [q.id for q in qs] == ["q1", "q2"]
    titles = [t for t, _ in hotpotqa.open_corpus(hotpotqa.load(path))]
    assert titles == ["T", "U0", "U1", "U2", "U3", "U4"]  # shared paragraph counted once


def test_loader_errors_name_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="--data PATH"):
        hotpotqa.load(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no id"}\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl:1"):
        hotpotqa.load(bad)


async def test_runner_scores_and_counts_from_the_ledger(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(json.dumps(_record(i)) for i in range(3)))
    qs = hotpotqa.load(path)
    ledger = Ledger()

    async def system(q, run_id):
        for role, p in (("planner", 10), ("solver", 5)):
            ledger.record(
                Completion(
                    texts=["x"],
                    usage=Usage(prompt_tokens=p, completion_tokens=2),
                    model="m",
                    latency_s=0.0,
                    http_s=0.0,
                    labels=CallLabels(run=run_id, role=role),
                )
            )
        return Outcome(answer="x" if q.id != "q2" else "y", tool_calls=1)

    out = tmp_path / "s.jsonl"
    results = await run_system("fake", system, qs, ledger, concurrency=2, jsonl=out)
    assert [r.em for r in sorted(results, key=lambda r: r.id)] == [1.0, 1.0, 0.0]
    assert all(r.prompt_tokens == 15 and r.completion_tokens == 4 for r in results)
    assert results[0].tokens_by_role["solver"].prompt == 5
    assert len(out.read_text().splitlines()) == 3
    s = summarise("fake", results)
    assert (s.em, s.tokens_per_question, s.llm_calls_per_question) == (66.7, 19.0, 2.0)
    assert "| fake | 3 | 66.7 |" in markdown_table([s])


def test_plot_points_writes_a_png_even_with_a_long_title(tmp_path):
    pytest.importorskip("matplotlib")
    points = [("direct", 291.0, 47.2), ("rewoo", 710.0, 33.4), ("react", 3473.0, 20.8)]
    path = plot_points(points, tmp_path / "p.png", "a title " * 20, "tokens per question", "F1")
    assert path == tmp_path / "p.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
