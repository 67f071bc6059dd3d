"""The read models over HTTP: read your writes, scope, time travel, CSV/XLSX in Chinese."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.actor import Role
from projections.operations import running_projections
from projections.readmodels import ReadModels
from services.api.app import create_app
from tests.conftest import actor, credit_code

API = "/api/v1"


@pytest.fixture
def api(ledger, tokens, store_env) -> Iterator[TestClient]:
    """The app with the read-model router, and the projections running beside it."""
    with running_projections(store_env, reference=ledger.reference) as read_models:
        app = create_app(ledger, tokens, read_models=read_models)
        with TestClient(app) as client:
            yield client


@pytest.fixture
def world(api, auth):
    """Two enterprises in two townships and sectors; a hazard at each, written over HTTP."""
    bureau = auth("bureau")

    def post(path: str, body: dict) -> dict:
        answer = api.post(f"{API}{path}", headers=bureau, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    chem = post("/enterprises", {"credit_code": credit_code(), "name": "西店某化工厂", "township": "330226011",
                                 "sector": "chem", "scale": "small_micro"})["id"]
    trade = post("/enterprises", {"credit_code": credit_code(), "name": "跃龙某五金厂", "township": "330226001",
                                  "sector": "trade", "scale": "small_micro"})["id"]
    hazards = {}
    for firm, level in ((chem, "major"), (trade, "general")):
        hazards[firm] = post("/hazards", {"enterprise_id": firm, "source": "government_check",
                                          "category": "unsafe_condition", "description": "配电箱未接地",
                                          "level": level, "discovered_on": "2026-05-01"})
    return {"chem": chem, "trade": trade, "hazards": hazards, "bureau": bureau,
            "position": max(h["position"] for h in hazards.values())}


def test_a_read_after_a_write_sees_the_write(api, world):
    answer = api.get(f"{API}/ledger", params={"after": world["position"]}, headers=world["bureau"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 2
    assert {i["enterprise_name"] for i in body["items"]} == {"西店某化工厂", "跃龙某五金厂"}


def test_a_read_after_a_position_the_views_have_not_applied_is_503_with_retry_after(ledger, tokens, auth):
    """The store holds the position but no runner applies it (the views lag): wait, then 503."""
    written = ledger.register_agency(actor(Role.BUREAU), credit_code=credit_code(), name="某机构")
    read_models = ReadModels.beside(ledger)
    read_models.wait_seconds = 0.3
    try:
        with TestClient(create_app(ledger, tokens, read_models=read_models)) as client:
            answer = client.get(f"{API}/rates", params={"after": written.position}, headers=auth("bureau"))
    finally:
        read_models.close()
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    body = answer.json()
    assert (body["error"], body["view"], body["position"], body["reached"]) == (
        "not_caught_up", "ledger", written.position, 0)


def test_a_read_after_a_position_beyond_the_store_is_422_naming_after(api, world):
    answer = api.get(f"{API}/rates", params={"after": world["position"] + 10_000}, headers=world["bureau"])
    assert answer.status_code == 422 and answer.json()["field"] == "after"
    assert f"库中最大位置为 {world['position']}" in answer.json()["message"]


def test_every_read_model_keeps_to_the_token_scope(api, world, auth):
    after = {"after": world["position"]}
    seen = lambda path, headers, **q: api.get(f"{API}{path}", params={**after, **q},  # noqa: E731
                                              headers=headers).json()
    xidian = auth("township", township="330226011")
    assert [i["enterprise_name"] for i in seen("/ledger", xidian)["items"]] == ["西店某化工厂"]
    assert seen("/ledger", auth("regulator", sector="trade"))["total"] == 1
    assert seen("/ledger", auth("enterprise", enterprise_id=world["trade"]))["total"] == 1
    assert seen("/ledger", auth("agency", agency_id="no-such-agency"))["total"] == 0
    assert seen("/ledger", auth("auditor"))["total"] == 2
    assert seen("/rates", xidian)["total"]["found"] == 1
    assert [t["key"] for t in seen("/compliance", xidian)["totals"]["by_township"]] == ["330226011"]
    assert seen("/ledger", xidian, township="330226001")["total"] == 0  # a filter never widens the scope
    rows = api.get(f"{API}/statistics", params={"period": "2026Q2", **after}, headers=xidian).json()["rows"]
    assert [r["township"] for r in rows] == ["330226011"]


def test_the_ledger_as_of_a_date_and_as_known_at_a_moment(api, world, ledger):
    hazard = world["hazards"][world["trade"]]["id"]
    bureau = actor(Role.BUREAU)
    ledger.assign_responsibility(bureau, hazard, responsible_person="王五", deadline=date(2026, 5, 20),
                                 assigned_on=date(2026, 5, 2))
    ledger.report_rectification(bureau, hazard, evidence=["a.jpg"], cost=10, rectified_on=date(2026, 5, 10))
    ledger.review_rectification(actor(Role.TOWNSHIP), hazard, passed=True, reviewed_on=date(2026, 5, 12))
    position = ledger.close_hazard(bureau, hazard, closed_on=date(2026, 6, 5)).position
    status = lambda **q: {i["hazard_id"]: i["status"] for i in api.get(  # noqa: E731
        f"{API}/ledger", params={"after": position, **q}, headers=world["bureau"]).json()["items"]}[hazard]
    assert status() == "closed"
    assert status(as_of="2026-05-31") == "rectified"  # closed in June: open in May
    assert status(as_of="2026-05-05") == "assigned"
    before = api.get(f"{API}/ledger", params={"known_at": "2000-01-01"}, headers=world["bureau"]).json()
    assert before["total"] == 0  # nothing was recorded then
    rates = api.get(f"{API}/rates", params={"as_of": "2026-05-31", "by": "county", "period": "month"},
                    headers=world["bureau"]).json()
    assert rates["as_of"] == "2026-05-31" and rates["groups"][0]["rectified"] == 1


def test_exports_are_csv_and_xlsx_with_chinese_headers(api, world, auth):
    params = {"after": world["position"]}
    csv = api.get(f"{API}/ledger", params={**params, "format": "csv"}, headers=world["bureau"])
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig").splitlines()
    assert text[0].startswith("隐患编号,企业名称,统一社会信用代码,乡镇（街道）,行业,隐患等级") and len(text) == 3
    xlsx = api.get(f"{API}/rates", params={**params, "format": "xlsx"}, headers=world["bureau"])
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value.startswith("整改率（范围：全县（宁海县））　制表日期：")
    assert [c.value for c in sheet[2]][:4] == ["期间", "代码", "名称", "发现隐患"]
    assert "attachment" in xlsx.headers["content-disposition"]
    mine = api.get(f"{API}/ledger", params={**params, "format": "xlsx"}, headers=auth("township", township="330226011"))
    assert load_workbook(io.BytesIO(mine.content)).active["A1"].value.startswith("隐患台账（范围：西店镇）")
    for path, more in (("/compliance", {}), ("/statistics", {"period": "2026"})):
        answer = api.get(f"{API}{path}", params={**params, **more, "format": "csv"}, headers=world["bureau"])
        assert answer.status_code == 200 and "乡镇（街道）" in answer.content.decode("utf-8-sig")


def test_bad_input_is_422_naming_the_field_and_no_token_is_401(api, world):
    bureau = world["bureau"]
    assert api.get(f"{API}/statistics", params={"period": "2026Q5"}, headers=bureau).json()["field"] == "period"
    assert api.get(f"{API}/ledger", params={"status": "open"}, headers=bureau).json()["field"] == "status"
    assert api.get(f"{API}/ledger", params={"as_of": "yesterday"}, headers=bureau).status_code == 422
    assert api.get(f"{API}/ledger").status_code == 401
