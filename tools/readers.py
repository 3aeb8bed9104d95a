"""Documents as text, one reader per format: txt, csv, json, xlsx, pdf, docx.

Each reader uses a maintained library (openpyxl, pypdf, python-docx; the standard library
for the rest) and renders what a model needs to answer from the file: rows one per line,
sheets and pages labelled. Capping to the observation budget is the caller's job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

MAX_BYTES = 20 << 20  # bigger files are for the python tool
TEXT_SUFFIXES = {".txt", ".md", ".log", ".py", ".html", ".htm", ".xml", ".yaml", ".yml", ""}


class UnreadableError(ValueError):
    """The file cannot be read as text by these readers (the message says what to do)."""


def read_document(path: Path) -> str:
    """The file's content as text, by its suffix; unknown suffixes are read as UTF-8 text."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UnreadableError(f"{path.name} is {size >> 20} MiB: read it with the python tool")
    reader = READERS.get(path.suffix.lower(), read_text)
    return reader(path.read_bytes())


def read_text(data: bytes) -> str:
    """UTF-8 (a BOM dropped), else Latin-1; NUL bytes mean a binary file, refused."""
    if b"\0" in data[:8192]:
        raise UnreadableError("a binary file: read it with the python tool")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_csv(data: bytes) -> str:
    """Rows as `a | b | c` lines (the delimiter sniffed: comma, semicolon or tab)."""
    text = read_text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return "\n".join(" | ".join(row) for row in csv.reader(io.StringIO(text), dialect))


def read_json(data: bytes) -> str:
    text = read_text(data)
    try:
        return json.dumps(json.loads(text), indent=1, ensure_ascii=False)
    except ValueError:
        return text  # JSON Lines, or broken JSON: as written


def read_xlsx(data: bytes) -> str:
    """Every sheet, its computed values (not formulas), row by row with cell references."""
    openpyxl = _need("openpyxl", "openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    for sheet in book.worksheets:
        out.append(f"## sheet {sheet.title!r}")
        for row in sheet.iter_rows():
            cells = [c for c in row if c.value is not None]
            if cells:
                first = getattr(cells[0], "coordinate", "")
                out.append(f"{first}: " + " | ".join(_cell(c.value) for c in cells))
    book.close()
    return "\n".join(out)


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(f"[page {i}]\n{p.extract_text() or ''}" for i, p in enumerate(pages, 1))


def read_docx(data: bytes) -> str:
    """Paragraphs in order, then each table as `a | b` rows."""
    docx = _need("docx", "python-docx")
    doc = docx.Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs if p.text.strip()]
    for i, table in enumerate(doc.tables, 1):
        out.append(f"## table {i}")
        out += [" | ".join(c.text.strip() for c in row.cells) for row in table.rows]
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    return str(value)


def _need(module: str, package: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise UnreadableError(
            f"reading this format needs {package}: pip install 'agentkit[gaia]'"
        ) from None


READERS: dict[str, Callable[[bytes], str]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".json": read_json,
    ".jsonl": read_text,
    ".jsonld": read_json,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".pdf": read_pdf,
    ".docx": read_docx,
}
