"""Reading a ledger file: CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it in
China) or XLSX (the first sheet). Anything else is refused with a clear reason."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from domain.errors import InvalidValue


@dataclass(frozen=True)
class Sheet:
    """A ledger as read: its header cells, its data rows (row number as the office sees it:
    the header is row 1 of the file), and the file's SHA-256."""

    headers: list[str]
    rows: list[tuple[int, list[object]]]
    sha256: str


def read(path: Path) -> Sheet:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidValue("file", f"无法读取文件 {path}：{e.strerror or e}") from None
    sha = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04":
        table = _xlsx(data)
    elif path.suffix.lower() in (".csv", ".txt"):
        table = _csv(data)
    else:
        raise InvalidValue("file", f"文件 {path.name} 不是电子表格（只接受 .xlsx 或 .csv 台账）")
    first = next((i for i, r in enumerate(table) if any(_blank(c) is False for c in r)), None)
    if first is None:
        raise InvalidValue("file", f"文件 {path.name} 是空表，没有表头")
    headers = ["" if c is None else str(c).strip() for c in table[first]]
    rows = [(first + 2 + n, list(r)) for n, r in enumerate(table[first + 1:])
            if any(_blank(c) is False for c in r)]
    return Sheet(headers, rows, sha)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InvalidValue("file", f"文件不是有效的 Excel 工作簿（.xlsx）：{type(e).__name__}") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    return value


def _csv(data: bytes) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise InvalidValue("file", "文件不是电子表格：含有二进制内容（只接受 .xlsx 或 .csv 台账）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidValue("file", "CSV 文件编码无法识别（应为 UTF-8 或 GB18030）")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def as_date(value: object) -> date | None:
    """A cell as a date: a date cell, or text 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日."""
    if value is None or isinstance(value, date):
        return value
    s = str(value).strip()
    return _date_text(s) if s else None


@lru_cache(maxsize=4096)  # a ledger repeats its dates: each text is read once
def _date_text(text: str) -> date:
    s = text
    for ch in ("年", "月", "/", "."):
        s = s.replace(ch, "-")
    s = s.rstrip("日").split(" ")[0].split("T")[0]
    try:
        y, m, d = (int(p) for p in s.split("-"))
        return date(y, m, d)
    except (ValueError, TypeError):
        raise ValueError(text) from None
