"""Referrals (交办) over HTTP, on the real store: the bureau refers hazards to a township or a
sector regulator, the receiver signs for them and answers; each unit lists its own referrals by
state, in Chinese; every refusal a 4xx naming the problem, with nothing stored."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

URL = "/api/v1/referrals"


@pytest.fixture
def town(ledger):
    """Hazards H1 (跃龙街道, chem) and H2 (桃源街道, construction)."""
    bureau = actor(Role.BUREAU)

    def hazard(township: str, sector: str, description: str) -> str:
        e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="某厂", township=township,
                                       sector=sector, scale="small_micro").id
        return ledger.report_hazard(bureau, enterprise_id=e, source="government_check",
                                    category="unsafe_condition", description=description,
                                    level="general", discovered_on=date(2026, 6, 1)).id
    return {"H1": hazard("330226001", "chem", "储罐区阀门泄漏"),
            "H2": hazard("330226002", "construction", "脚手架未设防护网")}


def _refer(client, headers, **body):
    body = {"instructions": "督促企业限期整改并书面答复", "due_on": "2026-07-15", **body}
    return client.post(URL, headers=headers, json=body)


def test_the_bureau_refers_the_township_signs_for_and_answers(api, auth, town):
    client = api
    bureau, mine = auth("bureau"), auth("township", township="330226001")
    made = _refer(client, bureau, hazard_ids=[town["H1"]], township="330226001", referred_on="2026-06-20",
                  document_no="宁安委办交〔2026〕3号")
    assert made.status_code == 201, made.text
    ident = made.json()["id"]
    signed = client.post(f"{URL}/{ident}/sign", headers=mine, json={"signed_on": "2026-06-21"})
    assert signed.status_code == 200, signed.text
    answered = client.post(f"{URL}/{ident}/answer", headers=mine, json={"answer": "已督促企业更换阀门"})
    assert answered.status_code == 200, answered.text
    state = client.get(f"{URL}/{ident}", headers=mine).json()
    assert {k: state[k] for k in ("receiver_kind", "receiver", "hazard_ids", "signed_on", "answered_on",
                                  "answer")} == {
        "receiver_kind": "township", "receiver": "330226001", "hazard_ids": [town["H1"]],
        "signed_on": "2026-06-21", "answered_on": "2026-06-30", "answer": "已督促企业更换阀门"}
    steps = client.get(f"{URL}/{ident}/history", headers=mine).json()
    assert len(steps) == 3
    after = answered.json()["position"]
    [row] = client.get(f"{URL}?state=answered&after={after}", headers=mine).json()["items"]
    assert (row["receiver_name"], row["state_label"], row["signed"]) == ("跃龙街道", "已答复", "已签收")
    assert (row["signed_on"], row["signed_by"], row["answer"]) == ("2026-06-21", "township 测试", "已督促企业更换阀门")
    assert row["hazards"] == [{"id": town["H1"], "description": "储罐区阀门泄漏"}]


def test_other_units_may_not_sign_or_answer_and_nothing_is_stored(client, auth, town, ledger):
    ident = _refer(client, auth("bureau"), hazard_ids=[town["H1"]], township="330226001").json()["id"]
    before = stored_count(ledger)
    other = client.post(f"{URL}/{ident}/sign", headers=auth("township", township="330226002"), json={})
    assert (other.status_code, other.json()["rule"]) == (403, "access:referral.sign")
    sector = client.post(f"{URL}/{ident}/sign", headers=auth("regulator", sector="chem"), json={})
    assert (sector.status_code, sector.json()["rule"]) == (403, "referral-by-receiver")
    early = client.post(f"{URL}/{ident}/answer", headers=auth("township", township="330226001"),
                        json={"answer": "已办"})
    assert (early.status_code, early.json()["rule"]) == (409, "referral-answer-after-signing")
    by_township = _refer(client, auth("township", township="330226001"), hazard_ids=[town["H1"]],
                         township="330226001")
    assert (by_township.status_code, by_township.json()["rule"]) == (403, "access:referral.refer")
    assert stored_count(ledger) == before


@pytest.mark.parametrize("body, field", [
    ({"township": "330226999"}, "330226999"), ({"sector": "mining-x"}, "mining-x"),
    ({"township": "330226001", "hazard_ids": ["00000000-0000-0000-0000-000000000000"]},
     "00000000-0000-0000-0000-000000000000"),
    ({}, "township")])
def test_unknown_receivers_and_hazards_are_422_naming_them(client, auth, town, ledger, body, field):
    before = stored_count(ledger)
    refused = _refer(client, auth("bureau"), **{"hazard_ids": [town["H1"]], **body})
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert stored_count(ledger) == before


def test_a_due_date_before_the_referral_is_refused(client, auth, town, ledger):
    before = stored_count(ledger)
    refused = _refer(client, auth("bureau"), hazard_ids=[town["H1"]], township="330226001",
                     referred_on="2026-06-20", due_on="2026-06-19")
    assert (refused.status_code, refused.json()["rule"]) == (409, "referral-due-after-referral")
    assert stored_count(ledger) == before


def test_each_unit_lists_its_referrals_by_state(api, auth, town):
    client, bureau = api, auth("bureau")
    overdue = _refer(client, bureau, hazard_ids=[town["H1"]], township="330226001", referred_on="2026-06-01",
                     due_on="2026-06-15").json()["id"]  # today is 2026-06-30
    still_open = _refer(client, bureau, hazard_ids=[town["H1"]], township="330226001").json()["id"]
    made = _refer(client, bureau, hazard_ids=[town["H2"]], sector="construction").json()
    to_sector, after = made["id"], made["position"]
    mine = auth("township", township="330226001")

    def listed(headers, state=None):
        answer = client.get(f"{URL}?after={after}" + (f"&state={state}" if state else ""), headers=headers)
        assert answer.status_code == 200, answer.text
        return [row["id"] for row in answer.json()["items"]]

    assert listed(mine) == [overdue, still_open]
    assert listed(mine, "overdue") == [overdue] and listed(mine, "open") == [still_open]
    assert listed(mine, "answered") == []
    assert listed(auth("regulator", sector="construction")) == [to_sector]
    assert listed(auth("township", township="330226002")) == []
    assert listed(bureau) == [overdue, still_open, to_sector]
    row = client.get(f"{URL}?state=overdue", headers=mine).json()["items"][0]
    assert (row["state"], row["state_label"], row["signed"]) == ("overdue", "逾期未答复", "待签收")
    regulator = client.get(URL, headers=auth("regulator", sector="construction")).json()["items"][0]
    assert (regulator["receiver_kind_label"], regulator["receiver_name"]) == ("行业监管部门", "建筑施工")
    assert client.get(f"{URL}?state=late", headers=mine).status_code == 422
    assert client.get(URL, headers=auth("enterprise", enterprise_id="x")).status_code == 403


def test_the_list_pages_and_waits_for_its_own_writes(api, auth, town):
    """`?limit=&offset=` like the other lists of issue 14 (/todo, /supervision/listings); `?after=`
    a position the store does not hold is 422."""
    bureau = auth("bureau")
    made = [_refer(api, bureau, hazard_ids=[town["H1"]], township="330226001").json() for _ in range(5)]
    after = made[-1]["position"]
    first = api.get(f"{URL}?after={after}&limit=2", headers=bureau).json()
    second = api.get(f"{URL}?offset=4&limit=2", headers=bureau).json()
    assert (first["total"], first["count"], [r["id"] for r in first["items"]]) == (
        5, 2, [m["id"] for m in made[:2]])
    assert [r["id"] for r in second["items"]] == [made[4]["id"]]
    beyond = api.get(f"{URL}?after={after + 1000}", headers=bureau)
    assert beyond.status_code == 422 and "after" in beyond.text
    assert api.get(f"{URL}?limit=0", headers=bureau).status_code == 422
    assert api.get(f"{URL}?offset=-1", headers=bureau).status_code == 422


def test_a_meeting_decision_records_its_month_and_a_bad_month_is_422(api, auth, town, ledger):
    bureau = auth("bureau")
    made = _refer(api, bureau, hazard_ids=[town["H2"]], sector="construction", meeting="2026-06")
    assert made.status_code == 201, made.text
    [row] = api.get(f"{URL}?after={made.json()['position']}", headers=bureau).json()["items"]
    assert row["meeting"] == "2026-06"
    before = stored_count(ledger)
    for month in ("2026-07", "2026-13", "6月", "2026-6"):  # today is 2026-06-30
        refused = _refer(api, bureau, hazard_ids=[town["H2"]], sector="construction", meeting=month)
        assert (refused.status_code, refused.json()["field"]) == (422, "meeting"), refused.text
    assert stored_count(ledger) == before
