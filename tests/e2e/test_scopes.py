"""Each party sees and does only what it answers for (issue 3 §1), told as the users would."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import actor, credit_code, stored_count

API = "/api/v1"


@pytest.fixture
def county(ledger):
    bureau = actor("bureau")
    ids = {}
    for key, township, sector in [("chem_plant", "330226001", "chem"), ("site", "330226002", "construction")]:
        ids[key] = ledger.register_enterprise(bureau, credit_code=credit_code(), name=key, township=township,
                                              sector=sector, scale="small_micro").id
    ids["agency"] = ledger.register_agency(bureau, credit_code=credit_code(), name="签约机构").id
    ids["stranger"] = ledger.register_agency(bureau, credit_code=credit_code(), name="无关机构").id
    contract = ledger.propose_contract(bureau, enterprise_id=ids["chem_plant"], agency_id=ids["agency"],
                                       service="monthly", start=date(2026, 1, 1), end=date(2029, 12, 31),
                                       fee=3600).id
    ledger.countersign_contract(actor("agency"), contract)
    for key in ("chem_plant", "site"):
        ids[f"{key}_hazard"] = ledger.report_hazard(
            bureau, enterprise_id=ids[key], source="government_check", category="unsafe_condition",
            description="隐患", level="general", discovered_on=date(2026, 6, 1)).id
    return ids


def _report(client, headers, enterprise_id):
    return client.post(API + "/hazards", headers=headers, json={
        "enterprise_id": enterprise_id, "source": "self_check", "category": "unsafe_act",
        "description": "现场吸烟", "level": "general", "discovered_on": "2026-06-05"})


def test_an_agency_reports_only_at_enterprises_it_serves(client, auth, county, ledger):
    agency = auth("agency", agency_id=county["agency"])
    assert _report(client, agency, county["chem_plant"]).status_code == 201
    before = stored_count(ledger)
    refused = _report(client, agency, county["site"])
    assert refused.status_code == 403 and refused.json()["rule"] == "access:hazard.report"
    assert stored_count(ledger) == before
    stranger = auth("agency", agency_id=county["stranger"])
    assert _report(client, stranger, county["chem_plant"]).status_code == 403


def test_an_agency_under_a_procurement_agreement_serves_its_townships_and_sectors(client, auth, county, ledger):
    ledger.sign_agreement(actor("bureau"), agency_id=county["stranger"], townships=["330226002"],
                          sectors=["construction"], start=date(2026, 1, 1), end=date(2029, 12, 31),
                          prices={"comprehensive": 200}, budget=100000)
    covered = auth("agency", agency_id=county["stranger"])
    assert _report(client, covered, county["site"]).status_code == 201
    assert _report(client, covered, county["chem_plant"]).status_code == 403


def test_an_enterprise_sees_and_rectifies_only_its_own_hazards(client, auth, county):
    owner = auth("enterprise", enterprise_id=county["chem_plant"])
    assert client.get(API + f"/hazards/{county['chem_plant_hazard']}", headers=owner).status_code == 200
    assert client.get(API + f"/hazards/{county['site_hazard']}", headers=owner).status_code == 403
    assert client.get(API + f"/hazards/{county['site_hazard']}/history", headers=owner).status_code == 403
    other = client.post(API + f"/hazards/{county['site_hazard']}/assign", headers=owner,
                        json={"responsible_person": "张三", "deadline": "2026-06-30"})
    assert other.status_code == 403


@pytest.mark.parametrize("role, scope, sees", [
    ("township", {"township": "330226001"}, "chem_plant_hazard"),
    ("regulator", {"sector": "construction"}, "site_hazard"),
])
def test_a_township_sees_its_territory_and_a_regulator_its_sector(client, auth, county, role, scope, sees):
    headers = auth(role, **scope)
    for key in ("chem_plant_hazard", "site_hazard"):
        expected = 200 if key == sees else 403
        assert client.get(API + f"/hazards/{county[key]}", headers=headers).status_code == expected


@pytest.mark.parametrize("role", ["auditor", "investigator"])
def test_auditors_and_investigators_read_everything_and_change_nothing(client, auth, county, ledger, role):
    headers = auth(role)
    for key in ("chem_plant_hazard", "site_hazard"):
        assert client.get(API + f"/hazards/{county[key]}", headers=headers).status_code == 200
    before = stored_count(ledger)
    for path, body in [(f"/hazards/{county['site_hazard']}/withdraw", {"reason": "x"}),
                       ("/agencies", {"credit_code": credit_code(), "name": "x"})]:
        assert client.post(API + path, headers=headers, json=body).status_code == 403
    assert _report(client, headers, county["site"]).status_code == 403
    assert stored_count(ledger) == before


def test_a_regulator_enforces_only_in_its_own_sector(client, auth, county):
    chem = auth("regulator", sector="chem")
    body = {"kind": "order_rectification", "document_no": "责改1号"}
    assert client.post(API + f"/hazards/{county['chem_plant_hazard']}/enforce", headers=chem, json=body).status_code == 200
    assert client.post(API + f"/hazards/{county['site_hazard']}/enforce", headers=chem, json=body).status_code == 403
