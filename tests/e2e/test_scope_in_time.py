"""Issue 10 §1–3 over HTTP: contracts bind both parties, scope follows time, subsidies only from
the record that binds. The county's clock moves (the application's `today`), the token stays.

Before a contract is in force an agency neither writes to nor reads the enterprise's records;
while it is, it does both; from the day it ends (terminated or expired) it writes nothing there
and reads only what was made before the end, and what it inspected and reported itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from services.application import HazardLedger
from tests.conftest import actor, credit_code, stored_count

API = "/api/v1"


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 3, 1))


@pytest.fixture
def app(store_env, clock) -> Iterator[HazardLedger]:
    app = HazardLedger(store_env, clock=clock)
    yield app
    app.close()


@pytest.fixture
def ledger(app) -> HazardLedger:
    """The county's ledger on the moving clock (the `api` fixture serves it)."""
    return app


@pytest.fixture
def county(app, api, auth):
    """Enterprise E (跃龙街道, chem) and E2 (桃源街道, trade); agency A with an expert."""
    bureau = actor("bureau")
    ids = {key: app.register_enterprise(bureau, credit_code=credit_code(), name=key, township=town,
                                        sector=sector, scale="small_micro").id
           for key, town, sector in (("E", "330226001", "chem"), ("E2", "330226002", "trade"))}
    ids["A"] = app.register_agency(bureau, credit_code=credit_code(), name="宁海安评咨询").id
    ids["X"] = app.add_expert(bureau, ids["A"], name="李工", certificate_no="ZJ-1").id
    ids["agency"] = auth("agency", agency_id=ids["A"])
    ids["owner"] = auth("enterprise", enterprise_id=ids["E"])
    ids["township"] = auth("township", township="330226001")
    return ids


def _post(api, path, headers, body=None):
    return api.post(API + path, headers=headers, json=body if body is not None else {})


def _hazard(api, headers, enterprise, day, **extra):
    return _post(api, "/hazards", headers, {
        "enterprise_id": enterprise, "source": "grid", "category": "unsafe_condition",
        "description": "配电箱未接地", "level": "general", "discovered_on": day, **extra})


def _contract(api, c, start, end, service="monthly"):
    """Proposed by the agency, countersigned by the enterprise."""
    proposed = _post(api, "/contracts", c["agency"], {"enterprise_id": c["E"], "agency_id": c["A"],
                                                      "service": service, "start": start, "end": end,
                                                      "fee": 3600})
    assert proposed.status_code == 201, proposed.text
    signed = _post(api, f"/contracts/{proposed.json()['id']}/countersign", c["owner"])
    assert signed.status_code == 200, signed.text
    return proposed.json()["id"]


def _status(api, headers, path):
    return api.get(API + path, headers=headers).status_code


# --- the findings, reproduced -------------------------------------------------------------------
def test_an_agency_cannot_give_itself_scope(api, county, app):
    """Finding: an agency's self-signed contract gave it the enterprise's records."""
    c = county
    hazard = _hazard(api, c["township"], c["E"], "2026-02-20").json()["id"]
    assert _status(api, c["agency"], f"/enterprises/{c['E']}") == 403
    self_made = _post(api, "/contracts", c["agency"], {
        "enterprise_id": c["E"], "agency_id": c["A"], "service": "consulting", "start": "2026-03-01",
        "end": "2026-12-31", "fee": "1"})
    assert self_made.status_code == 201  # a proposal: it binds nobody yet
    assert _status(api, c["agency"], f"/enterprises/{c['E']}") == 403
    assert _status(api, c["agency"], f"/hazards/{hazard}") == 403
    before = stored_count(app)
    refused = _hazard(api, c["agency"], c["E"], "2026-03-01")
    assert refused.status_code == 403 and refused.json()["rule"] == "access:hazard.report"
    assert stored_count(app) == before
    own = _post(api, f"/contracts/{self_made.json()['id']}/countersign", c["agency"])
    assert own.status_code == 403 and own.json()["rule"] == "countersign-by-other-party"
    state = api.get(API + f"/contracts/{self_made.json()['id']}", headers=c["agency"]).json()
    assert (state["proposed_by"], state["countersigned_on"]) == ("agency", None)


