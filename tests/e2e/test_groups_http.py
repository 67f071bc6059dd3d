"""Mutual-help groups and industry associations over HTTP (issue 15 §1–2), on the real store: a
township forms its group, enrols its enterprises, records experts and training; group inspections
go through /inspections; the lists and inspections follow the token's scope. Refusals: 403 for
who, 409 naming the rule, 422 naming the field — nothing stored."""

from __future__ import annotations

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count


@pytest.fixture
def town(ledger):
    bureau = actor(Role.BUREAU)

    def enterprise(name, township="330226001", sector="chem"):
        return ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=township,
                                          sector=sector, scale="small_micro").id
    return {"E1": enterprise("甲化工"), "E2": enterprise("乙化工"),
            "FAR": enterprise("丙化工", township="330226002"), "TRADE": enterprise("丁商贸", sector="trade")}


def test_a_township_runs_its_group_and_the_lists_follow_scope(api, auth, town, ledger):
    office = auth("township", township="330226001")
    formed = api.post("/api/v1/groups", headers={**office, "Idempotency-Key": "group-1"},
                      json={"name": "跃龙化工互助组", "township": "330226001", "sector": "chem"})
    assert formed.status_code == 201, formed.text
    group = formed.json()["id"]
    before = stored_count(ledger)
    retried = api.post("/api/v1/groups", headers={**office, "Idempotency-Key": "group-1"},
                       json={"name": "跃龙化工互助组", "township": "330226001", "sector": "chem"})
    assert (retried.status_code, retried.json()["id"], stored_count(ledger)) == (201, group, before)
    again = api.post("/api/v1/groups", headers=office,
                     json={"name": "跃龙化工互助组", "township": "330226001", "sector": "chem"})
    assert (again.status_code, again.json()["rule"]) == (409, "group-unique")

    for e in ("E1", "E2"):
        joined = api.post(f"/api/v1/groups/{group}/members", headers=office, json={"enterprise_id": town[e]})
        assert joined.status_code == 201, joined.text
    expert = api.post(f"/api/v1/groups/{group}/experts", headers=office,
                      json={"enterprise_id": town["E2"], "name": "王工", "certificate_no": "W-1"}).json()["id"]
    assert api.post(f"/api/v1/groups/{group}/trainings", headers=office, json={
        "held_on": "2026-06-01", "topic": "有限空间作业", "hours": 2, "attendee_ids": [town["E1"], town["E2"]]
    }).status_code == 201

    inspection = api.post("/api/v1/inspections", headers=office, json={
        "enterprise_id": town["E1"], "kind": "mutual", "basis_id": group, "scheduled_for": "2026-06-10"})
    assert inspection.status_code == 201, inspection.text
    performed = api.post(f"/api/v1/inspections/{inspection.json()['id']}/perform", headers=auth("bureau"),
                         json={"expert_ids": [expert], "performed_on": "2026-06-10"})
    assert performed.status_code == 200, performed.text
    hazard = api.post("/api/v1/hazards", headers=auth("enterprise", enterprise_id=town["E1"]), json={
        "enterprise_id": town["E1"], "inspection_id": inspection.json()["id"], "source": "mutual_help",
        "category": "unsafe_condition", "description": "配电箱未接地", "level": "general",
        "discovered_on": "2026-06-10"})
    assert hazard.status_code == 201, hazard.text
    position = hazard.json()["position"]

    listed = api.get(f"/api/v1/groups?after={position}", headers=office).json()
    assert [(g["name"], g["member_count"], g["performed"], g["trainings"]) for g in listed["items"]] == [
        ("跃龙化工互助组", 2, 1, 1)]
    assert api.get("/api/v1/groups", headers=auth("township", township="330226002")).json()["items"] == []
    mine = api.get("/api/v1/groups", headers=auth("enterprise", enterprise_id=town["E1"])).json()["items"]
    assert [m["name"] for m in mine[0]["members"]] == ["甲化工"]  # an enterprise sees itself only
    rows = api.get(f"/api/v1/groups/{group}/inspections", headers=office).json()["items"]
    assert [(r["enterprise_name"], r["kind_label"], r["status_label"]) for r in rows] == [
        ("甲化工", "组内互查", "已实施")]
    assert api.get(f"/api/v1/groups/{group}/inspections",
                   headers=auth("enterprise", enterprise_id=town["E2"])).json()["items"] == []
    trainings = api.get(f"/api/v1/groups/{group}/trainings", headers=office).json()["items"]
    assert [t["topic"] for t in trainings] == ["有限空间作业"]
    record = api.get(f"/api/v1/groups/{group}", headers=auth("regulator", sector="chem")).json()
    assert set(record["members"]) == {town["E1"], town["E2"]}
    assert api.get(f"/api/v1/groups/{group}", headers=auth("regulator", sector="trade")).status_code == 403
    assert api.get("/api/v1/groups/00000000-0000-0000-0000-000000000000/inspections",
                   headers=office).status_code == 404


