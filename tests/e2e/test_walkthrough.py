"""A major hazard from report to closure over HTTP, as the README walks it with curl."""

from __future__ import annotations

from tests.conftest import credit_code

API = "/api/v1"


def _post(client, path, headers, body=None, status=200):
    response = client.post(API + path, headers=headers, json=body if body is not None else {})
    assert response.status_code == status, response.text
    return response.json()


def test_major_hazard_from_report_to_closure(client, auth):
    bureau, agency_h = auth("bureau", name="县应急管理局 张局"), None
    enterprise = _post(client, "/enterprises", bureau, {
        "credit_code": credit_code(), "name": "宁海县某化工有限公司", "township": "330226011",
        "sector": "chem", "scale": "small_micro"}, 201)
    agency = _post(client, "/agencies", bureau, {"credit_code": credit_code(), "name": "宁海安评咨询"}, 201)
    agency_h = auth("agency", name="李工（注册安全工程师）", agency_id=agency["id"])
    expert = _post(client, f"/agencies/{agency['id']}/experts", agency_h,
                   {"name": "李工", "certificate_no": "ZJ2026-001"}, 201)
    contract = _post(client, "/contracts", bureau, {
        "enterprise_id": enterprise["id"], "agency_id": agency["id"], "service": "monthly",
        "start": "2026-01-01", "end": "2029-12-31", "fee": "3600"}, 201)
    _post(client, f"/contracts/{contract['id']}/countersign", agency_h)  # in force once countersigned
    inspection = _post(client, "/inspections", agency_h, {
        "enterprise_id": enterprise["id"], "agency_id": agency["id"], "kind": "monthly",
        "basis_id": contract["id"], "scheduled_for": "2026-05-10"}, 201)
    _post(client, f"/inspections/{inspection['id']}/perform", agency_h,
          {"performed_on": "2026-05-10", "expert_ids": [expert["id"]]})
    hazard = _post(client, "/hazards", agency_h, {
        "enterprise_id": enterprise["id"], "inspection_id": inspection["id"], "source": "inspection",
        "category": "unsafe_condition", "description": "储罐区可燃气体报警器失效", "level": "major"}, 201)
    hz = f"/hazards/{hazard['id']}"
    owner = auth("enterprise", name="王厂长", enterprise_id=enterprise["id"])
    _post(client, f"{hz}/assign", owner, {"responsible_person": "王五", "deadline": "2026-06-20",
                                          "assigned_on": "2026-05-11"})
    refused = client.post(API + f"{hz}/rectify", headers=owner,
                          json={"evidence": ["after.jpg"], "cost": "8000", "rectified_on": "2026-06-01"})
    assert refused.status_code == 409 and refused.json()["rule"] == "major-hazard-needs-plan"
    _post(client, f"{hz}/plan", owner, {
        "objectives": "更换报警器并联网", "measures": "停用储罐区，更换探头", "funds": "8000 元",
        "organisation": "设备科王五负责", "timeline": "6 月 20 日前", "safety_measures": "停用期间专人巡检",
        "filed_on": "2026-05-12"})
    _post(client, f"{hz}/supervise", bureau, {"level": "county", "document_no": "宁安督〔2026〕3号",
                                              "listed_on": "2026-05-13"})
    _post(client, f"{hz}/enforce", auth("regulator", sector="chem"),
          {"kind": "order_rectification", "document_no": "宁应急责改〔2026〕12号", "taken_on": "2026-05-14"})
    _post(client, f"{hz}/rectify", owner, {"evidence": ["after.jpg"], "cost": "7800.50",
                                           "rectified_on": "2026-06-01"})
    _post(client, f"{hz}/review", auth("township", township="330226011"), {"passed": True, "reviewed_on": "2026-06-03"})
    early = client.post(API + f"{hz}/close", headers=bureau, json={"closed_on": "2026-06-04"})
    assert early.status_code == 409 and early.json()["rule"] == "close-requires-joint-review"
    assert "行业主管部门" in early.json()["message"] and "中介机构" in early.json()["message"]
    _post(client, f"{hz}/review", auth("regulator", sector="chem"), {"passed": True, "reviewed_on": "2026-06-03"})
    _post(client, f"{hz}/review", agency_h, {"passed": True, "reviewed_on": "2026-06-03"})
    _post(client, f"{hz}/closure-report", bureau, {"document_no": "宁安销〔2026〕7号", "filed_on": "2026-06-04"})
    closed = _post(client, f"{hz}/close", bureau, {"closed_on": "2026-06-05"})
    assert closed["id"] == hazard["id"] and closed["position"] > hazard["position"]

    state = client.get(API + hz, headers=bureau).json()
    assert state["status"] == "closed" and state["closed_on"] == "2026-06-05"
    assert set(state["joint_review"]) == {"township", "regulator", "agency"}
    history = client.get(API + f"{hz}/history", headers=bureau).json()
    assert [e["label"] for e in history][:2] == ["隐患上报", "落实责任人和整改期限"]
    assert history[-1]["label"] == "销号" and history[-1]["actor"]["name"] == "县应急管理局 张局"
    assert all(e["recorded_at"].endswith("+08:00") for e in history)


def test_a_failed_review_sends_a_general_hazard_back_to_rectification(client, auth):
    bureau = auth("bureau")
    enterprise = _post(client, "/enterprises", bureau, {
        "credit_code": credit_code(), "name": "某五金厂", "township": "330226005",
        "sector": "trade", "scale": "individual"}, 201)
    hazard = _post(client, "/hazards", auth("township", township="330226005"), {
        "enterprise_id": enterprise["id"], "source": "grid", "category": "management_defect",
        "description": "未建立安全生产责任制", "level": "general", "discovered_on": "2026-06-01"}, 201)
    hz = f"/hazards/{hazard['id']}"
    owner = auth("enterprise", enterprise_id=enterprise["id"])
    _post(client, f"{hz}/assign", owner, {"responsible_person": "赵六", "deadline": "2026-06-15", "assigned_on": "2026-06-02"})
    _post(client, f"{hz}/rectify", owner, {"evidence": ["制度.pdf"], "cost": 0, "rectified_on": "2026-06-10"})
    self_review = client.post(API + f"{hz}/review", headers=owner, json={"passed": True})
    assert self_review.status_code == 403 and self_review.json()["rule"] == "access:hazard.review"
    _post(client, f"{hz}/review", auth("township", township="330226005"),
          {"passed": False, "notes": "制度未签发", "reviewed_on": "2026-06-11"})
    assert client.get(API + hz, headers=bureau).json()["status"] == "assigned"
