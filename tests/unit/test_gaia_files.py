"""The read_file tool: each format from a real file, confinement, and the token cap."""

import asyncio
import json

import pytest

from agentkit.tools.files import read_file_tool
from agentkit.tools.readers import UnreadableError, read_document


def call(tool, arg):
    return asyncio.run(tool(arg))


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "task"
    d.mkdir()
    (d / "notes.txt").write_text("alpha beta\ngamma\n")
    (d / "table.csv").write_text("city;people\nOslo;709000\nBergen;291000\n")
    (d / "data.json").write_text(json.dumps({"k": [1, 2], "name": "Zoë"}))
    (d / "sub").mkdir()
    (d / "sub" / "deep.txt").write_text("deep file")
    (tmp_path / "secret.txt").write_text("outside")
    return d


def test_text_csv_json(folder):
    assert read_document(folder / "notes.txt") == "alpha beta\ngamma\n"
    assert read_document(folder / "table.csv").splitlines() == [
        "city | people", "Oslo | 709000", "Bergen | 291000"]  # fmt: skip
    assert json.loads(read_document(folder / "data.json"))["name"] == "Zoë"


def test_xlsx(folder):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    sheet.append(["item", "units", "price"])
    sheet.append(["pen", 3, 1.5])
    sheet.append(["total", None, "=B2*C2"])
    book.create_sheet("Empty")
    book.save(folder / "book.xlsx")
    text = read_document(folder / "book.xlsx")
    assert "## sheet 'Sales'" in text and "A2: pen | 3 | 1.5" in text and "## sheet 'Empty'" in text


def test_docx(folder):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("Minutes of the meeting")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Owner", "Action"
    table.cell(1, 0).text, table.cell(1, 1).text = "Ines", "book room"
    doc.save(folder / "m.docx")
    assert read_document(folder / "m.docx").splitlines() == [
        "Minutes of the meeting", "## table 1", "Owner | Action", "Ines | book room"]  # fmt: skip


def test_pdf(folder):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    for line in ("First page total 41", "Second page total 42"):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 10, line)
    pdf.output(str(folder / "r.pdf"))
    text = read_document(folder / "r.pdf")
    assert "[page 1]\nFirst page total 41" in text and "[page 2]\nSecond page total 42" in text


def test_binary_is_refused_with_advice(folder):
    (folder / "blob.bin").write_bytes(b"\0\1\2" * 100)
    with pytest.raises(UnreadableError, match="python tool"):
        read_document(folder / "blob.bin")


def test_tool_confines_paths(folder):
    tool = read_file_tool(folder)
    assert call(tool, "notes.txt").text.startswith("alpha beta")
    assert call(tool, "/scratch/sub/deep.txt").text == "deep file"  # the sandbox's name
    assert call(tool, str(folder / "notes.txt")).ok  # absolute, but inside
    for bad in ("../secret.txt", "/etc/passwd", "sub/../../secret.txt", "/scratch/../secret.txt"):
        obs = call(tool, bad)
        assert not obs.ok and "outside the task's files" in obs.text, bad
        assert "outside" not in obs.text.split("the files are:")[1]  # no content leaked
    (folder / "link.txt").symlink_to(folder.parent / "secret.txt")
    assert "outside the task's files" in call(tool, "link.txt").text
    missing = call(tool, "nope.csv")
    assert not missing.ok and "notes.txt" in missing.text  # says which files there are


def test_tool_caps_output(folder):
    (folder / "long.txt").write_text("word " * 5000)
    obs = call(read_file_tool(folder, max_tokens=50), "long.txt")
    assert obs.truncated and "[cut to 50 tokens]" in obs.text and len(obs.text) < 400
