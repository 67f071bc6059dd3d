"""Extension requests (延期申请) over HTTP, on the real store: the enterprise applies at least 15
working days before its deadline (China's 2026 calendar), the approver the policy names decides,
only an approval moves the deadline; every refusal names its rule and stores nothing.

The tests' "today" is Tuesday 30 June 2026 (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

ENTERPRISE_TOWNSHIP = "330226001"


@pytest.fixture
def hazards(ledger):
    """A general and a major hazard at one enterprise (跃龙街道, chem), deadlines in force."""
    bureau = actor(Role.BUREAU)
    e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township=ENTERPRISE_TOWNSHIP,
                                   sector="chem", scale="small_micro").id

    def hazard(level: str, deadline: date) -> str:
        h = ledger.report_hazard(bureau, enterprise_id=e, source="government_check", category="unsafe_condition",
                                 description="储罐区阀门泄漏", level=level, discovered_on=date(2026, 6, 1)).id
        ledger.assign_responsibility(bureau, h, responsible_person="张三", deadline=deadline,
                                     assigned_on=date(2026, 6, 2))
        return h
    return {"E": e, "general": hazard("general", date(2026, 10, 20)), "major": hazard("major", date(2026, 10, 20)),
            "soon": hazard("general", date(2026, 7, 10)), "past": hazard("general", date(2026, 6, 20))}


def _apply(client, auth, w, which: str, **body):
    body = {"new_deadline": "2026-11-30", "reason": "进口阀门到货延迟", "interim_controls": "储罐区停用，设警戒线",
            **body}
    return client.post(f"/api/v1/hazards/{w[which]}/extension-requests", json=body,
                       headers=auth("enterprise", enterprise_id=w["E"]))


def _decide(client, headers, hazard_id: str, approved: bool):
    return client.post(f"/api/v1/hazards/{hazard_id}/extension-requests/decision", headers=headers,
                       json={"approved": approved, "opinion": "同意延期" if approved else "不同意，按期整改"})


def _deadline(client, auth, hazard_id: str) -> str:
    return client.get(f"/api/v1/hazards/{hazard_id}", headers=auth("bureau")).json()["deadline"]


def test_the_township_approves_a_general_hazard_and_only_then_the_deadline_moves(client, auth, hazards):
    applied = _apply(client, auth, hazards, "general")
    assert applied.status_code == 200, applied.text
    assert _deadline(client, auth, hazards["general"]) == "2026-10-20"
    bureau = _decide(client, auth("bureau"), hazards["general"], True)
    assert (bureau.status_code, bureau.json()["rule"]) == (403, "extension-approver")
    township = _decide(client, auth("township", township=ENTERPRISE_TOWNSHIP), hazards["general"], True)
    assert township.status_code == 200, township.text
    assert _deadline(client, auth, hazards["general"]) == "2026-11-30"
    steps = [e["label"] for e in client.get(f"/api/v1/hazards/{hazards['general']}/history",
                                            headers=auth("bureau")).json()][-2:]
    assert steps == ["申请延期", "延期审批"]


def test_a_refusal_keeps_the_deadline(client, auth, hazards):
    assert _apply(client, auth, hazards, "major").status_code == 200
    township = _decide(client, auth("township", township=ENTERPRISE_TOWNSHIP), hazards["major"], False)
    assert (township.status_code, township.json()["rule"]) == (403, "extension-approver")
    assert _decide(client, auth("bureau"), hazards["major"], False).status_code == 200
    assert _deadline(client, auth, hazards["major"]) == "2026-10-20"


def test_too_late_and_after_the_deadline_are_409_naming_the_rule_and_nothing_is_stored(client, auth, ledger, hazards):
    before = stored_count(ledger)
    late = _apply(client, auth, hazards, "soon")  # 8 working days before 10 July; 15 needed
    assert (late.status_code, late.json()["rule"]) == (409, "extension-request-notice")
    assert "2026-06-18" in late.json()["message"]  # the last day it could have been asked (端午 19–21 June off)
    past = _apply(client, auth, hazards, "past")
    assert (past.status_code, past.json()["rule"]) == (409, "extension-request-before-deadline")
    other = client.post(f"/api/v1/hazards/{hazards['general']}/extension-requests", headers=auth("township",
                        township=ENTERPRISE_TOWNSHIP), json={"new_deadline": "2026-11-30", "reason": "x",
                                                             "interim_controls": "y"})
    assert (other.status_code, other.json()["rule"]) == (403, "access:hazard.extension-request")
    assert stored_count(ledger) == before


def test_the_ledger_moves_the_deadline_only_on_an_approval(api, auth, hazards):
    assert _apply(api, auth, hazards, "general").status_code == 200
    assert _apply(api, auth, hazards, "major").status_code == 200
    assert _decide(api, auth("township", township=ENTERPRISE_TOWNSHIP), hazards["general"], True).status_code == 200
    last = _decide(api, auth("bureau"), hazards["major"], False)
    assert last.status_code == 200, last.text
    rows = api.get("/api/v1/ledger", params={"after": last.json()["position"], "enterprise_id": hazards["E"]},
                   headers=auth("bureau")).json()["items"]
    deadlines = {r["hazard_id"]: r["deadline"] for r in rows}
    assert deadlines[hazards["general"]] == "2026-11-30"  # approved
    assert deadlines[hazards["major"]] == "2026-10-20"    # refused
