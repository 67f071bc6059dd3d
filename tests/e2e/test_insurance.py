"""安责险 over HTTP (issue 15 §3), on the real store and read models: an insurer records its own
policies (never another insurer's), an overlapping period is refused with nothing stored, an
insurer sees its own policies and what hangs on them and nothing else of the enterprise, a
commissioned agency assesses within the policy's window, hazards from it carry source
`insurance`; the prevention-fee ledger and the coverage of the mandatory sectors."""

from __future__ import annotations

import csv
import io

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

V1 = "/api/v1"


@pytest.fixture
def county(ledger):
    bureau = actor(Role.BUREAU)

    def enterprise(name, township, sector):
        return ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=township,
                                          sector=sector, scale="small_micro").id
    a1 = ledger.register_agency(bureau, credit_code=credit_code(), name="甲安评").id
    a2 = ledger.register_agency(bureau, credit_code=credit_code(), name="乙安评").id
    return {"E1": enterprise("甲化工", "330226001", "chem"), "E2": enterprise("乙建筑", "330226002", "construction"),
            "E3": enterprise("丙工贸", "330226001", "trade"), "E4": enterprise("丁化工", "330226001", "chem"),
            "A1": a1, "A2": a2, "X1": ledger.add_expert(bureau, a1, name="陈工", certificate_no="Z-1").id,
            "I1": ledger.register_insurer(bureau, credit_code=credit_code(), name="甲财险宁海支公司").id,
            "I2": ledger.register_insurer(bureau, credit_code=credit_code(), name="乙财险宁海支公司").id}


def _policy(api, headers, insurer, enterprise, no, start="2026-01-01", end="2026-12-31", premium=20000):
    return api.post(f"{V1}/insurance-policies", headers=headers, json={
        "insurer_id": insurer, "enterprise_id": enterprise, "policy_no": no, "start": start, "end": end,
        "premium": premium})


def test_an_insurer_records_its_own_policies_and_overlaps_are_refused(api, auth, county, ledger):
    ins1 = auth("insurer", insurer_id=county["I1"])
    first = _policy(api, ins1, county["I1"], county["E1"], "PA-2026-001")
    assert first.status_code == 201, first.text

    before = stored_count(ledger)
    other = _policy(api, ins1, county["I2"], county["E2"], "PB-2026-001")  # another insurer's name
    assert (other.status_code, other.json()["rule"]) == (403, "access:insurance_policy.record")
    overlap = _policy(api, ins1, county["I1"], county["E1"], "PA-2026-002", start="2026-12-01", end="2027-11-30")
    assert (overlap.status_code, overlap.json()["rule"]) == (409, "insurance-policy-no-overlap")
    assert "2026-01-01—2026-12-31" in overlap.json()["message"]
    again = _policy(api, ins1, county["I1"], county["E4"], "PA-2026-001")  # a retry under the same number
    assert (again.status_code, again.json()["rule"]) == (409, "insurance-policy-number-unique")
    for body, field in ((dict(premium=0), "premium"), (dict(premium=-5), "premium"),
                        (dict(start="2026-06-01", end="2026-05-01"), "end")):
        bad = _policy(api, ins1, county["I1"], county["E4"], "PA-2026-009", **body)
        assert bad.status_code == 422 and bad.json()["field"] == field, bad.text
    not_an_insurer = _policy(api, auth("enterprise", enterprise_id=county["E1"]), county["I1"], county["E1"], "X")
    assert not_an_insurer.status_code == 403
    assert stored_count(ledger) == before  # nothing of any refusal stored

    paper = _policy(api, auth("bureau"), county["I2"], county["E1"], "PB-2026-002")  # 代录: another insurer
    assert paper.status_code == 201, paper.text


