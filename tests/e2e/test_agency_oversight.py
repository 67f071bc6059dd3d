"""Oversight of agencies over HTTP: evaluation, blacklist, an investigator's finding after an accident."""

from __future__ import annotations

from domain.evaluation import CRITERIA
from tests.conftest import credit_code

API = "/api/v1"


def _new(client, headers, path, body):
    response = client.post(API + path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_blacklisted_agency_cannot_be_contracted_until_reinstated(client, auth):
    bureau = auth("bureau")
    agency = _new(client, bureau, "/agencies", {"credit_code": credit_code(), "name": "失信咨询"})
    enterprise = _new(client, bureau, "/enterprises", {"credit_code": credit_code(), "name": "某厂",
                                                       "township": "330226001", "sector": "trade",
                                                       "scale": "individual"})
    contract = {"enterprise_id": enterprise, "agency_id": agency, "service": "monthly",
                "start": "2026-01-01", "end": "2026-12-31", "fee": 3600}
    assert client.post(API + f"/agencies/{agency}/blacklist", headers=bureau,
                       json={"reason": "出具虚假排查报告"}).status_code == 200
    refused = client.post(API + "/contracts", headers=bureau, json=contract)
    assert refused.status_code == 409 and refused.json()["rule"] == "blacklisted-agency-not-commissioned"
    state = client.get(API + f"/agencies/{agency}", headers=auth("township", township="330226001")).json()
    assert state["blacklisted"] and state["blacklist_reason"] == "出具虚假排查报告"
    client.post(API + f"/agencies/{agency}/reinstate", headers=bureau, json={"reason": "整改验收合格"})
    assert client.post(API + "/contracts", headers=bureau, json=contract).status_code == 201


def test_evaluation_scores_are_kept_and_a_failing_agency_gets_no_new_agreement(client, auth):
    bureau = auth("bureau")
    agency = _new(client, bureau, "/agencies", {"credit_code": credit_code(), "name": "考评对象"})
    client.post(API + f"/agencies/{agency}/evaluate", headers=bureau,
                json={"year": 2025, "scores": {k: 50 for k in CRITERIA}, "notes": "报告质量差"})
    evaluation = client.get(API + f"/agencies/{agency}", headers=bureau).json()["evaluations"][0]
    assert (evaluation["total"], evaluation["grade"]) == ("50.0", "fail")
    refused = client.post(API + "/agreements", headers=bureau, json={
        "agency_id": agency, "townships": ["330226001"], "sectors": ["chem"], "start": "2026-01-01",
        "end": "2026-12-31", "prices": {"comprehensive": 200}, "budget": 10000})
    assert refused.status_code == 409 and refused.json()["rule"] == "agreement-needs-passing-evaluation"


def test_an_investigator_records_a_finding_about_an_agency(client, auth):
    bureau = auth("bureau")
    agency = _new(client, bureau, "/agencies", {"credit_code": credit_code(), "name": "漏查机构"})
    enterprise = _new(client, bureau, "/enterprises", {"credit_code": credit_code(), "name": "事故企业",
                                                       "township": "330226003", "sector": "construction",
                                                       "scale": "small_micro"})
    accident = _new(client, bureau, "/accidents", {"enterprise_id": enterprise, "occurred_on": "2026-06-01",
                                                   "category": "fall", "deaths": 1, "injuries": 0,
                                                   "description": "脚手架坍塌"})
    investigator = auth("investigator", name="事故调查组 周")
    response = client.post(API + f"/accidents/{accident}/findings", headers=investigator, json={
        "agency_id": agency, "kind": "missed_hazard", "description": "5 月排查未发现脚手架连墙件缺失"})
    assert response.status_code == 200
    findings = client.get(API + f"/accidents/{accident}", headers=investigator).json()["findings"]
    assert findings[0]["agency_id"] == agency and findings[0]["by"]["name"] == "事故调查组 周"
