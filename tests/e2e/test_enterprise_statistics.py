"""Issue 13 point 6 over HTTP: the enterprise's quarterly 统计分析表 (16号令) — Ningbo's columns
computed from the record as of the period's end, printable, exportable, scoped like the
enterprise's other records."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from domain.actor import Role
from tests.conftest import actor
from tests.projections.conftest import OWNER, TOWNSHIP, Scenario

API = "/api/v1"
PLAN = {k: "内容" for k in ("objectives", "measures", "funds", "organisation", "timeline", "safety_measures")}
REGULATOR = actor(Role.REGULATOR)


def _found(s: Scenario, found: date, description: str = "储罐区可燃气体报警器失效") -> str:
    """A major hazard found by the sector regulator's check (执法检查)."""
    return s.app.report_hazard(REGULATOR, enterprise_id=s.enterprise, source="government_check",
                               category="unsafe_condition", description=description, level="major",
                               discovered_on=found).id


def _major(s: Scenario, found: date, *, deadline: date | None = None, plan: date | None = None,
           rectified: date | None = None, cost: str = "0") -> str:
    h = _found(s, found)
    if deadline:
        s.assign(h, found, deadline)
    if plan:
        s.app.file_rectification_plan(OWNER, h, parts=PLAN, filed_on=plan)
    if rectified:
        s.app.report_rectification(OWNER, h, evidence=["after.jpg"], cost=cost, rectified_on=rectified)
    return h


@pytest.fixture
def firm(ledger, api):
    """西店镇 chem enterprise, its agency serving it all 2026 (today is 30 June 2026).
    Q1: M00 (plan, rectified 20 June, 1,000 元), M0 (plan, still open).
    Q2: G1 closed (800.50 元), G2 open, G3 withdrawn (recorded after 30 June); M1 五到位 and rectified (5,000 元),
    M2 assigned without a plan and overdue, M3 not even assigned."""
    s = Scenario(ledger)
    ids = {"M00": _major(s, date(2026, 1, 5), deadline=date(2026, 6, 30), plan=date(2026, 1, 10)),
           "M0": _major(s, date(2026, 2, 10), deadline=date(2026, 9, 30), plan=date(2026, 2, 20))}
    ledger.report_rectification(OWNER, ids["M00"], evidence=["a.jpg"], cost="1000",
                                rectified_on=date(2026, 6, 20))
    ids["G1"] = s.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 4, 25))
    ids["G2"] = s.hazard(date(2026, 4, 12))
    s.assign(ids["G2"], date(2026, 4, 12), date(2026, 7, 31))
    ids["G3"] = s.hazard(date(2026, 5, 2))
    ledger.withdraw_hazard(TOWNSHIP, ids["G3"], reason="误报")
    ids["M1"] = _major(s, date(2026, 4, 15), deadline=date(2026, 6, 30), plan=date(2026, 4, 20),
                       rectified=date(2026, 5, 30), cost="5000")
    h = ids["M2"] = _found(s, date(2026, 5, 5), "<script>alert(1)</script>储罐")
    s.assign(h, date(2026, 5, 5), date(2026, 5, 31))
    ids["M3"] = _found(s, date(2026, 6, 1))
    return s, ids, ledger.recorder.max_notification_id()


def _get(api, auth, s, after, period="2026Q2", who=None, extra=""):
    url = f"{API}/statistics/enterprises/{s.enterprise}?period={period}&after={after}{extra}"
    return api.get(url, headers=who or auth("bureau"))


def test_quarter_as_of_its_end_with_ningbo_columns(api, auth, firm):
    s, ids, after = firm
    body = _get(api, auth, s, after).json()
    assert (body["period"], body["as_of"], body["complete"], body["due_on"]) == (
        "2026Q2", "2026-06-30", True, "2026-07-15")
    assert body["enterprise"]["name"] == "宁海县某化工有限公司" and body["enterprise"]["township_name"] == "西店镇"
    # G3's withdrawal has no business date of its own: it takes its record date (the real today,
    # after 30 June), so as of 30 June the false report still counts (docs/readmodels.md §2)
    assert {k: body[k] for k in ("general_found", "general_open", "major_found", "major_open",
                                 "major_open_with_plan", "major_overdue", "major_open_earlier")} == {
        "general_found": 3, "general_open": 2, "major_found": 3, "major_open": 2,
        "major_open_with_plan": 0, "major_overdue": 1, "major_open_earlier": 1}
    assert body["five"] == {"measures": 1, "responsibility": 2, "funds": 1, "deadline": 2, "emergency": 1}
    assert body["five_all"] == 1
    assert (str(body["funds"]), str(body["funds_year"]), str(body["funds_wan"])) == ("5800.50", "6800.50", "0.5801")
    listed = {h["hazard_id"]: h for h in body["major_hazards"]}
    assert set(listed) == {ids["M0"], ids["M1"], ids["M2"], ids["M3"]}  # M00 rectified, found in Q1
    assert listed[ids["M2"]]["five"] == {"measures": False, "responsibility": True, "funds": False,
                                         "deadline": True, "emergency": False}


