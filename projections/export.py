"""Tables for people: CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX.

Exports are data, never code (导出只是数据，不是公式). A spreadsheet runs a cell that begins with
= + - @ (or a tab or CR before them) as a formula — OWASP's "CSV injection". So:

- CSV: such text gets a leading `'` (shown, and read as text); every text field is quoted, so a
  `;` inside it cannot start a new cell where `;` is the list separator. A code (credit code,
  township code, document number, id) that Excel would read as a number or a date gets the same
  `'`: 913302261234567890 stays itself instead of 9.13302E+17.
- XLSX: text is always a string cell, never a formula (openpyxl types a str starting with "=" as
  a formula, so the cell's type is set explicitly); risky text also carries Excel's quotePrefix,
  so editing the cell keeps it text. Codes are text cells, dates date cells, amounts, counts and
  rates number cells. Row 1 names the table, its scope and the date made (制表日期); the header
  row (row 2) is bold and frozen, with an autofilter; columns fit; A4 landscape, one page wide.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from infra.clock import SHANGHAI, local

Columns = Sequence[tuple[str, str]]  # (key, Chinese header)
Sheet = tuple[Columns, Iterable[dict[str, Any]], str]  # columns, rows, title
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
NUMBER_LIKE = re.compile(r"[\d\s.,:/+\-%()eE]*\d[\d\s.,:/+\-%()eE]*")  # Excel would make it a number/date
CODES = frozenset({"key", "township", "sector", "credit_code"})
AMOUNTS = frozenset({"rectification_cost", "funds"})  # 元
AMOUNT_FORMAT, RATE_FORMAT, MOMENT_FORMAT = "#,##0.00", "0.00%", "yyyy-mm-dd hh:mm:ss"


def is_code(key: str) -> bool:
    """Credit codes, township codes, document numbers, ids, months (2026-11, which Excel would
    turn into a date): text, whatever digits they hold."""
    return key in CODES or key.endswith(("_id", "_code", "_doc", "month"))


def is_rate(key: str) -> bool:
    return key.endswith("rate") or key == "coverage"


def risky(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_START)


def _typed(value: Any) -> Any:
    """None, bool, a number, a date, a moment or text — anything else as its text."""
    if value is None or isinstance(value, (str, int, float, Decimal, date)):
        return value
    return str(value)


# --- CSV ---------------------------------------------------------------------------------------
def csv_cell(key: str, value: Any) -> Any:
    """A value as an office reads it: 是/否, percentages, ISO dates, exact amounts; text as text."""
    value = _typed(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return "'" + value if risky(value) or (is_code(key) and NUMBER_LIKE.fullmatch(value)) else value
    if is_rate(key):
        return f"{value * 100:.2f}%"
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def to_csv(columns: Columns, items: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([header for _, header in columns])
    body = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)  # text quoted, numbers bare
    body.writerows([csv_cell(key, item.get(key)) for key, _ in columns] for item in items)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------------
def _text_cell(sheet: Any, text: str) -> Any:
    """A string cell, never a formula nor an error value; quotePrefix when risky."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if not (text.startswith("=") or text in ERROR_CODES or risky(text)):
        return text  # openpyxl types plain text as a string itself
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = risky(text)
    return cell


def _formatted(sheet: Any, value: Any, number_format: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def xlsx_cell(sheet: Any, key: str, value: Any) -> Any:
    """A typed cell: text, a date (yyyy-mm-dd), a number; 是/否; moments in Shanghai time."""
    value = _typed(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, datetime):
        return _formatted(sheet, value.astimezone(SHANGHAI).replace(tzinfo=None), MOMENT_FORMAT)
    if is_rate(key):
        return _formatted(sheet, value, RATE_FORMAT)
    if key in AMOUNTS:
        return _formatted(sheet, value, AMOUNT_FORMAT)
    return value  # a count, or a date (openpyxl gives it yyyy-mm-dd)


def _width(value: Any) -> int:
    if isinstance(value, date):
        return 10
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _add_sheet(book: Any, columns: Columns, items: Iterable[dict[str, Any]], title: str, scope: str) -> None:
    """Row 1: the title, the scope and the date made (制表日期); row 2: the bold header, frozen
    with row 1 and filtered; then the rows. Printed on A4 landscape, one page wide, the header
    repeated on every page."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(_sheet_name(title))
    items = list(items)
    for i, (key, header) in enumerate(columns, 1):  # widths and panes go before the first row
        widest = max([_width(header), *(_width(item.get(key) or "") for item in items[:200])])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
    sheet.freeze_panes = "A3"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", 9  # 9: A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # one page wide, as long as it takes
    sheet.print_title_rows = "2:2"
    heading = WriteOnlyCell(sheet, value=title_line(title, scope))
    heading.font = Font(bold=True, size=13)
    sheet.append([heading])
    bold = Font(bold=True)
    header = [WriteOnlyCell(sheet, value=h) for _, h in columns]
    for c in header:
        c.font = bold
    sheet.append(header)
    for item in items:
        sheet.append([xlsx_cell(sheet, key, item.get(key)) for key, _ in columns])
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{len(items) + 2}"


def title_line(title: str, scope: str = "") -> str:
    """The sheet's first row: what it is, whose (范围) and when it was made (制表日期, Shanghai)."""
    from infra.clock import today

    scoped = f"（范围：{scope}）" if scope else ""
    return f"{title}{scoped}　制表日期：{today().isoformat()}"


def _sheet_name(title: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "表"


def workbook(sheets: Iterable[Sheet], scope: str = "") -> bytes:
    """An XLSX file, one worksheet per (columns, rows, title); `scope`: whose data (范围), in
    each sheet's title row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for columns, items, title in sheets:
        _add_sheet(book, columns, items, title, scope)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx(columns: Columns, items: Iterable[dict[str, Any]], title: str, scope: str = "") -> bytes:
    return workbook([(columns, items, title)], scope)


def render(fmt: str, columns: Columns, items: Iterable[dict[str, Any]], title: str, scope: str = "") -> bytes:
    return to_csv(columns, items) if fmt == "csv" else to_xlsx(columns, items, title, scope)
