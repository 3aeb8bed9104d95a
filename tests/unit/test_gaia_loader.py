"""GAIA's official layout: metadata.jsonl or metadata.parquet with attachments beside it."""

import json

import pytest

from agentkit.errors import ConfigError
from agentkit.evals.gaia import (
    SHIPPED,
    SubmissionLine,
    load,
    read_submission,
    write_submission,
)

ROWS = [
    {"task_id": "t1", "Question": "What?", "Level": 1, "Final answer": "3", "file_name": "",
     "Annotator Metadata": {"Steps": "1. think", "Number of steps": "1"}},
    {"task_id": "t2", "Question": "Sum the sheet.", "Level": "2", "Final answer": "x, y",
     "file_name": "data.csv", "Annotator Metadata": {}},
    {"task_id": "t3", "Question": "Hidden", "Level": 3, "Final answer": "?", "file_name": ""},
]  # fmt: skip


def write_layout(folder, rows=ROWS):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "data.csv").write_text("a,b\n1,2\n")
    return folder


def test_jsonl_layout(tmp_path):
    tasks = load(write_layout(tmp_path / "validation"))
    assert [t.task_id for t in tasks] == ["t1", "t2", "t3"]
    assert [t.level for t in tasks] == [1, 2, 3]  # int or string Level
    assert tasks[0].file_path is None and tasks[0].annotator_metadata["Number of steps"] == "1"
    assert tasks[1].file_path == (tmp_path / "validation" / "data.csv").resolve()
    assert tasks[2].final_answer is None  # the test split's hidden answer
    assert [t.task_id for t in load(tmp_path / "validation", levels={2})] == ["t2"]
    assert len(load(tmp_path / "validation" / "metadata.jsonl", n=1)) == 1


def test_parquet_layout_with_file_path(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    root = tmp_path / "GAIA"
    level = root / "2023" / "validation"
    level.mkdir(parents=True)
    (level / "data.csv").write_text("a\n")
    rows = [{**r, "Annotator Metadata": json.dumps(r.get("Annotator Metadata", {})),
             "file_path": "2023/validation/data.csv" if r["file_name"] else "",
             "Level": str(r["Level"])} for r in ROWS]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), root / "metadata.parquet")
    assert load(root)[0].annotator_metadata["Number of steps"] == "1"  # a JSON string
    for r in rows:
        r["Annotator Metadata"] = {"Steps": "x"}  # a struct column
    pq.write_table(pa.Table.from_pylist(rows), root / "metadata.parquet")
    tasks = load(root)  # file_path is relative to the copy's root
    assert tasks[1].file_path == (level / "data.csv").resolve()
    assert tasks[1].level == 2 and tasks[0].annotator_metadata == {"Steps": "x"}


def test_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"not found.*metadata\.jsonl"):
        load(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"no metadata\.jsonl"):
        load(tmp_path)
    folder = write_layout(tmp_path / "bad")
    with (folder / "metadata.jsonl").open("a") as fh:
        fh.write('{"task_id": "t4", "Question": \n')
    with pytest.raises(ConfigError, match=r"metadata.jsonl:4 is not a JSON line"):
        load(folder)
    write_layout(folder, [{"task_id": "t5", "Level": 1}])
    with pytest.raises(ConfigError, match=r":1 is not a GAIA task: Question"):
        load(folder)
    write_layout(folder, [{**ROWS[1], "file_name": "gone.xlsx"}])
    with pytest.raises(ConfigError, match=r"attachment 'gone\.xlsx' is missing"):
        load(folder)


def test_submission_is_written_atomically_and_reads_back(tmp_path):
    path = tmp_path / "out" / "submission.jsonl"
    lines = [SubmissionLine(task_id="t1", model_answer="3", reasoning_trace="added"),
             SubmissionLine(task_id="t2", model_answer="x, y")]  # fmt: skip
    write_submission(path, lines)
    raw = [json.loads(x) for x in path.read_text().splitlines()]
    assert raw == [{"task_id": "t1", "model_answer": "3", "reasoning_trace": "added"},
                   {"task_id": "t2", "model_answer": "x, y"}]  # fmt: skip
    assert read_submission(path) == lines
    assert [p.name for p in path.parent.iterdir()] == ["submission.jsonl"]  # no temp left

    def broken():
        yield lines[0]
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError):
        write_submission(path, broken())
    assert read_submission(path) == lines  # the old file is intact
    assert [p.name for p in path.parent.iterdir()] == ["submission.jsonl"]


def test_shipped_task_set():
    tasks = load()
    assert len(tasks) >= 20 and {t.level for t in tasks} == {1, 2}
    assert len({t.task_id for t in tasks}) == len(tasks)
    assert all(t.final_answer for t in tasks)
    with_files = [t for t in tasks if t.file_name]
    assert {t.file_name.rsplit(".", 1)[1] for t in with_files} >= {
        "csv",
        "xlsx",
        "json",
        "pdf",
        "docx",
        "txt",
    }
    assert sum(p.stat().st_size for p in SHIPPED.iterdir()) < 1_000_000
    assert "written for agentkit" in (SHIPPED / "README.md").read_text()