def test_an_earlier_quarter_shows_the_record_as_it_stood_then(api, auth, firm):
    s, ids, after = firm
    body = _get(api, auth, s, after, "2026Q1").json()
    assert (body["as_of"], body["general_found"], body["major_found"], body["major_open"],
            body["major_open_with_plan"], str(body["funds_year"])) == ("2026-03-31", 0, 2, 2, 2, "0")
    assert body["five"] == dict.fromkeys(("measures", "responsibility", "funds", "deadline", "emergency"), 2)


def test_same_figures_as_the_county_statistics_row(api, auth, firm):
    s, _, after = firm
    mine = _get(api, auth, s, after).json()
    county = api.get(f"{API}/statistics?period=2026Q2&by=enterprise&after={after}",
                     headers=auth("bureau")).json()
    (row,) = [r for r in county["rows"] if r["enterprise_id"] == s.enterprise]
    for theirs, ours in (("general_found", "general_found"), ("general_open", "general_open"),
                         ("major_found", "major_found"), ("major_open", "major_open"),
                         ("major_in_plan", "major_open_with_plan"), ("major_overdue", "major_overdue"),
                         ("funds", "funds")):
        assert Decimal(str(row[theirs])) == Decimal(str(mine[ours])), theirs


def test_printable_html_and_csv(api, auth, firm):
    s, _, after = firm
    page = _get(api, auth, s, after, extra="&format=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for words in ("事故隐患排查治理统计分析表", "宁海县某化工有限公司", "整改措施到位", "应急预案到位",
                  "单位主要负责人（签字）", "5800.50", "&lt;script&gt;"):
        assert words in page.text, words
    assert "<script>" not in page.text
    exported = _get(api, auth, s, after, extra="&format=csv")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    header, row = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    table = dict(zip(header, row))
    assert (table["一般隐患数"], table["重大隐患未整改数"], table["整改时限到位"]) == ("3", "2", "2")
    sheet = load_workbook(io.BytesIO(_get(api, auth, s, after, extra="&format=xlsx").content)).active
    header, row = list(sheet.iter_rows(min_row=2, values_only=True))
    assert dict(zip(header, row))["五到位重大隐患数"] == 1


def test_bad_periods_and_unknown_enterprise(api, auth, firm):
    s, _, after = firm
    for period in ("2026Q5", "26Q1", "2026-13", "2026Q3"):  # 2026Q3 has not begun on 30 June
        answer = _get(api, auth, s, after, period)
        assert answer.status_code == 422 and answer.json()["field"] == "period", period
    assert _get(api, auth, s, after, "2026").json()["as_of"] == "2026-06-30"  # the running year: today
    missing = api.get(f"{API}/statistics/enterprises/nope?period=2026Q2", headers=auth("bureau"))
    assert missing.status_code == 404


def test_who_may_read_it(api, auth, firm):
    s, _, after = firm
    allowed = [auth("enterprise", enterprise_id=s.enterprise), auth("township", township="330226011"),
               auth("regulator", sector="chem"), auth("agency", agency_id=s.agency), auth("auditor"),
               auth("investigator"), auth("admin")]
    denied = [auth("enterprise", enterprise_id="other"), auth("township", township="330226001"),
              auth("regulator", sector="construction"), auth("agency", agency_id="other")]
    for headers in allowed:
        assert _get(api, auth, s, after, who=headers).status_code == 200
    for headers in denied:
        answer = _get(api, auth, s, after, who=headers)
        assert answer.status_code == 403 and answer.json()["rule"] == "access:statistics.enterprise.read"