def test_scope_does_not_outlive_the_contract(api, county, clock):
    """Finding: after `terminate` the agency still wrote to the enterprise's records."""
    c = county
    contract = _contract(api, c, "2026-03-01", "2026-12-31")
    assert _hazard(api, c["agency"], c["E"], "2026-03-01").status_code == 201
    clock.day = date(2026, 4, 1)
    ended = _post(api, f"/contracts/{contract}/terminate", c["owner"], {"reason": "企业改签他家"})
    assert ended.status_code == 200
    refused = _hazard(api, c["agency"], c["E"], "2026-04-01")
    assert refused.status_code == 403 and refused.json()["rule"] == "access:hazard.report"


# --- before, during, after ----------------------------------------------------------------------
def _inspect_and_report(api, c, day):
    insp = _post(api, "/inspections", c["agency"], {"enterprise_id": c["E"], "agency_id": c["A"],
                                                    "kind": "monthly", "basis_id": c["C"],
                                                    "scheduled_for": day})
    assert insp.status_code == 201, insp.text
    i = insp.json()["id"]
    assert _post(api, f"/inspections/{i}/perform", c["agency"],
                 {"performed_on": day, "expert_ids": [c["X"]]}).status_code == 200
    found = _post(api, "/hazards", c["agency"], {
        "enterprise_id": c["E"], "inspection_id": i, "source": "inspection", "discovered_on": day,
        "category": "unsafe_condition", "description": "灭火器过期", "level": "general"})
    assert found.status_code == 201, found.text
    return i, found.json()["id"]


def _ledger_ids(api, headers, after):
    body = api.get(API + f"/ledger?after={after}&page_size=100", headers=headers).json()
    return {row["hazard_id"] for row in body["items"]}


@pytest.mark.parametrize("ending", ["terminated", "expired"])
def test_scope_before_during_and_after_a_contract(api, county, clock, app, ending):
    c = county
    end = "2026-04-30" if ending == "expired" else "2026-12-31"
    c["C"] = _contract(api, c, "2026-03-10", end)  # countersigned on 1 March, in force from the 10th
    early = _hazard(api, c["township"], c["E"], "2026-03-01").json()["id"]

    # before: not yet in force
    agency = c["agency"]
    assert _status(api, agency, f"/enterprises/{c['E']}") == 403
    assert _status(api, agency, f"/hazards/{early}") == 403
    assert _hazard(api, agency, c["E"], "2026-03-01").status_code == 403

    # during: writes and reads, its earlier records included
    clock.day = date(2026, 4, 10)
    inspection, own = _inspect_and_report(api, c, "2026-04-10")
    during = _hazard(api, c["township"], c["E"], "2026-04-10").json()["id"]
    for path in (f"/enterprises/{c['E']}", f"/hazards/{early}", f"/hazards/{during}",
                 f"/hazards/{during}/history", f"/inspections/{inspection}"):
        assert _status(api, agency, path) == 200, path
    assert _post(api, f"/hazards/{own}/plan", agency, {k: "内容" for k in (
        "objectives", "measures", "funds", "organisation", "timeline", "safety_measures")}).status_code == 409

    # the end: terminated by the enterprise from 1 May, or expired on 30 April
    clock.day = date(2026, 5, 1)
    if ending == "terminated":
        assert _post(api, f"/contracts/{c['C']}/terminate", c["owner"], {"reason": "企业改签"}).status_code == 200
    clock.day = date(2026, 5, 20)
    later = _hazard(api, c["township"], c["E"], "2026-05-10").json()["id"]
    after = app.recorder.max_notification_id()

    # after: no writes; reads of what was made before the end and of its own work only
    for path, body in ((f"/hazards/{own}/rectify", {"evidence": ["a.jpg"], "cost": 1}),
                       (f"/hazards/{during}/review", {"passed": True}),
                       (f"/inspections/{inspection}/file-report", {"document_no": "报告1号"}),
                       ("/inspections", {"enterprise_id": c["E"], "agency_id": c["A"], "kind": "monthly",
                                         "basis_id": c["C"], "scheduled_for": "2026-05-20"})):
        refused = _post(api, path, agency, body)
        assert refused.status_code == 403 and refused.json()["rule"].startswith("access:"), path
    assert _hazard(api, agency, c["E"], "2026-05-20").status_code == 403
    for path in (f"/hazards/{own}", f"/hazards/{during}", f"/hazards/{early}",
                 f"/inspections/{inspection}", f"/inspections/{inspection}/history",
                 f"/contracts/{c['C']}"):
        assert _status(api, agency, path) == 200, path
    for path in (f"/hazards/{later}", f"/hazards/{later}/history", f"/enterprises/{c['E']}",
                 f"/enterprises/{c['E']}/history"):
        assert _status(api, agency, path) == 403, path
    assert _ledger_ids(api, agency, after) == {own}  # its own rows stay; nothing made later
    assert {own, during, later, early} <= _ledger_ids(api, c["township"], after)

    # steps made after the end on a record made before it stay hidden; its own hazard stays whole
    for hazard in (during, own):
        assigned = _post(api, f"/hazards/{hazard}/assign", c["township"], {
            "responsible_person": "安全员 张三", "deadline": "2026-06-30"})
        assert assigned.status_code == 200, assigned.text
    seen = api.get(API + f"/hazards/{during}", headers=agency).json()
    assert seen["status"] == "reported" and not seen.get("responsible_person")
    steps = [e["type"] for e in api.get(API + f"/hazards/{during}/history", headers=agency).json()]
    assert steps == ["Hazard.Reported"]
    assert api.get(API + f"/hazards/{during}", headers=c["township"]).json()["responsible_person"] == "安全员 张三"
    assert api.get(API + f"/hazards/{own}", headers=agency).json()["responsible_person"] == "安全员 张三"


