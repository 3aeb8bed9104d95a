"""`agentkit memory ls|search|show|rm|export|import`: the learned memories in a store folder
(the Handbook, ReasoningBank, ArcMemo and Exemplars collections of agentkit.memory.learned)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from agentkit.cli_errors import clean_errors, console
from agentkit.errors import ConfigError
from agentkit.memory.learned import manage

memory_app = typer.Typer(
    help="Learned memories (handbook, ReasoningBank, ArcMemo, exemplars) in a store folder.",
    no_args_is_help=True,
)
StoreArg = Annotated[Path, typer.Argument(help="the memory store's folder")]
KindOpt = Annotated[
    str | None, typer.Option("--kind", help="handbook, reasoning_bank, arcmemo or exemplars")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _table(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("no memory items")
        return
    table = Table(*rows[0])
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


@memory_app.command("ls")
@clean_errors
def memory_ls(store: StoreArg, kind: KindOpt = None, json_: JsonOpt = False) -> None:
    """List every item: id, memory, kind, name, uses, trust, judge, source runs."""
    opened = manage.open_store(store, read_only=True)
    _table([manage.summary(name, rec) for name, rec in manage.items(opened, kind)], json_)


@memory_app.command("search")
@clean_errors
def memory_search(
    store: StoreArg,
    text: Annotated[str, typer.Argument(help="a task or question")],
    k: Annotated[int, typer.Option("-k", help="how many items")] = 5,
    kind: KindOpt = None,
    json_: JsonOpt = False,
) -> None:
    """The items closest to TEXT, as recall would rank them by meaning."""
    opened = manage.open_store(store, read_only=True, embed=True)
    _table(manage.search(opened, text, k, kind), json_)


@memory_app.command("show")
@clean_errors
def memory_show(
    store: StoreArg,
    item_id: Annotated[str, typer.Argument(help="an id from `agentkit memory ls`")],
    json_: JsonOpt = False,
) -> None:
    """One item in full: its fields, injected text and provenance."""
    name, record = manage.find(manage.open_store(store, read_only=True), item_id)
    row: dict[str, Any] = {
        "id": record.id,
        "memory": name,
        "text": record.text,
        "metadata": record.metadata.model_dump(mode="json"),
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }
    if json_:
        print(json.dumps(row, ensure_ascii=False))
        return
    console.print(f"[bold]{record.metadata.label}[/] ({name}, {record.id})")
    console.print(record.text, markup=False)
    console.print_json(json.dumps(row["metadata"]["provenance"]))


@memory_app.command("rm")
@clean_errors
def memory_rm(
    store: StoreArg,
    ids: Annotated[list[str], typer.Argument(help="item ids")],
    json_: JsonOpt = False,
) -> None:
    """Remove items by id (saved at once)."""
    with manage.open_store(store, read_only=False) as opened:
        removed = manage.remove(opened, ids)
    if json_:
        print(json.dumps({"removed": removed}))
    else:
        console.print(f"removed {removed} of {len(ids)} items")


@memory_app.command("export")
@clean_errors
def memory_export(
    store: StoreArg,
    out: Annotated[Path | None, typer.Option(help="a JSONL file (default: stdout)")] = None,
    kind: KindOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Every item as a JSON line (what `import` reads)."""
    lines = list(manage.export_lines(manage.open_store(store, read_only=True), kind))
    if out is None:
        for line in lines:
            print(line)
        return
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    tmp.replace(out)
    if json_:
        print(json.dumps({"exported": len(lines), "file": str(out)}))
    else:
        console.print(f"exported {len(lines)} items to {out}")


@memory_app.command("import")
@clean_errors
def memory_import(
    store: StoreArg,
    file: Annotated[Path, typer.Argument(help="JSONL from `agentkit memory export` ('-': stdin)")],
    embedder: Annotated[
        str | None,
        typer.Option(help="for a new store: the embedder's name (default: all-MiniLM-L6-v2)"),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Add exported items (replacing those with the same id), re-embedded by the store."""
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from None
    if (store / "CURRENT").exists() or (embedder is None and store.exists()):
        opened = manage.open_store(store, read_only=False, embed=True)
    else:
        name = embedder or manage.PACKAGED_MODEL_NAME
        from agentkit.memory import VectorStore

        opened = VectorStore.open(store, manage.embedder_named(name))
    with opened:
        count = manage.import_lines(opened, text.splitlines())
    if json_:
        print(json.dumps({"imported": count}))
    else:
        console.print(f"imported {count} items into {store}")
