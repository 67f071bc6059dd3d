"""考评 of townships, regulators and enterprises and the reward fund over HTTP (issue 15 §6):
Chinese labels, each party reading its own row, refusals naming their rule with nothing stored."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

T1 = "330226001"


@pytest.fixture
def county(ledger):
    bureau = actor(Role.BUREAU)
    e1 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township=T1,
                                    sector="chem", scale="small_micro").id
    e2 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="乙五金", township="330226002",
                                    sector="trade", scale="small_micro").id
    ledger.report_hazard(bureau, enterprise_id=e1, source="government_check", category="unsafe_condition",
                         description="配电箱破损", level="general", discovered_on=date(2026, 6, 1))
    return {"E1": e1, "E2": e2}


def test_tables_in_chinese_each_party_its_own_rows(api, auth, county):
    bureau = auth("bureau")
    scored = api.post("/api/v1/evaluations/scores", headers=bureau, json={
        "kind": "乡镇（街道）", "assessed": T1, "year": 2026,
        "scores": {"agency_management": 85, "progress": 75, "funding": 95}, "notes": "经费保障到位"})
    assert scored.status_code == 201, scored.text
    after = scored.json()["position"]
    mine = api.get(f"/api/v1/evaluations/townships?year=2026&after={after}",
                   headers=auth("township", township=T1)).json()
    [row] = mine["items"]
    assert (row["township"], row["complete"], row["notes"]) == (T1, True, "经费保障到位")
    assert [c["label"] for c in row["criteria"]][:2] == ["覆盖范围（社会化服务覆盖率对目标）",
                                                         "隐患整改情况（当年隐患销号率）"]
    assert {c["source_label"] for c in row["criteria"]} == {"据记录计算", "县局评分"}
    assert row["grade_label"] in ("优秀", "良好", "合格", "不合格")
    everyone = api.get("/api/v1/evaluations/townships?year=2026", headers=bureau).json()
    assert len(everyone["items"]) > 1 and everyone["thresholds"] == {"excellent": "90", "good": "80",
                                                                   "pass": "60"}
    sector = api.get("/api/v1/evaluations/regulators?year=2026", headers=auth("regulator", sector="chem")).json()
    assert [r["sector"] for r in sector["items"]] == ["chem"]
    own = api.get("/api/v1/evaluations/enterprises?year=2026",
                  headers=auth("enterprise", enterprise_id=county["E1"])).json()
    assert [r["name"] for r in own["items"]] == ["甲化工"]
    assert own["items"][0]["grade_label"] == "待县局评分"
    town = api.get("/api/v1/evaluations/enterprises?year=2026", headers=auth("township", township=T1)).json()
    assert [r["name"] for r in town["items"]] == ["甲化工"]
    assert api.get("/api/v1/evaluations/townships", headers=auth("enterprise", enterprise_id=county["E1"])
                   ).status_code == 403



def test_the_tables_export_to_csv_and_xlsx_with_chinese_headers(api, auth, county):
    """What a clerk files: every row of the table, Chinese headers, scores as numbers, the grade
    in words; a township's export holds its own row only; the enterprises' is not paged."""
    import openpyxl

    bureau = auth("bureau")
    scored = api.post("/api/v1/evaluations/scores", headers=bureau, json={
        "kind": "township", "assessed": T1, "year": 2026,
        "scores": {"agency_management": 85, "progress": 75, "funding": 95}, "notes": "=HYPERLINK(\"x\")"})
    after = scored.json()["position"]
    table = api.get(f"/api/v1/evaluations/townships?year=2026&after={after}", headers=bureau).json()
    exported = api.get("/api/v1/evaluations/townships?year=2026&format=csv", headers=bureau)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["乡镇（街道）", "覆盖范围（社会化服务覆盖率对目标）（据记录计算）",
                          "覆盖范围（社会化服务覆盖率对目标）依据"]
    assert header[-3:] == ["总分", "等级", "说明"] and "经费保障情况（县局评分）" in header
    assert len(body) == len(table["items"])
    mine = next(r for r in body if r[0] == "跃龙街道")
    assert mine[-2] == next(i["grade_label"] for i in table["items"] if i["township"] == T1)
    assert not mine[-1].startswith("=")  # a formula typed into the notes stays text
    own = api.get("/api/v1/evaluations/townships?year=2026&format=csv", headers=auth("township", township=T1))
    assert [r[0] for r in csv.reader(io.StringIO(own.content.decode("utf-8-sig")))][1:] == ["跃龙街道"]

    xlsx = api.get("/api/v1/evaluations/enterprises?year=2026&format=xlsx&limit=1", headers=bureau)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_row = next(i for i, r in enumerate(values) if r and r[0] == "企业名称")
    names = [r[0] for r in values[header_row + 1:] if r[0]]
    assert sorted(names) == ["乙五金", "甲化工"]  # both, although limit=1: an export is not paged
    regulators = api.get("/api/v1/evaluations/regulators?year=2026&format=csv", headers=bureau)
    assert regulators.content.decode("utf-8-sig").startswith("行业,")


def test_refusals(client, auth, county, ledger):
    bureau = auth("bureau")
    body = {"kind": "enterprise", "assessed": county["E1"], "year": 2026,
            "scores": {"leadership": 90, "investment": 80, "cooperation": 70}}
    assert client.post("/api/v1/evaluations/scores", headers=bureau, json=body).status_code == 201
    before = stored_count(ledger)
    again = client.post("/api/v1/evaluations/scores", headers=bureau, json=body)
    assert (again.status_code, again.json()["rule"]) == (409, "assessment-once-a-year")
    unknown = client.post("/api/v1/evaluations/scores", headers=bureau, json={**body, "assessed": "nobody"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "assessed")
    typed = client.post("/api/v1/evaluations/scores", headers=bureau, json={
        **body, "year": 2025, "scores": {**body["scores"], "responsibility": 100}})
    assert (typed.status_code, typed.json()["field"]) == (422, "scores.responsibility")
    township = client.post("/api/v1/evaluations/scores", headers=auth("township", township=T1), json=body)
    assert (township.status_code, township.json()["rule"]) == (403, "access:assessment.score")
    assert stored_count(ledger) == before

    fund = client.post("/api/v1/reward-funds", headers=bureau, json={
        "year": 2026, "amount": 300000, "document_no": "西政〔2026〕1号"})
    assert fund.status_code == 201, fund.text
    awards = [{"kind": "township", "recipient": T1, "amount": 200000, "reason": "推进有力"},
              {"kind": "enterprise", "recipient": county["E1"], "amount": 50000, "reason": "整改及时"}]
    ok = client.post("/api/v1/reward-funds/2026/allocations", headers=bureau,
                     json={"document_no": "西政〔2026〕9号", "awards": awards})
    assert ok.status_code == 200, ok.text
    before = stored_count(ledger)
    resubmitted = client.post("/api/v1/reward-funds/2026/allocations", headers=bureau,
                              json={"document_no": "西政〔2026〕9号", "awards": awards[:1]})
    assert (resubmitted.status_code, resubmitted.json()["rule"]) == (409, "reward-decision-once")
    over = client.post("/api/v1/reward-funds/2026/allocations", headers=bureau, json={
        "document_no": "西政〔2026〕10号", "awards": [
            {"kind": "regulator", "recipient": "chem", "amount": 30000, "reason": "执法到位"},
            {"kind": "agency", "recipient": county["E1"], "amount": 30000, "reason": "考评优秀"}]})
    assert (over.status_code, over.json()["field"]) == (422, "awards.1.recipient")  # not an agency
    over = client.post("/api/v1/reward-funds/2026/allocations", headers=bureau, json={
        "document_no": "西政〔2026〕10号", "awards": [
            {"kind": "regulator", "recipient": "chem", "amount": 50001, "reason": "执法到位"}]})
    assert (over.status_code, over.json()["rule"]) == (409, "reward-fund-within-amount")
    assert "已分配 250000" in over.json()["message"]
    twice = client.post("/api/v1/reward-funds", headers=bureau, json={
        "year": 2026, "amount": 1, "document_no": "x"})
    assert (twice.status_code, twice.json()["rule"]) == (409, "reward-fund-once-a-year")
    missing = client.post("/api/v1/reward-funds/2030/allocations", headers=bureau,
                          json={"document_no": "x", "awards": awards[:1]})
    assert missing.status_code == 404
    assert stored_count(ledger) == before
