"""Issue 6 over HTTP: accountability, trace (JSON and HTML), coverage (CSV, XLSX), subsidies and
the approval chain, the auditor's export — each with its access rule and scope."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from projections.operations import running_projections
from services.api.app import create_app
from services.application import HazardLedger
from tests.conftest import TODAY
from tests.projections.test_accountability import build_world

API = "/api/v1"


@pytest.fixture
def app(store_env):
    app = HazardLedger(store_env, clock=lambda: TODAY)
    yield app
    app.close()


@pytest.fixture
def api(app, tokens, store_env) -> Iterator[TestClient]:
    with running_projections(store_env, reference=app.reference) as read_models:
        web = create_app(app, tokens, read_models=read_models)
        with TestClient(web) as client:
            yield client


@pytest.fixture
def world(app, api):
    """build_world's records, and the store's head position (for `?after=`)."""
    w = build_world(app)
    return w, app.recorder.max_notification_id()


def test_accountability_by_role_and_scope(api, auth, world):
    w, after = world
    url = f"{API}/agencies/{w.a1}/accountability?year=2026&after={after}"
    body = api.get(url, headers=auth("bureau")).json()
    assert body["monthly_inspections"] == {"months_due": 5, "months_missed": 1}
    assert body["agency"]["registered_at"].endswith("+08:00")
    assert api.get(url, headers=auth("agency", agency_id=w.a1)).status_code == 200
    own_only = api.get(url, headers=auth("agency", agency_id=w.a2))
    assert own_only.status_code == 403 and own_only.json()["rule"] == "access:agency.accountability"
    assert api.get(url, headers=auth("township", township="330226001")).status_code == 403
    assert api.get(f"{API}/agencies/nope/accountability", headers=auth("bureau")).status_code == 404


def test_trace_json_and_printable_html(api, auth, world):
    w, after = world
    url = f"{API}/trace/enterprises/{w.e1}?until=2026-05-31&after={after}"
    body = api.get(url, headers=auth("investigator")).json()
    assert body["unenforced"] == [w.hazards["h2"]] and body["until"] == "2026-05-31"
    assert all(s["recorded_at"].endswith("+08:00") for s in body["steps"])
    page = api.get(url + "&format=html", headers=auth("township", township="330226001"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for words in ("事故调查追溯报告", "甲化工", "李工", "执法未到位", "跃龙街道安监办 王主任", "漏查月份"):
        assert words in page.text
    assert api.get(url, headers=auth("township", township="330226002")).status_code == 403
    assert api.get(url, headers=auth("regulator", sector="chem")).status_code == 403


def test_coverage_exports_the_enforcement_list(api, auth, world):
    w, after = world
    body = api.get(f"{API}/coverage?year=2026&after={after}", headers=auth("bureau")).json()
    assert [e["name"] for e in body["enforcement_list"]] == ["丙建筑"] and body["enforcement_total"] == 1
    assert api.get(f"{API}/coverage?year=2026&page=2", headers=auth("bureau")).json()["enforcement_list"] == []
    own = api.get(f"{API}/coverage?year=2026", headers=auth("regulator", sector="construction")).json()
    assert own["total"]["enterprises"] == 1 and own["townships"][0]["township"] == "330226002"
    got = api.get(f"{API}/coverage?year=2026&format=csv", headers=auth("township", township="330226002"))
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["企业名称", "乡镇（街道）", "行业"] and rows[1][0] == "丙建筑"
    book = load_workbook(io.BytesIO(api.get(f"{API}/coverage?year=2026&format=xlsx",
                                            headers=auth("auditor")).content))
    assert book.sheetnames == ["2026年社会化服务覆盖率", "2026年度执法名单"]
    assert [c.value for c in book.worksheets[0][3]][:4] == ["跃龙街道", 2, 2, 1]  # 覆盖率: a number, shown 100.00%
    assert api.get(f"{API}/coverage", headers=auth("agency", agency_id=w.a1)).status_code == 403


def test_subsidy_claim_walks_the_approval_chain(api, auth, world):
    w, after = world
    bureau, office, agency = auth("bureau"), auth("township", township="330226001"), auth("agency", agency_id=w.a1)
    ledger = api.get(f"{API}/subsidies?year=2026&after={after}", headers=agency).json()
    assert [a["agency_id"] for a in ledger["agencies"]] == [w.a1] and ledger["agencies"][0]["total"] == "500"
    other = api.post(f"{API}/subsidies/claims", json={"agency_id": w.a2, "year": 2026}, headers=agency)
    assert other.status_code == 403
    filed = api.post(f"{API}/subsidies/claims?after={after}", json={"agency_id": w.a1, "year": 2026}, headers=agency)
    assert filed.status_code == 201, filed.text
    claim = filed.json()["id"]
    again = api.post(f"{API}/subsidies/claims", json={"agency_id": w.a1, "year": 2026}, headers=agency)
    assert again.status_code == 409 and again.json()["rule"] == "subsidy-approval-order"
    step = lambda path, body, who: api.post(f"{API}/subsidies/claims/{claim}/{path}", json=body, headers=who)  # noqa: E731
    assert step("bureau-review", {"passed": True, "on": "2026-06-01"}, bureau).status_code == 409  # not yet checked
    assert step("township-check", {"passed": True}, auth("township", township="330226002")).status_code == 403
    assert step("township-check", {"passed": True, "on": "2026-06-01"}, office).status_code == 200
    assert step("bureau-review", {"passed": True, "on": "2026-06-05"}, bureau).status_code == 200
    assert step("finance-approval", {"passed": True, "notes": "宁财〔2026〕8号", "on": "2026-06-10"},
                bureau).status_code == 200
    assert step("notice", {"start": "2026-06-11", "end": "2026-06-18"}, bureau).status_code == 200
    early = step("pay", {"paid_on": "2026-06-15"}, bureau)
    assert early.status_code == 409 and early.json()["rule"] == "subsidy-notice-period"
    paid = step("pay", {"paid_on": "2026-06-20"}, bureau)
    assert paid.status_code == 200
    state = api.get(f"{API}/subsidies/claims/{claim}", headers=office).json()
    assert state["status"] == "paid" and state["total"] == "500"
    row = api.get(f"{API}/subsidies?year=2026&after={paid.json()['position']}", headers=auth("auditor")).json()
    a1 = next(a for a in row["agencies"] if a["agency_id"] == w.a1)
    assert a1["claim"]["status_label"] == "已拨付" and [s["label"] for s in a1["claim"]["steps"]] == [
        "乡镇（街道）初审", "县应急管理局审核", "县财政局审定"]
    assert row["total"]["paid"] == "500"
    assert api.get(f"{API}/subsidies?year=2026", headers=office).status_code == 403


def test_audit_export_is_verifiable_and_scoped(api, auth, world):
    w, after = world
    doc = api.get(f"{API}/audit/enterprises/{w.e1}/export?after={after}", headers=auth("auditor")).json()
    assert doc["format"] == "hazardledger-audit-export/1" and doc["unchained"] == 0
    assert {e["originator_id"] for e in doc["events"]} >= {w.e1, w.contract, w.accident}
    assert w.e2 not in str(doc)
    verified = api.get(f"{API}/audit/verify", headers=auth("auditor")).json()
    assert verified["ok"] and doc["chain_head"]["position"] <= verified["head_position"]
    assert api.get(f"{API}/audit/enterprises/{w.e1}/export",
                   headers=auth("enterprise", enterprise_id=w.e1)).status_code == 403
    assert date.fromisoformat(doc["exported_at"][:10])