@pytest.mark.parametrize("who, path, body, status, key, value", [
    # an enterprise never enrols itself, nor forms anything
    ("enterprise", "/groups", {"name": "自建组", "township": "330226001"}, 403, "rule", "access:group.form"),
    ("enterprise", "G/members", {"enterprise_id": "E1"}, 403, "rule", "access:group.member.add"),
    # a township office: its own township only; a county-wide body is the bureau's
    ("township", "/groups", {"name": "别镇组", "township": "330226002"}, 403, "rule", "access:group.form"),
    ("township", "/groups", {"name": "全县组", "sector": "chem"}, 403, "rule", "access:group.form"),
    ("township", "/associations", {"credit_code": "CODE", "name": "全县协会", "sector": "chem"},
     403, "rule", "access:association.form"),
    ("township", "G/members", {"enterprise_id": "FAR"}, 403, "rule", "access:group.member.add"),
    ("bureau", "G/members", {"enterprise_id": "FAR"}, 409, "rule", "group-member-fits"),
    ("bureau", "G/members", {"enterprise_id": "TRADE"}, 409, "rule", "group-member-fits"),
    ("bureau", "G/experts", {"enterprise_id": "E2", "name": "李工", "certificate_no": "L-1"},
     409, "rule", "group-expert-from-member"),
    ("bureau", "G/trainings", {"held_on": "2026-06-01", "topic": "培训", "hours": 2, "attendee_ids": ["E2"]},
     409, "rule", "group-training-members"),
    ("bureau", "/inspections", {"enterprise_id": "E2", "kind": "mutual", "basis_id": "G",
                                "scheduled_for": "2026-06-10"}, 409, "rule", "group-inspection-basis"),
    ("bureau", "/inspections", {"enterprise_id": "E1", "kind": "mutual", "basis_id": "G", "agency_id": "G",
                                "scheduled_for": "2026-06-10"}, 404, None, None),
    # bad input: 422 naming the field
    ("bureau", "/groups", {"name": "无区域无行业"}, 422, "field", "township"),
    ("bureau", "/groups", {"name": "未知乡镇", "township": "330226999"}, 422, "field", "township"),
    ("bureau", "/associations", {"credit_code": "123", "name": "协会", "sector": "chem"}, 422, "field", "credit_code"),
    ("bureau", "G/members", {"enterprise_id": "00000000-0000-0000-0000-00000000000f"}, 422, "field", "enterprise_id"),
    ("bureau", "G/trainings", {"held_on": "2026-06-01", "topic": "培训", "hours": 0, "attendee_ids": ["E1"]},
     422, "field", "hours"),
])
def test_refusals_name_who_the_rule_or_the_field_and_store_nothing(api, auth, town, ledger, who, path, body,
                                                                   status, key, value):
    group = ledger.form_group(actor(Role.BUREAU), name="跃龙互助组", township="330226001", sector="chem").id
    ledger.add_group_member(actor(Role.BUREAU), "group", group, enterprise_id=town["E1"])
    names = {**town, "G": group, "CODE": credit_code()}
    body = {k: [names.get(x, x) for x in v] if isinstance(v, list) else names.get(v, v) if isinstance(v, str)
            else v for k, v in body.items()}
    url = "/api/v1" + (f"/groups/{group}/{path[2:]}" if path.startswith("G/") else path)
    headers = auth(who, **({"township": "330226001"} if who == "township" else
                           {"enterprise_id": town["E1"]} if who == "enterprise" else {}))
    before = stored_count(ledger)
    response = api.post(url, headers=headers, json=body)
    assert response.status_code == status, response.text
    if key is not None:
        answer = response.json()
        found = answer.get(key) or [e.get(key) for e in answer.get("errors", [])]
        assert value == found or value in found, answer
    assert stored_count(ledger) == before