def test_an_insurer_sees_its_own_policies_and_assessments_only(api, auth, county, ledger):
    ins1, ins2 = auth("insurer", insurer_id=county["I1"]), auth("insurer", insurer_id=county["I2"])
    p1 = _policy(api, ins1, county["I1"], county["E1"], "PA-1").json()["id"]
    p2 = _policy(api, ins2, county["I2"], county["E2"], "PB-1", premium=5000).json()["id"]
    tip = ledger.report_hazard(actor(Role.BUREAU), enterprise_id=county["E1"], source="public_tip",
                               category="unsafe_condition", description="仓库堆放杂物", level="general").id

    # an insurer's policy gives it nothing else of the enterprise
    assert api.get(f"{V1}/insurance-policies/{p2}", headers=ins1).status_code == 403
    assert api.get(f"{V1}/enterprises/{county['E1']}", headers=ins1).status_code == 403
    assert api.get(f"{V1}/hazards/{tip}", headers=ins1).status_code == 403
    assert api.get(f"{V1}/ledger", headers=ins1).status_code == 403
    assert api.post(f"{V1}/insurance-policies/{p2}/commission", headers=ins1,
                    json={"agency_id": county["A1"]}).status_code == 403

    # the insurer commissions A1; A1 assesses within the period, A2 (not commissioned) cannot
    done = api.post(f"{V1}/insurance-policies/{p1}/commission", headers=ins1,
                    json={"agency_id": county["A1"], "commissioned_on": "2026-06-01"})
    assert done.status_code == 200, done.text
    a1, bureau = auth("agency", agency_id=county["A1"]), auth("bureau")
    assessment = {"enterprise_id": county["E1"], "kind": "insurance_assessment", "basis_id": p1,
                  "scheduled_for": "2026-06-20"}
    not_commissioned = api.post(f"{V1}/inspections", headers=bureau, json={**assessment, "agency_id": county["A2"]})
    assert (not_commissioned.status_code, not_commissioned.json()["rule"]) == (409, "insurance-assessment-commissioned")
    late = api.post(f"{V1}/inspections", headers=bureau,
                    json={**assessment, "agency_id": county["A1"], "scheduled_for": "2027-01-05"})
    assert (late.status_code, late.json()["rule"]) == (409, "insurance-assessment-in-period")
    scheduled = api.post(f"{V1}/inspections", headers=a1, json={**assessment, "agency_id": county["A1"]})
    assert scheduled.status_code == 201, scheduled.text
    inspection = scheduled.json()["id"]
    assert api.post(f"{V1}/inspections/{inspection}/perform", headers=a1,
                    json={"expert_ids": [county["X1"]], "performed_on": "2026-06-20"}).status_code == 200
    found = api.post(f"{V1}/hazards", headers=a1, json={
        "enterprise_id": county["E1"], "inspection_id": inspection, "source": "insurance",
        "category": "unsafe_condition", "description": "储罐区静电接地缺失", "level": "general",
        "discovered_on": "2026-06-20"})
    assert found.status_code == 201, found.text
    # a commission opens that policy's records to the agency, not the enterprise's others
    assert api.get(f"{V1}/hazards/{tip}", headers=a1).status_code == 403

    after = found.json()["position"]
    mine = api.get(f"{V1}/insurance-policies?after={after}", headers=ins1).json()
    assert [p["policy_no"] for p in mine["items"]] == ["PA-1"]
    policy = api.get(f"{V1}/insurance-policies/{p1}?after={after}", headers=ins1).json()
    assert (policy["enterprise_name"], policy["mandatory"], policy["premium"]) == ("甲化工", True, "20000")
    assert [a["inspection_id"] for a in policy["assessments"]] == [inspection]
    assert [(h["hazard_id"], h["status_label"]) for h in policy["hazards"]] == [(found.json()["id"], "已上报")]
    # the enterprise and its township read the policy too; another township does not
    assert api.get(f"{V1}/insurance-policies/{p1}", headers=auth("enterprise", enterprise_id=county["E1"])).status_code == 200
    assert api.get(f"{V1}/insurance-policies/{p1}", headers=auth("township", township="330226002")).status_code == 403
    listed = api.get(f"{V1}/insurance-policies", headers=auth("township", township="330226002")).json()
    assert [p["policy_no"] for p in listed["items"]] == ["PB-1"]


