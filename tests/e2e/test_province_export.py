"""The export for the province (省级上报, issue 16 §2): the Zhejiang field set over HTTP — levels in
the Ningbo codes, the six 到位 flags of a major hazard, funds in 万元, 销号日期 and 确认时间 —
as JSON, CSV (codes kept as text) and XLSX (text, never a formula); who may read it; bad periods."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from domain.plan import PLAN_PARTS
from projections.queries.province import COLUMNS
from tests.projections.conftest import AGENCY, BUREAU, OWNER, Scenario

API = "/api/v1"
RISKY = "=HYPERLINK(\"http://x\",\"点我\")配电箱未接地"


def county(ledger) -> dict[str, str]:
    """May 2026 at one chemicals enterprise (西店镇): a general hazard closed, a major hazard with
    its plan, still open; a hazard withdrawn as a false report; one found in June."""
    s = Scenario(ledger)
    closed = s.closed_general(date(2026, 5, 2), date(2026, 5, 20), date(2026, 5, 12), date(2026, 5, 15))
    major = ledger.report_hazard(AGENCY, enterprise_id=s.enterprise, source="inspection",
                                 inspection_id=s.inspection, category="unsafe_condition", description=RISKY,
                                 level="major", discovered_on=date(2026, 5, 10)).id
    s.assign(major, date(2026, 5, 11), date(2026, 9, 30))
    ledger.file_rectification_plan(OWNER, major, parts={k: f"{v}：已落实" for k, v in PLAN_PARTS.items()},
                                   filed_on=date(2026, 5, 12))
    ledger.withdraw_hazard(BUREAU, s.hazard(date(2026, 5, 20)), reason="误报")
    s.hazard(date(2026, 6, 1))
    return {"closed": closed, "major": major}


def test_a_month_exports_in_the_zhejiang_field_set(api, auth, ledger):
    h = county(ledger)
    answer = api.get(f"{API}/exports/province", headers=auth("bureau"), params={"period": "2026-05"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["period"], body["start"], body["end"], body["total"]) == ("2026-05", "2026-05-01", "2026-05-31", 2)
    rows = {i["hazard_id"]: i for i in body["items"]}
    closed, major = rows[h["closed"]], rows[h["major"]]
    assert (closed["level_code"], closed["level_name"], closed["source_name"], closed["category_name"]) == \
        ("NORMAL", "一般", "中介机构评审", "物的不安全状态")
    assert (closed["rectified"], closed["rectified_on"], closed["funds_wan"], closed["closed_on"]) == \
        ("是", "2026-05-12", 0.0801, "2026-05-15")  # 800.50 元
    assert closed["confirmed_at"].endswith("+08:00") and closed["target_in_place"] is None  # flags: major only
    assert (major["level_code"], major["rectified"], major["planned_on"], major["closed_on"]) == \
        ("MAJOR", "否", "2026-09-30", None)
    flags = [major[k] for k in ("target_in_place", "responsibility_in_place", "measures_in_place",
                                "funds_in_place", "time_limit_in_place", "emergency_plan_in_place")]
    assert flags == ["是"] * 6
    assert closed["region_code"] == "330226011" and closed["township_name"] == "西店镇"
    assert closed["hazard_no"].startswith("宁海-2026-") and major["hazard_no"].startswith("宁海-2026-")
    assert [f["header"] for f in body["fields"]] == [header for _, header in COLUMNS]


def test_files_keep_codes_as_text_and_descriptions_as_data(api, auth, ledger):
    county(ledger)
    bureau = auth("bureau")
    as_csv = api.get(f"{API}/exports/province", headers=bureau, params={"period": "2026-05", "format": "csv"})
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0] == [header for _, header in COLUMNS] and len(table) == 3
    assert all(not cell.startswith("=") for row in table[1:] for cell in row)  # a description is no formula

    as_xlsx = api.get(f"{API}/exports/province", headers=bureau, params={"period": "2026", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == [header for _, header in COLUMNS] and len(values) == 1 + 3  # the June one too
    credit = values[1][values[0].index("统一社会信用代码")]
    assert values[1][0].startswith("宁海-2026-")  # 隐患编号 first (issue 17 §4)
    assert isinstance(credit, str) and len(credit) == 18
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_only_the_county_office_and_its_checkers_export_and_bad_periods_are_named(api, auth, ledger):
    county(ledger)
    for role in ("township", "regulator", "enterprise"):
        scope = {"township": {"township": "330226011"}, "regulator": {"sector": "chem"},
                 "enterprise": {"enterprise_id": "x"}}[role]
        refused = api.get(f"{API}/exports/province", headers=auth(role, **scope), params={"period": "2026-06"})
        assert refused.status_code == 403, (role, refused.text)
    assert api.get(f"{API}/exports/province", headers=auth("auditor"), params={"period": "2026-06"}).status_code == 200
    for period, says in (("2026-13", "月份"), ("2026Q5", "期间"), ("next year", "期间"), ("2099", "尚未开始")):
        bad = api.get(f"{API}/exports/province", headers=auth("bureau"), params={"period": period})
        assert bad.status_code == 422 and "period" in bad.text and says in bad.text, (period, bad.text)
    assert api.get(f"{API}/exports/province", headers=auth("bureau"),
                   params={"period": "2026-06", "format": "pdf"}).status_code == 422
