"""The service platform over HTTP (服务平台, issue 15 §5): an enterprise posts a need, agencies in
the pool offer, the enterprise accepts one — a contract both sides signed — and rates the agency
after the contract's end (绩效评比); every refusal names its rule and stores nothing, and an offer
gives an agency no scope over the enterprise."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

SCORES = {"quality": 90, "attitude": 80, "effect": 70}


@pytest.fixture
def market(ledger):
    """E (跃龙街道, chem) and F (桃源街道); agencies P and Q in the pool, X outside it, B in the pool
    but blacklisted."""
    bureau = actor(Role.BUREAU)
    e, f = (ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=town,
                                       sector="chem", scale="small_micro").id
            for name, town in (("甲化工", "330226001"), ("乙化工", "330226002")))
    agencies = {}
    for key, name in (("P", "甲安全咨询"), ("Q", "乙安全咨询"), ("X", "丙安全咨询"), ("B", "丁安全咨询")):
        agencies[key] = ledger.register_agency(bureau, credit_code=credit_code(), name=name).id
        if key != "X":
            ledger.admit_agency_to_pool(bureau, agencies[key], admitted_on=date(2026, 1, 1))
    ledger.blacklist_agency(bureau, agencies["B"], reason="只收费不服务")
    return {"E": e, "F": f, **agencies}


def _offer(client, headers, need, **overrides):
    body = {"service": "monthly", "start": "2026-06-30", "end": "2027-06-29", "fee": 6000,
            "terms": "每月排查一次，出具报告", **overrides}
    return client.post(f"/api/v1/needs/{need}/offers", headers=headers, json=body)


def test_post_offer_accept_is_a_countersigned_contract(api, auth, market, ledger):
    mine = auth("enterprise", enterprise_id=market["E"])
    p = auth("agency", agency_id=market["P"])
    posted = api.post("/api/v1/needs", headers=mine, json={
        "enterprise_id": market["E"], "services": ["按月排查", "training"], "description": "每月排查和培训"})
    assert posted.status_code == 201, posted.text
    need = posted.json()["id"]

    seen = api.get(f"/api/v1/needs?after={posted.json()['position']}", headers=p).json()
    [item] = seen["items"]
    assert (item["need_id"], item["enterprise_name"], item["services_label"], item["status_label"],
            item["offers"]) == (need, "甲化工", "按月排查、安全培训", "征集报价中", [])

    offered = _offer(api, p, need)
    assert offered.status_code == 201, offered.text
    offer = offered.json()["id"]
    q_offer = _offer(api, auth("agency", agency_id=market["Q"]), need, fee=5000).json()["id"]
    # an offer gives no scope: P still cannot read E, nor the need with Q's offer
    assert api.get(f"/api/v1/enterprises/{market['E']}", headers=p).status_code == 403
    assert api.get(f"/api/v1/needs/{need}", headers=p).status_code == 403
    after = api.get(f"/api/v1/needs?after={offered.json()['position'] + 1}", headers=p).json()
    assert [o["offer_id"] for o in after["items"][0]["offers"]] == [offer]  # its own offer only
    both = api.get(f"/api/v1/needs?after={offered.json()['position'] + 1}", headers=mine).json()
    assert sorted(o["fee"] for o in both["items"][0]["offers"]) == ["5000", "6000"]

    accepted = api.post(f"/api/v1/needs/{need}/accept", headers=mine, json={"offer_id": offer})
    assert accepted.status_code == 200, accepted.text
    contract = accepted.json()["id"]
    state = api.get(f"/api/v1/contracts/{contract}", headers=mine).json()
    assert {k: state[k] for k in ("enterprise_id", "agency_id", "service", "fee", "proposed_by",
                                  "countersigned_on", "start", "end")} == {
        "enterprise_id": market["E"], "agency_id": market["P"], "service": "monthly", "fee": "6000",
        "proposed_by": "agency", "countersigned_on": "2026-06-30", "start": "2026-06-30",
        "end": "2027-06-29"}
    history = api.get(f"/api/v1/contracts/{contract}/history", headers=mine).json()
    assert [(h["type"], h["actor"]["role"]) for h in history] == [
        ("ServiceContract.Signed", "agency"), ("ServiceContract.Countersigned", "enterprise")]
    # now P serves E (the contract in force today); Q does not
    assert api.get(f"/api/v1/enterprises/{market['E']}", headers=p).status_code == 200
    assert api.get(f"/api/v1/enterprises/{market['E']}",
                   headers=auth("agency", agency_id=market["Q"])).status_code == 403

    before = stored_count(ledger)
    again = api.post(f"/api/v1/needs/{need}/accept", headers=mine, json={"offer_id": q_offer})
    assert (again.status_code, again.json()["rule"]) == (409, "need-accepted-once")
    late = _offer(api, auth("agency", agency_id=market["Q"]), need)
    assert (late.status_code, late.json()["rule"]) == (409, "need-open")
    assert stored_count(ledger) == before
    listed = api.get(f"/api/v1/needs?after={accepted.json()['position']}", headers=mine).json()
    assert listed["items"][0]["status_label"] == "已接受报价"
    assert [o["accepted"] for o in listed["items"][0]["offers"]] == [True, False]
    assert api.get(f"/api/v1/needs?after={accepted.json()['position']}", headers=p).json()["items"] == []


def test_refusals_store_nothing(client, auth, market, ledger):
    mine = auth("enterprise", enterprise_id=market["E"])
    need = client.post("/api/v1/needs", headers=mine, json={
        "enterprise_id": market["E"], "services": ["monthly"], "description": "按月排查"}).json()["id"]
    offer = _offer(client, auth("agency", agency_id=market["P"]), need).json()["id"]
    before = stored_count(ledger)
    for key in ("X", "B"):  # outside the pool; blacklisted
        refused = _offer(client, auth("agency", agency_id=market[key]), need)
        assert (refused.status_code, refused.json()["rule"]) == (409, "offer-by-pool-agency"), refused.text
    twice = _offer(client, auth("agency", agency_id=market["P"]), need)
    assert (twice.status_code, twice.json()["rule"]) == (409, "offer-once-per-agency")
    bad = _offer(client, auth("agency", agency_id=market["Q"]), need, service="consulting")
    assert (bad.status_code, bad.json()["field"]) == (422, "service")
    other = client.post(f"/api/v1/needs/{need}/accept", json={"offer_id": offer},
                        headers=auth("enterprise", enterprise_id=market["F"]))
    assert (other.status_code, other.json()["rule"]) == (403, "access:need.accept")
    for role in ("agency", "township", "bureau"):
        forbidden = client.post(f"/api/v1/needs/{need}/accept", json={"offer_id": offer},
                                headers=auth(role, agency_id=market["P"], township="330226001"))
        assert (forbidden.status_code, forbidden.json()["rule"]) == (403, "access:need.accept")
    posted_for_other = client.post("/api/v1/needs", headers=mine, json={
        "enterprise_id": market["F"], "services": ["monthly"], "description": "x"})
    assert posted_for_other.status_code == 403
    unknown = client.post(f"/api/v1/needs/{need}/accept", headers=mine, json={"offer_id": "nope"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "offer_id")
    assert stored_count(ledger) == before
    outside = client.get("/api/v1/needs", headers=auth("agency", agency_id=market["X"])).json()
    assert outside["items"] == [] and "offer-by-pool-agency" in outside["note"]


def test_a_served_enterprise_rates_after_the_end_and_the_rating_feeds_the_agencys_evaluation(
        api, auth, market, ledger):
    bureau, mine = actor(Role.BUREAU), auth("enterprise", enterprise_id=market["E"])
    ended = ledger.propose_contract(bureau, enterprise_id=market["E"], agency_id=market["P"],
                                    service="monthly", start=date(2026, 1, 1), end=date(2026, 6, 30),
                                    fee=3000).id
    ledger.countersign_contract(actor(Role.AGENCY), ended)
    running = ledger.propose_contract(bureau, enterprise_id=market["E"], agency_id=market["Q"],
                                      service="monthly", start=date(2026, 6, 1), end=date(2026, 12, 31),
                                      fee=3000).id
    ledger.countersign_contract(actor(Role.AGENCY), running)
    proposal = ledger.propose_contract(actor(Role.AGENCY), enterprise_id=market["E"],
                                       agency_id=market["X"], service="training",
                                       start=date(2026, 6, 1), end=date(2026, 6, 30), fee=100).id
    before = stored_count(ledger)
    for contract, headers, status, rule in (
            (running, mine, 409, "rating-after-contract-end"),
            (proposal, mine, 409, "rating-by-served-enterprise"),
            (ended, auth("enterprise", enterprise_id=market["F"]), 403, "access:rating.rate"),
            (ended, auth("agency", agency_id=market["P"]), 403, "access:rating.rate")):
        refused = api.post("/api/v1/ratings", headers=headers,
                           json={"contract_id": contract, "scores": SCORES})
        assert (refused.status_code, refused.json()["rule"]) == (status, rule), refused.text
    assert stored_count(ledger) == before

    rated = api.post("/api/v1/ratings", headers=mine,
                     json={"contract_id": ended, "scores": SCORES, "comment": "认真负责"})
    assert rated.status_code == 201, rated.text
    twice = api.post("/api/v1/ratings", headers=mine, json={"contract_id": ended, "scores": SCORES})
    assert (twice.status_code, twice.json()["rule"]) == (409, "rating-once-per-contract")

    after = rated.json()["position"]
    theirs = api.get(f"/api/v1/ratings?after={after}", headers=auth("agency", agency_id=market["P"])).json()
    assert [(s["agency_name"], s["year"], s["ratings"], s["mean"]) for s in theirs["summary"]] == [
        ("甲安全咨询", 2026, 1, "80.0")]
    assert theirs["items"][0]["scores"][0] == {"criterion": "quality", "label": "服务质量", "score": 90}
    assert api.get(f"/api/v1/ratings?after={after}",
                   headers=auth("agency", agency_id=market["Q"])).json()["items"] == []
    report = api.get(f"/api/v1/agencies/{market['P']}/accountability?year=2026&after={after}",
                     headers=auth("bureau")).json()
    assert (report["ratings"]["ratings"], report["ratings"]["mean"]) == (1, "80.0")


def test_an_idempotent_retry_of_an_acceptance_is_answered_once(client, auth, market, ledger):
    mine = auth("enterprise", enterprise_id=market["E"])
    need = client.post("/api/v1/needs", headers=mine, json={
        "enterprise_id": market["E"], "services": ["monthly"], "description": "按月排查"}).json()["id"]
    offer = _offer(client, auth("agency", agency_id=market["P"]), need).json()["id"]
    headers = {**mine, "Idempotency-Key": "accept-1"}
    first = client.post(f"/api/v1/needs/{need}/accept", headers=headers, json={"offer_id": offer})
    count = stored_count(ledger)
    again = client.post(f"/api/v1/needs/{need}/accept", headers=headers, json={"offer_id": offer})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true" and stored_count(ledger) == count
