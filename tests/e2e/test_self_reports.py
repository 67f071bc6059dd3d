"""Enterprise self-reports (自查自报) over HTTP, on the real store: one per enterprise and month,
the month's own hazards or "none found", late after the county's grace day; every refusal a 4xx
naming the problem, with nothing stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from domain.actor import Role
from domain.self_report import report_id
from infra.self_report_policy import load_self_report_policy
from infra.settings import Settings
from services.runtime import Config
from tests.conftest import actor, credit_code, stored_count


@pytest.fixture
def town(ledger):
    """Enterprise E (跃龙街道) with hazards found on 3 June and 20 May; E2 with one on 3 June."""
    bureau = actor(Role.BUREAU)
    e, e2 = (ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township="330226001",
                                        sector="trade", scale="small_micro").id for name in ("甲厂", "乙厂"))

    def hazard(enterprise: str, day: date) -> str:
        return ledger.report_hazard(bureau, enterprise_id=enterprise, source="self_check",
                                    category="unsafe_condition", description="消防通道堵塞",
                                    level="general", discovered_on=day).id
    return {"E": e, "E2": e2, "H_JUNE": hazard(e, date(2026, 6, 3)), "H_MAY": hazard(e, date(2026, 5, 20)),
            "H_OTHER": hazard(e2, date(2026, 6, 3))}


def _file(client, headers, **body):
    return client.post("/api/v1/self-reports", headers=headers, json=body)


def test_an_enterprise_files_its_month_once_and_amends_it(client, auth, town, ledger):
    mine = auth("enterprise", enterprise_id=town["E"])
    filed = _file(client, mine, enterprise_id=town["E"], month="2026-06", hazard_ids=[town["H_JUNE"]])
    assert filed.status_code == 201, filed.text
    ident = filed.json()["id"]
    assert ident == str(report_id(town["E"], "2026-06"))  # anyone can find the month's report
    state = client.get(f"/api/v1/self-reports/{ident}", headers=mine).json()
    assert {k: state[k] for k in ("enterprise_id", "month", "hazard_ids", "none_found", "filed_on",
                                  "due_on", "late", "proxy")} == {
        "enterprise_id": town["E"], "month": "2026-06", "hazard_ids": [town["H_JUNE"]],
        "none_found": False, "filed_on": "2026-06-30", "due_on": "2026-07-05", "late": False,
        "proxy": False}

    before = stored_count(ledger)
    again = _file(client, mine, enterprise_id=town["E"], month="2026-06", none_found=True)
    assert (again.status_code, again.json()["rule"]) == (409, "self-report-once-a-month")
    assert ident in again.json()["message"]
    assert stored_count(ledger) == before

    ledger.today = lambda: date(2026, 7, 8)  # after the grace day: the amendment is late, the filing not
    amended = client.post(f"/api/v1/self-reports/{ident}/amend", headers=mine, json={"none_found": True})
    assert amended.status_code == 200, amended.text
    state = client.get(f"/api/v1/self-reports/{ident}", headers=mine).json()
    assert (state["none_found"], state["hazard_ids"], state["late"]) == (True, [], False)
    assert state["amendments"] == [{"filed_on": "2026-07-08", "late": True, "proxy": False,
                                    "hazard_ids": [], "none_found": True}]
    history = client.get(f"/api/v1/self-reports/{ident}/history", headers=mine).json()
    assert [e["type"] for e in history] == ["SelfReport.Filed", "SelfReport.Amended"]


def test_a_township_records_a_paper_report_late_and_it_is_stored_flagged(client, auth, town):
    township = auth("township", township="330226001")
    filed = _file(client, township, enterprise_id=town["E"], month="2026-05", none_found=True)
    assert filed.status_code == 201, filed.text
    state = client.get(f"/api/v1/self-reports/{filed.json()['id']}", headers=township).json()
    assert (state["late"], state["due_on"], state["proxy"], state["none_found"]) == (True, "2026-06-05", True, True)


def test_the_grace_day_is_the_countys_policy(client, auth, town, ledger, tmp_path):
    policy = tmp_path / "county.json"
    policy.write_text(json.dumps({"self_reports": {"grace_day": 2}}), encoding="utf-8")
    assert Config(Settings.from_env({"HAZARD_POLICY_FILE": str(policy)})).self_reports.grace_day == 2
    assert Config(Settings.from_env({})).self_reports.grace_day == 5  # Ninghai's file: the default
    ledger.self_report_policy = load_self_report_policy(policy)
    ledger.today = lambda: date(2026, 7, 3)
    filed = _file(client, auth("enterprise", enterprise_id=town["E"]), enterprise_id=town["E"],
                  month="2026-06", none_found=True)
    state = client.get(f"/api/v1/self-reports/{filed.json()['id']}", headers=auth("bureau")).json()
    assert (state["due_on"], state["late"]) == ("2026-07-02", True)
    policy.write_text(json.dumps({"self_reports": {"grace_day": 31}}), encoding="utf-8")
    with pytest.raises(ValueError, match="grace_day"):
        load_self_report_policy(policy)


BAD = [  # (what is wrong, body apart from enterprise_id, status, "field" or "rule", its value, words)
    ("both hazards and none found", {"month": "2026-06", "hazard_ids": ["H_JUNE"], "none_found": True},
     422, "field", "none_found", "二选一"),
    ("neither", {"month": "2026-06"}, 422, "field", "none_found", "二选一"),
    ("a month in the future", {"month": "2026-07", "none_found": True}, 422, "field", "month", "2026-07"),
    ("not a month", {"month": "2026-13", "none_found": True}, 422, "field", "month", "2026-13"),
    ("a month without its zero", {"month": "2026-6", "none_found": True}, 422, "field", "month", "YYYY-MM"),
    ("a hazard that does not exist", {"month": "2026-06", "hazard_ids": ["00000000-0000-0000-0000-00000000000f"]},
     422, "field", "hazard_ids.0", "00000000-0000-0000-0000-00000000000f"),
    ("another enterprise's hazard", {"month": "2026-06", "hazard_ids": ["H_JUNE", "H_OTHER"]},
     409, "rule", "self-report-hazards-of-month", "H_OTHER"),
    ("a hazard of another month", {"month": "2026-06", "hazard_ids": ["H_MAY"]},
     409, "rule", "self-report-hazards-of-month", "H_MAY"),
]


@pytest.mark.parametrize("what, body, status, key, value, words", BAD, ids=[b[0] for b in BAD])
def test_bad_filings_are_refused_naming_the_problem_and_nothing_is_stored(
        client, auth, town, ledger, what, body, status, key, value, words):
    body = {**body, "enterprise_id": town["E"],
            "hazard_ids": [town.get(h, h) for h in body.get("hazard_ids", [])]}
    words = town.get(words, words)
    before = stored_count(ledger)
    answer = _file(client, auth("enterprise", enterprise_id=town["E"]), **body)
    assert (answer.status_code, answer.json()[key]) == (status, value), answer.text
    assert words in answer.json()["message"]
    assert stored_count(ledger) == before


def test_only_the_enterprise_and_the_offices_recording_paper_ones_file(client, auth, town, ledger):
    before = stored_count(ledger)
    body = {"enterprise_id": town["E"], "month": "2026-06", "none_found": True}
    for headers in (auth("agency", agency_id="A1"), auth("regulator", sector="trade"),
                    auth("enterprise", enterprise_id=town["E2"]), auth("township", township="330226002")):
        answer = _file(client, headers, **body)
        assert (answer.status_code, answer.json()["rule"]) == (403, "access:self_report.file"), answer.text
    assert stored_count(ledger) == before
    ident = _file(client, auth("bureau"), **body).json()["id"]
    other = client.get(f"/api/v1/self-reports/{ident}", headers=auth("enterprise", enterprise_id=town["E2"]))
    assert (other.status_code, other.json()["rule"]) == (403, "access:self_report.read")