def test_the_prevention_fee_ledger_and_the_coverage_of_mandatory_sectors(api, auth, county):
    ins1, ins2 = auth("insurer", insurer_id=county["I1"]), auth("insurer", insurer_id=county["I2"])
    _policy(api, ins1, county["I1"], county["E1"], "PA-1", premium="12345.67")
    _policy(api, ins1, county["I1"], county["E3"], "PA-2", premium=7654.33)  # trade: not mandatory
    _policy(api, ins1, county["I1"], county["E4"], "PA-0", start="2025-03-01", end="2026-02-28", premium=9000)
    _policy(api, ins2, county["I2"], county["E2"], "PB-1", premium=5000)
    paid = [(ins1, "training", 1500, "V-1", "2026-05-01"), (ins1, "assessment", "300.50", "V-2", "2026-06-20"),
            (ins1, "expert_check", 9999, "V-3", "2025-12-01")]  # 2025's money: not 2026's
    for headers, kind, amount, ref, day in paid:
        answer = api.post(f"{V1}/insurers/{county['I1']}/prevention-services", headers=headers,
                          json={"kind": kind, "amount": amount, "reference": ref, "paid_on": day,
                                "description": "安全培训"})
        assert answer.status_code == 201, answer.text
    twice = api.post(f"{V1}/insurers/{county['I1']}/prevention-services", headers=ins1,
                     json={"kind": "training", "amount": 1500, "reference": "V-1", "paid_on": "2026-05-01"})
    assert (twice.status_code, twice.json()["rule"]) == (409, "prevention-reference-unique")
    assert api.post(f"{V1}/insurers/{county['I1']}/prevention-services", headers=ins2,
                    json={"kind": "training", "amount": 1, "reference": "V-9"}).status_code == 403
    after = answer.json()["position"]

    ledger_2026 = api.get(f"{V1}/insurance/prevention?year=2026&after={after}", headers=auth("bureau")).json()
    rows = {r["name"]: r for r in ledger_2026["items"]}
    assert {k: rows["甲财险宁海支公司"][k] for k in ("policies", "premiums", "fee_due", "paid", "shortfall", "met")} == {
        "policies": 2, "premiums": "20000.00", "fee_due": "2000.00", "paid": "1800.50", "shortfall": "199.50",
        "met": False}
    assert rows["甲财险宁海支公司"]["paid_by_kind"] == {"安全培训": "1500.00", "风险评估": "300.50"}
    assert {k: rows["乙财险宁海支公司"][k] for k in ("premiums", "fee_due", "paid", "shortfall")} == {
        "premiums": "5000.00", "fee_due": "500.00", "paid": "0.00", "shortfall": "500.00"}
    ledger_2025 = api.get(f"{V1}/insurance/prevention?year=2025", headers=ins1).json()
    assert [(r["name"], r["fee_due"], r["paid"], r["met"]) for r in ledger_2025["items"]] == [
        ("甲财险宁海支公司", "900.00", "9999.00", True)]  # an insurer: its own row only
    exported = api.get(f"{V1}/insurance/prevention?year=2026&format=csv", headers=auth("bureau"))
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert "缺口（元）" in table[0] and any("199.50" in row for row in table)
    assert api.get(f"{V1}/insurance/prevention?year=2026", headers=auth("township", township="330226001")).status_code == 403

    coverage = api.get(f"{V1}/insurance/coverage?on=2026-06-30", headers=auth("bureau")).json()
    assert [(r["township_name"], r["enterprises"], r["insured"], r["rate"]) for r in coverage["items"]] == [
        ("跃龙街道", 2, 1, 50.0), ("桃源街道", 1, 1, 100.0)]  # E4's policy ended in February; E3 is trade
    assert (coverage["enterprises"], coverage["insured"]) == (3, 2)
    early = api.get(f"{V1}/insurance/coverage?on=2026-01-15", headers=auth("bureau")).json()
    assert [(r["enterprises"], r["insured"]) for r in early["items"]] == [(2, 2), (1, 1)]
    township = api.get(f"{V1}/insurance/coverage?on=2026-06-30", headers=auth("township", township="330226002")).json()
    assert [r["township"] for r in township["items"]] == ["330226002"]
    xlsx = api.get(f"{V1}/insurance/coverage?format=xlsx", headers=auth("bureau"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
