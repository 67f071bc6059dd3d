"""How the CLI prints a listing: `--format table|csv|json|xlsx` (issue 17 §7).

One way for every listing command: `table` is an aligned table with Chinese headers (rich,
which measures Chinese characters as two columns), `csv` / `xlsx` are the same files the API
exports (`projections.export.render`, formula-safe), `json` is the whole result as the API
answers it. Titles and notes go above the table; a file named by `--output` gets csv/xlsx.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

FORMATS = ("table", "json", "csv", "xlsx")
Columns = Sequence[tuple[str, str]]  # (key, Chinese header)


def add_format(p: argparse.ArgumentParser, *, files: bool = True) -> None:
    """`--format` (and `--output` for csv/xlsx) on a listing command."""
    p.add_argument("--format", choices=FORMATS if files else ("table", "json"), default="table",
                   help="table（表格，默认）、json" + ("、csv、xlsx" if files else ""))
    if files:
        p.add_argument("--output", "-o", help="csv/xlsx 写入的文件（缺省：标准输出）")


def cell(key: str, value: Any) -> str:
    """A value as a table cell: 是/否, percentages for rates, dates as ISO, '-' for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and (key.endswith("rate") or key == "coverage"):
        return f"{value * 100:.1f}%"
    if isinstance(value, datetime):
        from infra.clock import local
        return local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return "、".join(cell(key, v) for v in value) or "-"
    return str(value)


def print_table(columns: Columns, rows: Iterable[dict[str, Any]], *, title: str = "",
                notes: Sequence[str] = (), stream: Any = None) -> None:
    """An aligned table with Chinese headers; numbers right-aligned."""
    from rich.console import Console
    from rich.table import Table
    from rich import box

    stream = stream or sys.stdout
    console = Console(file=stream, width=None if stream.isatty() else 400, soft_wrap=False,
                      highlight=False, emoji=False, markup=False)
    rows = list(rows)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    for key, header in columns:
        numeric = bool(rows) and all(isinstance(r.get(key), (int, float, Decimal)) and
                                     not isinstance(r.get(key), bool) for r in rows)
        table.add_column(header, justify="right" if numeric else "left", overflow="fold")
    for r in rows:
        table.add_row(*(cell(key, r.get(key)) for key, _ in columns))
    if title:
        console.print(title)
    for note in notes:
        console.print(note)
    console.print(table if rows else "（无）")


def emit(args: argparse.Namespace, *, title: str, columns: Columns, rows: list[dict[str, Any]],
         result: Any, notes: Sequence[str] = (), file_columns: Columns | None = None,
         file_rows: list[dict[str, Any]] | None = None, sheet: str | None = None) -> int:
    """Print a listing in the chosen format. `columns`/`rows` are the terminal table;
    `file_columns`/`file_rows` (default: the same) the csv/xlsx; `result` the JSON."""
    fmt = getattr(args, "format", "table")
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
                                             default=str) + b"\n")
    elif fmt in ("csv", "xlsx"):
        from projections.export import render

        out_rows = rows if file_rows is None else file_rows
        data = render(fmt, list(file_columns or columns), out_rows, sheet or title)
        if getattr(args, "output", None):
            with open(args.output, "wb") as f:
                f.write(data)
            print(f"{len(out_rows)} 行 → {args.output}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
    else:
        print_table(columns, rows, title=title, notes=notes)
    return 0


def record_names(app: Any) -> Any:
    """(field, id) → the name of the enterprise or agency an event's field names, loaded from
    the store (None for other fields or a record not stored): for `describe` in the CLI."""
    from domain.parties import Agency, Enterprise

    kinds = {"enterprise_id": Enterprise, "agency_id": Agency}

    def name(field: str, ident: str) -> str | None:
        cls = kinds.get(field)
        found = app.find(cls, ident) if cls else None
        return getattr(found, "name", None)
    return name