def test_an_agreement_follows_its_period_too(api, county, clock, app):
    c = county
    app.sign_agreement(actor("bureau"), agency_id=c["A"], townships=["330226001"], sectors=["chem"],
                       start=date(2026, 1, 1), end=date(2026, 3, 31), prices={"comprehensive": 200},
                       budget=10000)
    assert _hazard(api, c["agency"], c["E"], "2026-03-01").status_code == 201
    clock.day = date(2026, 4, 1)
    assert _hazard(api, c["agency"], c["E"], "2026-04-01").status_code == 403
    assert _status(api, c["agency"], f"/enterprises/{c['E']}") == 403


# --- subsidies only from the record that binds -------------------------------------------------
def _owed(api, headers, agency_id, after):
    body = api.get(API + f"/subsidies?year=2026&after={after}", headers=headers).json()
    return next(a for a in body["agencies"] if a["agency_id"] == agency_id)


def test_self_proposed_contracts_earn_no_subsidy(api, county, clock, app, auth):
    c = county
    clock.day = date(2026, 6, 30)
    january = _post(api, "/contracts", c["agency"], {"enterprise_id": c["E2"], "agency_id": c["A"],
                                                     "service": "monthly", "start": "2026-01-01",
                                                     "end": "2026-12-31", "fee": "1"})
    assert january.status_code == 409 and january.json()["rule"] == "contract-backdating"
    for who in ("E", "E2"):  # proposals within the limit, never countersigned
        assert _post(api, "/contracts", c["agency"], {"enterprise_id": c[who], "agency_id": c["A"],
                                                      "service": "monthly", "start": "2026-06-01",
                                                      "end": "2026-12-31", "fee": "1"}).status_code == 201
    row = _owed(api, c["agency"], c["A"], app.recorder.max_notification_id())
    assert row["monthly_enterprises"] == 0 and float(row["total"]) == 0
    claim = _post(api, "/subsidies/claims", c["agency"], {"agency_id": c["A"], "year": 2026})
    assert claim.status_code == 201
    filed = api.get(API + f"/subsidies/claims/{claim.json()['id']}", headers=c["agency"]).json()
    assert float(filed["total"]) == 0

    _contract(api, c, "2026-06-15", "2027-06-14")  # the enterprise countersigns one
    row = _owed(api, auth("bureau"), c["A"], app.recorder.max_notification_id())
    assert row["monthly_enterprises"] == 1 and float(row["total"]) == 360


def test_a_late_entry_by_the_bureau_is_visible_on_the_contract(api, county, auth):
    c = county
    recorded = _post(api, "/contracts", auth("bureau"), {"enterprise_id": c["E"], "agency_id": c["A"],
                                                         "service": "monthly", "start": "2025-01-01",
                                                         "end": "2026-12-31", "fee": 3600})
    assert recorded.status_code == 201
    contract = recorded.json()["id"]
    assert _post(api, f"/contracts/{contract}/countersign", c["agency"]).status_code == 200
    state = api.get(API + f"/contracts/{contract}", headers=c["owner"]).json()
    assert (state["migrated"], state["proposed_by"], state["countersigned_on"]) == (True, "enterprise", "2026-03-01")
    history = api.get(API + f"/contracts/{contract}/history", headers=c["owner"]).json()
    assert [e["label"] for e in history] == ["提出委托服务合同（一方签署）", "会签（合同生效）"]
    assert history[0]["data"]["migrated"] is True and history[0]["actor"]["role"] == "bureau"
