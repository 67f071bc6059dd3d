"""未报名单 and the month's self-reports over HTTP and the CLI: scope, bad months, exports in
Chinese that are data, never formulas."""

from __future__ import annotations

import argparse
import csv
import io

import orjson
import pytest
from openpyxl import load_workbook

from infra.settings import Settings
from services.cli import readmodels as readmodels_cli
from services.runtime import Config
from tests.conftest import POLITE_ENV, credit_code
from tests.projections.test_export_safety import FORMULA_START, sheet_formulas

API = "/api/v1"
RISKY = "=HYPERLINK(\"http://x\",\"点我\") 某五金厂"  # an enterprise name a spreadsheet would run


def build(client, auth) -> dict:
    """跃龙街道: 甲化工 files May's self-report (none found, on 30 June: late) and the risky-named
    五金厂 nothing; 桃源街道: 丙建筑 nothing."""
    bureau = auth("bureau")

    def enterprise(name: str, township: str) -> str:
        answer = client.post(f"{API}/enterprises", headers=bureau, json={
            "credit_code": credit_code(), "name": name, "township": township, "sector": "trade",
            "scale": "small_micro"})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    e1, e2, e3 = enterprise("甲化工", "330226001"), enterprise(RISKY, "330226001"), enterprise("丙建筑", "330226002")
    filed = client.post(f"{API}/self-reports", headers=auth("enterprise", enterprise_id=e1),
                        json={"enterprise_id": e1, "month": "2026-05", "none_found": True})
    assert filed.status_code == 201, filed.text
    return {"E1": e1, "E2": e2, "E3": e3, "position": filed.json()["position"], "bureau": bureau}


@pytest.fixture
def town(api, auth):
    return build(api, auth)


def _get(api, path, headers, **params):
    return api.get(f"{API}{path}", headers=headers, params=params)


def _names(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [i["name"] for i in answer.json()["items"]]


def test_the_month_lists_enterprises_without_a_self_report_in_each_scope(api, auth, town):
    after = town["position"]
    body = _get(api, "/non-reporters", town["bureau"], month="2026-05", after=after).json()
    assert [i["name"] for i in body["items"]] == [RISKY, "丙建筑"]
    assert (body["enterprises"], body["self_reported"], body["late"], body["non_reporters"], body["due_on"]) == (
        3, 1, 1, 2, "2026-06-05")
    assert _names(_get(api, "/non-reporters", town["bureau"], month="2026-05", township="330226002")) == ["丙建筑"]
    office = auth("township", township="330226001")
    assert _names(_get(api, "/non-reporters", office, month="2026-05")) == [RISKY]
    assert _names(_get(api, "/non-reporters", office, month="2026-05", township="330226002")) == []  # never wider
    assert _names(_get(api, "/non-reporters", auth("enterprise", enterprise_id=town["E2"]), month="2026-05")) == [RISKY]
    assert _names(_get(api, "/non-reporters", auth("enterprise", enterprise_id=town["E1"]), month="2026-05")) == []
    assert _names(_get(api, "/non-reporters", auth("regulator", sector="chem"), month="2026-05")) == []
    refused = _get(api, "/non-reporters", auth("agency", agency_id="A1"), month="2026-05")
    assert refused.status_code == 403 and refused.json()["rule"] == "access:non_reporters.read"
    # June: nobody has reported yet
    assert _names(_get(api, "/non-reporters", town["bureau"], month="2026-06")) == [RISKY, "甲化工", "丙建筑"]  # by township, then name

    reports = _get(api, "/self-reports", town["bureau"], month="2026-05").json()
    assert reports["total"] == 1
    row = reports["items"][0]
    assert {k: row[k] for k in ("name", "month", "filed_on", "late", "proxy", "none_found", "hazards")} == {
        "name": "甲化工", "month": "2026-05", "filed_on": "2026-06-30", "late": True, "proxy": False,
        "none_found": True, "hazards": 0}


@pytest.mark.parametrize("params, field", [
    ({"month": "2026-11"}, "month"),   # not yet begun (today is 30 June 2026)
    ({"month": "2026-13"}, "month"),
    ({"month": "May"}, "month"),
    ({"month": "2026-05", "township": "999999999"}, "township"),
])
def test_bad_months_and_townships_are_422_naming_them(api, auth, town, params, field):
    for path in ("/non-reporters", "/self-reports"):
        answer = _get(api, path, town["bureau"], **params)
        assert answer.status_code == 422 and answer.json()["field"] == field, (path, answer.text)
    assert _get(api, "/non-reporters", town["bureau"]).status_code == 422  # month is required


def test_exports_have_chinese_headers_and_are_data(api, auth, town):
    data = _get(api, "/non-reporters", town["bureau"], month="2026-05", format="csv", after=town["position"])
    assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
    assert "attachment" in data.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert rows[0] == ["企业名称", "乡镇（街道）", "行业", "规模", "最近自报月份", "企业编号"]
    assert [r[0] for r in rows[1:]] == ["'" + RISKY, "丙建筑"]
    assert not [v for r in rows for v in r if v.startswith(FORMULA_START)]

    book = _get(api, "/non-reporters", town["bureau"], month="2026-05", format="xlsx").content
    assert sheet_formulas(book) == []
    sheet = load_workbook(io.BytesIO(book)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0] == "企业名称" and values[1][0] == RISKY and sheet["A3"].data_type == "s"

    reports = _get(api, "/self-reports", town["bureau"], month="2026-05", format="csv").content.decode("utf-8-sig")
    header, first = list(csv.reader(io.StringIO(reports)))[:2]
    assert header[:5] == ["企业名称", "乡镇（街道）", "行业", "月份", "报送日期"]
    assert first[3] == "'2026-05" and first[5:8] == ["是", "否", "是"]  # a month stays text; late, 代报, 零隐患


@pytest.fixture
def hazard(database_url, schema, tmp_path):
    """`hazard non-reporters …` in-process (it catches the activity view up itself)."""
    parser = argparse.ArgumentParser(prog="hazard")
    readmodels_cli.register(parser.add_subparsers(dest="command", required=True))
    config = Config(Settings.from_env({**POLITE_ENV, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
                                       "HAZARD_DATA_DIR": str(tmp_path / "var")}))
    return lambda *argv: (args := parser.parse_args(argv)).run(args, config)


def test_the_cli_prints_the_list_in_chinese(client, auth, hazard, capsys, tmp_path):
    build(client, auth)  # the CLI's today is the machine's: May 2026 has long begun
    assert hazard("non-reporters", "--month", "2026-05") == 0
    out = capsys.readouterr().out
    assert "未报名单 2026-05（报送截止 2026-06-05）：应报 3 家，已自查自报 1 家（逾期 1" in out
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["企业名称", "乡镇（街道）", "行业"]
    assert ["丙建筑", "桃源街道"] in [line.split()[:2] for line in lines] and RISKY in out
    assert "甲化工" not in out.split("\n", 1)[1]

    assert hazard("non-reporters", "--month", "2026-05", "--township", "330226002", "--format", "json") == 0
    assert [i["name"] for i in orjson.loads(capsys.readouterr().out)["items"]] == ["丙建筑"]
    out_file = tmp_path / "未报.xlsx"
    assert hazard("non-reporters", "--month", "2026-05", "--format", "xlsx", "-o", str(out_file)) == 0
    assert sheet_formulas(out_file.read_bytes()) == []

    assert hazard("non-reporters", "--month", "2099-01") == 2
    assert hazard("non-reporters", "--month", "2026-05", "--township", "nope") == 2
    assert "township" in capsys.readouterr().err
