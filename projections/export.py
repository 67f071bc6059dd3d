"""Tables for people: CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from infra.clock import local

Columns = Sequence[tuple[str, str]]  # (key, Chinese header)
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def cell(key: str, value: Any) -> Any:
    """A value as an office reads it: 是/否, percentages, ISO dates, exact amounts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("rate") or key == "coverage":
        return f"{value * 100:.2f}%"
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def rows_of(columns: Columns, items: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for item in items:
        yield [cell(key, item.get(key)) for key, _ in columns]


def to_csv(columns: Columns, items: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header in columns])
    writer.writerows(rows_of(columns, items))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Columns, items: Iterable[dict[str, Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([header for _, header in columns])
    for row in rows_of(columns, items):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(fmt: str, columns: Columns, items: Iterable[dict[str, Any]], title: str) -> bytes:
    return to_csv(columns, items) if fmt == "csv" else to_xlsx(columns, items, title)
