"""安责险 (issue 15 §3): policies without overlapping periods, positive premiums, assessments by a
commissioned agency within the policy's window, hazards from them with source `insurance`, the
prevention fee's arithmetic. Pure: dates passed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.actor import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.insurance import InsurancePolicy, InsuranceRules, Insurer, policy_id, prevention_fee

from .conftest import AGENCY, BUREAU, ENTERPRISE, TODAY, agency, contract, credit_code, enterprise, refused, rejected

INSURER = Actor("u-insurer", Role.INSURER, "某财险宁海支公司 刘经理")
RULES = InsuranceRules(mandatory_sectors={"chem": "危险化学品", "construction": "建筑施工"},
                       pre_underwriting_days=90)


def insurer() -> Insurer:
    return Insurer.register(credit_code=credit_code(), name="某财产保险股份有限公司宁海支公司", actor=BUREAU)


def issued(ins, ent, *, no="P-1", start=date(2026, 1, 1), end=date(2026, 12, 31), premium=12000,
           actor=INSURER) -> InsurancePolicy:
    return InsurancePolicy.issue(insurer=ins, enterprise=ent, policy_no=no, start=start, end=end,
                                 premium=premium, rules_=RULES, actor=actor)


def test_a_policy_records_its_period_premium_and_whether_the_sector_makes_it_mandatory():
    ins, chem, trade = insurer(), enterprise(), enterprise(sector="trade")
    p = issued(ins, chem)
    assert p.id == policy_id(str(ins.id), "P-1")
    assert (p.start, p.end, p.premium, p.mandatory) == (date(2026, 1, 1), date(2026, 12, 31), "12000", True)
    assert p.assess_from == date(2025, 10, 3)  # 90 days before the start: pre-underwriting assessments
    assert ins.policies[str(p.id)] == {"enterprise_id": str(chem.id), "start": p.start, "end": p.end}
    assert issued(ins, trade, no="P-2").mandatory is False


def test_an_overlapping_policy_of_the_same_insurer_and_enterprise_is_refused():
    ins, ent = insurer(), enterprise()
    issued(ins, ent)
    error = refused(ins, "insurance-policy-no-overlap", issued, ins=ins, ent=ent, no="P-2",
                    start=date(2026, 12, 31), end=date(2027, 12, 30))
    assert "2026-01-01—2026-12-31" in str(error)
    issued(ins, ent, no="P-3", start=date(2027, 1, 1), end=date(2027, 12, 31))  # the next year: fine
    issued(ins, enterprise(), no="P-4")  # another enterprise, same period: fine
    issued(insurer(), ent, no="P-5")  # another insurer, same enterprise and period: fine


def test_a_policy_number_is_recorded_once_per_insurer():
    ins, ent = insurer(), enterprise()
    first = issued(ins, ent)
    with pytest.raises(RuleViolation) as info:
        InsurancePolicy.issue(insurer=ins, enterprise=ent, policy_no="P-1", start=date(2027, 1, 1),
                              end=date(2027, 12, 31), premium=1, rules_=RULES, actor=INSURER, existing=first)
    assert info.value.rule == "insurance-policy-number-unique"


@pytest.mark.parametrize("premium", [0, "0.00", -1])
def test_a_premium_must_be_positive(premium):
    ins = insurer()
    rejected(ins, "premium", issued, ins=ins, ent=enterprise(), premium=premium)


def test_the_end_must_come_after_the_start():
    ins = insurer()
    rejected(ins, "end", issued, ins=ins, ent=enterprise(), start=date(2026, 6, 1), end=date(2026, 5, 31))


def test_only_an_insurer_or_the_bureau_records_a_policy():
    ins = insurer()
    with pytest.raises(RuleViolation) as info:
        issued(ins, enterprise(), actor=ENTERPRISE)
    assert info.value.rule == "insurance-by-insurer" and info.value.about_who
    assert issued(ins, enterprise(), actor=BUREAU).premium == "12000"  # a paper policy


def scheduled(ent, ag, basis, on, kind="insurance_assessment") -> Inspection:
    return Inspection.schedule(enterprise=ent, agency=ag, kind=kind, basis=basis, scheduled_for=on,
                               actor=AGENCY)


def test_an_assessment_is_done_by_a_commissioned_agency_within_the_window():
    ins, ent, ag, other = insurer(), enterprise(), agency(), agency()
    p = issued(ins, ent)
    with pytest.raises(RuleViolation) as info:  # not yet commissioned
        scheduled(ent, ag, p, date(2026, 3, 1))
    assert info.value.rule == "insurance-assessment-commissioned"
    p.commission(agency=ag, commissioned_on=date(2025, 11, 1), today=TODAY, actor=INSURER)
    refused(p, "insurance-commissioned-once", p.commission, agency=ag, commissioned_on=TODAY, today=TODAY,
            actor=INSURER)
    assert scheduled(ent, ag, p, date(2025, 11, 10)).basis_id == str(p.id)  # 承保前评估
    assert scheduled(ent, ag, p, date(2026, 12, 31)).kind == "insurance_assessment"
    for outside in (date(2025, 10, 2), date(2027, 1, 1)):
        with pytest.raises(RuleViolation) as info:
            scheduled(ent, ag, p, outside)
        assert info.value.rule == "insurance-assessment-in-period"
    with pytest.raises(RuleViolation) as info:
        scheduled(ent, other, p, date(2026, 3, 1))
    assert info.value.rule == "insurance-assessment-commissioned"


def test_a_policy_is_the_basis_of_assessments_only_and_an_assessment_needs_a_policy():
    ins, ent, ag = insurer(), enterprise(), agency()
    p = issued(ins, ent)
    p.commission(agency=ag, commissioned_on=date(2026, 1, 1), today=TODAY, actor=INSURER)
    for kind, basis, e in (("monthly", p, ent), ("insurance_assessment", contract(ent, ag), ent),
                           ("insurance_assessment", p, enterprise())):
        with pytest.raises(RuleViolation) as info:
            scheduled(e, ag, basis, date(2026, 3, 1), kind=kind)
        assert info.value.rule == "insurance-assessment-basis"


def test_a_blacklisted_agency_is_not_commissioned():
    p, ag = issued(insurer(), enterprise()), agency()
    ag.blacklist(reason="虚假报告", actor=BUREAU)
    refused(p, "agency-blacklisted", p.commission, agency=ag, commissioned_on=TODAY, today=TODAY, actor=INSURER)


def test_hazards_from_an_assessment_carry_the_source_insurance():
    ins, ent, ag = insurer(), enterprise(), agency()
    ag_expert = ag.add_expert(name="陈工", certificate_no="Z-1", actor=BUREAU)
    p = issued(ins, ent)
    p.commission(agency=ag, commissioned_on=date(2026, 1, 1), today=TODAY, actor=INSURER)
    insp = scheduled(ent, ag, p, date(2026, 3, 1))
    insp.perform(performed_on=date(2026, 3, 1), expert_ids=[ag_expert], agency=ag, today=TODAY, actor=AGENCY)

    def report(source):
        return Hazard.report(enterprise=ent, inspection=insp, source=source, category="unsafe_condition",
                             description="储罐区静电接地缺失", level="general", discovered_on=date(2026, 3, 1),
                             today=TODAY, actor=AGENCY)

    assert report("insurance").source == "insurance"
    with pytest.raises(InvalidValue) as info:
        report("inspection")
    assert info.value.field == "source"
    with pytest.raises(InvalidValue) as info:  # source insurance names its assessment
        Hazard.report(enterprise=ent, inspection=None, source="insurance", category="unsafe_condition",
                      description="x", level="general", discovered_on=date(2026, 3, 1), today=TODAY, actor=AGENCY)
    assert info.value.field == "inspection_id"


def test_prevention_services_are_recorded_once_per_voucher():
    ins = insurer()
    ins.record_prevention(kind="training", amount="3000.50", paid_on=date(2026, 5, 1), reference="V-1",
                          description="危化品企业安全培训", enterprise_id=None, today=TODAY, actor=INSURER)
    assert ins.services[0]["amount"] == "3000.50"
    refused(ins, "prevention-reference-unique", ins.record_prevention, kind="training", amount=1,
            paid_on=date(2026, 5, 1), reference="V-1", description="", enterprise_id=None, today=TODAY,
            actor=INSURER)
    rejected(ins, "amount", ins.record_prevention, kind="training", amount=0, paid_on=date(2026, 5, 1),
             reference="V-2", description="", enterprise_id=None, today=TODAY, actor=INSURER)
    rejected(ins, "kind", ins.record_prevention, kind="lunch", amount=1, paid_on=date(2026, 5, 1),
             reference="V-2", description="", enterprise_id=None, today=TODAY, actor=INSURER)


def test_the_prevention_fee_is_ten_percent_of_premiums_to_the_fen():
    assert prevention_fee(Decimal("123456.78"), Decimal("0.10")) == Decimal("12345.68")
    assert prevention_fee(Decimal("0"), Decimal("0.10")) == Decimal("0.00")
