"""Service contracts, procurement agreements and inspections (003 §三3, 004 §二)."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import (ADMIN, AGENCY, AUDITOR, BUREAU, ENTERPRISE, TODAY, TOWNSHIP, agency, agreement,
                      contract, enterprise, last_actor, performed_inspection, refused,
                      scheduled_inspection)
from domain.actor import Actor, Role
from domain.contracts import ContractPolicy
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.inspection import Inspection

MAY_20 = date(2026, 5, 20)


# --- service contracts: one side proposes, the other countersigns (issue 10) ---------------
POLICY = ContractPolicy()  # 30 days of back-dating at most
JAN_1 = date(2026, 1, 1)


def test_contract_in_force_over_its_period_inclusive_once_countersigned():
    c = contract(enterprise(), agency())
    assert c.active and c.binding and c.fee == "3600"
    assert (c.proposed_by, c.countersigned_on, c.migrated) == ("agency", JAN_1, False)
    assert not c.in_force(date(2025, 12, 31))
    assert c.in_force(date(2026, 1, 1)) and c.in_force(date(2026, 12, 31))
    assert not c.in_force(date(2027, 1, 1))
    assert last_actor(c) == ENTERPRISE.record()


def test_a_proposal_binds_nobody():
    c = contract(enterprise(), agency(), countersigned=False)
    assert not c.binding and not c.in_force(date(2026, 6, 1))


@pytest.mark.parametrize("proposer, countersigner", [
    (AGENCY, ENTERPRISE), (AGENCY, TOWNSHIP), (AGENCY, BUREAU), (AGENCY, ADMIN),
    (ENTERPRISE, AGENCY), (TOWNSHIP, AGENCY), (BUREAU, AGENCY)])
def test_the_other_side_countersigns(proposer, countersigner):
    c = contract(enterprise(), agency(), actor=proposer, countersigned=False)
    c.countersign(today=JAN_1, policy=POLICY, actor=countersigner)
    assert c.in_force(date(2026, 6, 1)) and last_actor(c) == countersigner.record()


@pytest.mark.parametrize("proposer, countersigner", [
    (AGENCY, AGENCY), (ENTERPRISE, ENTERPRISE), (ENTERPRISE, TOWNSHIP), (BUREAU, ENTERPRISE)])
def test_a_side_cannot_countersign_its_own_proposal(proposer, countersigner):
    c = contract(enterprise(), agency(), actor=proposer, countersigned=False)
    refused(c, "countersign-by-other-party", c.countersign, today=JAN_1, policy=POLICY,
            actor=countersigner)


def test_only_the_parties_sign_a_contract():
    regulator = Actor("u-reg", Role.REGULATOR, "住建局")
    with pytest.raises(RuleViolation) as info:
        contract(enterprise(), agency(), actor=regulator, countersigned=False)
    assert info.value.rule == "contract-signed-by-parties" and info.value.about_who
    c = contract(enterprise(), agency(), countersigned=False)
    refused(c, "contract-signed-by-parties", c.countersign, today=JAN_1, policy=POLICY,
            actor=AUDITOR)


def test_nothing_to_countersign_twice():
    c = contract(enterprise(), agency())
    refused(c, "countersign-needs-proposal", c.countersign, today=JAN_1, policy=POLICY,
            actor=ENTERPRISE)


@pytest.mark.parametrize("who", [AGENCY, ENTERPRISE, TOWNSHIP])
def test_a_party_cannot_back_date_the_start_beyond_the_policy(who):
    with pytest.raises(RuleViolation) as info:
        contract(enterprise(), agency(), actor=who, today=date(2026, 2, 1), countersigned=False)
    assert info.value.rule == "contract-backdating"
    ok = contract(enterprise(), agency(), actor=who, today=date(2026, 1, 31), countersigned=False)
    assert not ok.migrated  # 30 days back is allowed


def test_a_proposal_left_too_long_cannot_be_countersigned_back_to_its_start():
    c = contract(enterprise(), agency(), today=date(2026, 1, 15), countersigned=False)
    refused(c, "contract-backdating", c.countersign, today=date(2026, 3, 1), policy=POLICY,
            actor=ENTERPRISE)


@pytest.mark.parametrize("who", [BUREAU, ADMIN])
def test_the_bureau_or_an_administrator_records_older_contracts_visibly(who):
    c = contract(enterprise(), agency(), actor=who, today=TODAY, countersigned=False)
    assert c.migrated  # 补录
    c.countersign(today=TODAY, policy=POLICY, actor=AGENCY)  # the agency signs late: allowed
    assert c.binding and c.migrated and c.in_force(date(2026, 3, 1))


def test_a_late_countersignature_by_the_bureau_is_marked():
    c = contract(enterprise(), agency(), today=date(2026, 1, 15), countersigned=False)
    c.countersign(today=TODAY, policy=POLICY, actor=BUREAU)
    assert c.binding and c.migrated


def test_the_limit_is_policy_data():
    c = contract(enterprise(), agency(), today=date(2026, 3, 1), policy=ContractPolicy(90),
                 countersigned=False)
    assert not c.migrated


def test_renewal_is_proposed_then_countersigned():
    c = contract(enterprise(), agency())
    c.renew(end=date(2027, 12, 31), fee="4000", actor=AGENCY)
    assert (c.end, c.renewals) == (date(2026, 12, 31), 0) and not c.in_force(date(2027, 6, 1))
    c.countersign(today=date(2026, 12, 1), policy=POLICY, actor=ENTERPRISE)
    assert (c.end, c.fee, c.renewals, c.pending_renewal) == (date(2027, 12, 31), "4000", 1, None)
    assert c.in_force(date(2027, 6, 1))


def test_a_renewal_is_countersigned_by_the_other_side():
    c = contract(enterprise(), agency())
    c.renew(end=date(2027, 12, 31), fee="4000", actor=AGENCY)
    refused(c, "countersign-by-other-party", c.countersign, today=date(2026, 12, 1),
            policy=POLICY, actor=AGENCY)


def test_a_proposal_cannot_be_renewed():
    c = contract(enterprise(), agency(), countersigned=False)
    refused(c, "contract-not-yet-in-force", c.renew, end=date(2027, 12, 31), fee=1, actor=AGENCY)


@pytest.mark.parametrize("end", [date(2026, 12, 31), date(2026, 6, 30)])
def test_renewal_must_extend_the_period(end):
    c = contract(enterprise(), agency())
    refused(c, "renewal-extends-period", c.renew, end=end, fee=1, actor=ENTERPRISE)


def _terminate(c, day, who=ENTERPRISE, today=TODAY):
    c.terminate(terminated_on=day, reason="企业停产", today=today, policy=POLICY, actor=who)


def test_termination_ends_force_from_its_day():
    c = contract(enterprise(), agency())
    _terminate(c, date(2026, 6, 30))
    assert not c.active and c.last_day == date(2026, 6, 29)
    assert c.in_force(date(2026, 6, 29)) and not c.in_force(date(2026, 6, 30))


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2027, 1, 1)])
def test_termination_within_the_period(day):
    c = contract(enterprise(), agency())
    refused(c, "termination-within-period", c.terminate, terminated_on=day, reason="x",
            today=TODAY, policy=POLICY, actor=ENTERPRISE)


def test_a_party_cannot_back_date_a_termination_beyond_the_policy():
    c = contract(enterprise(), agency())
    refused(c, "contract-backdating", c.terminate, terminated_on=date(2026, 5, 1), reason="x",
            today=TODAY, policy=POLICY, actor=AGENCY)
    _terminate(c, date(2026, 5, 1), who=BUREAU)
    assert not c.in_force(date(2026, 5, 1))


def test_terminated_contract_cannot_be_renewed_countersigned_or_terminated_again():
    c = contract(enterprise(), agency(), countersigned=False)
    _terminate(c, date(2026, 6, 30))  # a proposal withdrawn
    refused(c, "contract-active", c.countersign, today=TODAY, policy=POLICY, actor=ENTERPRISE)
    refused(c, "contract-active", c.renew, end=date(2027, 12, 31), fee=1, actor=ENTERPRISE)
    refused(c, "contract-active", c.terminate, terminated_on=date(2026, 7, 1), reason="x",
            today=TODAY, policy=POLICY, actor=ENTERPRISE)


@pytest.mark.parametrize("field, overrides", [
    ("end", {"end": date(2026, 1, 1)}),
    ("service", {"service": "cleaning"}),
    ("fee", {"fee": -100}),
])
def test_contract_rejects_bad_values(field, overrides):
    with pytest.raises(InvalidValue) as info:
        contract(enterprise(), agency(), **overrides)
    assert info.value.field == field


# --- procurement agreements -----------------------------------------------------------------
def test_agreement_covers_township_sector_and_period():
    a = agreement(agency())
    assert a.services == ["comprehensive", "monthly"]
    assert a.prices == {"comprehensive": "200", "monthly": "360"}
    assert a.covers(township="330226001", sector="chem", on=date(2026, 6, 1))
    assert not a.covers(township="330226002", sector="chem", on=date(2026, 6, 1))
    assert not a.covers(township="330226001", sector="mining", on=date(2026, 6, 1))
    assert not a.covers(township="330226001", sector="chem", on=date(2027, 1, 1))


@pytest.mark.parametrize("actor", [AGENCY, TOWNSHIP, ENTERPRISE, ADMIN])
def test_agreement_refused_unless_signed_by_the_bureau(actor):
    with pytest.raises(RuleViolation) as info:
        agreement(agency(), actor=actor)
    assert info.value.rule == "agreement-signed-by-bureau"


def test_agreement_signed_by_the_bureau():
    assert last_actor(agreement(agency(), actor=BUREAU)) == BUREAU.record()


@pytest.mark.parametrize("field, overrides", [
    ("townships", {"townships": []}),
    ("townships", {"townships": ["ninghai"]}),
    ("sectors", {"sectors": []}),
    ("end", {"end": date(2025, 12, 31)}),
    ("prices", {"prices": {"massage": 10}}),
    ("prices.monthly", {"prices": {"monthly": -360}}),
    ("budget", {"budget": "-1"}),
    ("services", {"services": ["nothing"]}),
])
def test_agreement_rejects_bad_values(field, overrides):
    with pytest.raises(InvalidValue) as info:
        agreement(agency(), **overrides)
    assert info.value.field == field


# --- scheduling needs a basis (004 §二) -----------------------------------------------------
def test_schedule_on_a_service_contract():
    ent, ag = enterprise(), agency()
    c = contract(ent, ag)
    insp = scheduled_inspection(ent, ag, basis=c)
    assert (insp.status, insp.agency_id, insp.basis_id) == ("scheduled", str(ag.id), str(c.id))
    assert last_actor(insp) == AGENCY.record()


def test_schedule_on_a_procurement_agreement():
    ent, ag = enterprise(), agency()
    insp = scheduled_inspection(ent, ag, kind="comprehensive", basis=agreement(ag))
    assert insp.kind == "comprehensive"


def test_self_inspection_needs_no_agency_or_basis():
    insp = scheduled_inspection(enterprise(), None, kind="self", basis=None, actor=ENTERPRISE)
    assert insp.agency_id is None and insp.basis_id is None


def _other_enterprise_contract(ent, ag):
    return contract(enterprise(), ag)


def _other_agency_contract(ent, ag):
    return contract(ent, agency())


def _expired_contract(ent, ag):
    return contract(ent, ag, start=date(2025, 1, 1), end=date(2025, 12, 31))


def _terminated_contract(ent, ag):
    c = contract(ent, ag)
    c.terminate(terminated_on=date(2026, 5, 1), reason="解约", today=date(2026, 5, 1),
                policy=ContractPolicy(), actor=ENTERPRISE)
    return c


def _proposed_contract(ent, ag):
    return contract(ent, ag, countersigned=False)


def _agreement_other_township(ent, ag):
    return agreement(ag, townships=["330226009"])


def _agreement_other_agency(ent, ag):
    return agreement(agency())


@pytest.mark.parametrize("basis_of", [
    lambda ent, ag: None, _other_enterprise_contract, _other_agency_contract, _expired_contract,
    _terminated_contract, _proposed_contract, _agreement_other_township, _agreement_other_agency,
])
def test_schedule_needs_a_basis_binding_agency_and_enterprise(basis_of):
    ent, ag = enterprise(), agency()
    with pytest.raises(RuleViolation) as info:
        scheduled_inspection(ent, ag, basis=basis_of(ent, ag))
    assert info.value.rule == "inspection-needs-basis"


def test_blacklisted_agency_cannot_be_scheduled():
    ent, ag = enterprise(), agency()
    basis = contract(ent, ag)
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    with pytest.raises(RuleViolation) as info:
        scheduled_inspection(ent, ag, basis=basis)
    assert info.value.rule == "agency-blacklisted"


def test_agency_inspection_names_its_agency():
    with pytest.raises(InvalidValue) as info:
        scheduled_inspection(enterprise(), None, basis=None)
    assert info.value.field == "agency_id"


def test_unknown_inspection_kind():
    with pytest.raises(InvalidValue) as info:
        scheduled_inspection(enterprise(), agency(), kind="weekly")
    assert info.value.field == "kind"


# --- perform, report, cancel ----------------------------------------------------------------
def test_perform_then_file_report():
    ent, ag = enterprise(), agency()
    insp = performed_inspection(ent, ag)
    assert (insp.status, insp.performed_on, insp.was_performed) == ("performed", MAY_20, True)
    assert insp.expert_ids == sorted(ag.experts)
    insp.file_report(document_no="排查报告2026-05", filed_on=date(2026, 5, 25), today=TODAY,
                     actor=AGENCY)
    assert (insp.status, insp.report_document_no) == ("report_filed", "排查报告2026-05")
    assert insp.was_performed and last_actor(insp) == AGENCY.record()


def test_experts_must_belong_to_the_agency():
    ent, ag = enterprise(), agency()
    ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    insp = scheduled_inspection(ent, ag)
    refused(insp, "inspection-experts-of-agency", insp.perform, performed_on=MAY_20,
            expert_ids=["stranger"], agency=ag, today=TODAY, actor=AGENCY)


def test_departed_expert_cannot_perform():
    ent, ag = enterprise(), agency()
    expert = ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    ag.remove_expert(expert_id=expert, reason="离职", actor=AGENCY)
    insp = scheduled_inspection(ent, ag)
    refused(insp, "inspection-experts-of-agency", insp.perform, performed_on=MAY_20,
            expert_ids=[expert], agency=ag, today=TODAY, actor=AGENCY)


def test_agency_inspection_lists_its_experts():
    ent, ag = enterprise(), agency()
    insp = scheduled_inspection(ent, ag)
    with pytest.raises(InvalidValue) as info:
        insp.perform(performed_on=MAY_20, expert_ids=[], agency=ag, today=TODAY, actor=AGENCY)
    assert info.value.field == "expert_ids"


def test_performed_on_cannot_be_in_the_future():
    ent, ag = enterprise(), agency()
    expert = ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    insp = scheduled_inspection(ent, ag)
    with pytest.raises(InvalidValue) as info:
        insp.perform(performed_on=date(2026, 7, 1), expert_ids=[expert], agency=ag, today=TODAY,
                     actor=AGENCY)
    assert info.value.field == "performed_on"


def test_perform_only_once():
    ent, ag = enterprise(), agency()
    insp = performed_inspection(ent, ag)
    refused(insp, "perform-requires-scheduled", insp.perform, performed_on=MAY_20,
            expert_ids=insp.expert_ids, agency=ag, today=TODAY, actor=AGENCY)


def test_cancelled_inspection_cannot_be_performed():
    insp = scheduled_inspection(enterprise(), None, kind="self", basis=None, actor=ENTERPRISE)
    insp.cancel(reason="企业停产", actor=ENTERPRISE)
    assert insp.status == "cancelled"
    refused(insp, "perform-requires-scheduled", insp.perform, performed_on=MAY_20, expert_ids=[],
            agency=None, today=TODAY, actor=ENTERPRISE)


def test_report_only_after_performing():
    insp = scheduled_inspection(enterprise(), agency())
    refused(insp, "report-requires-performed", insp.file_report, document_no="报告1",
            filed_on=MAY_20, today=TODAY, actor=AGENCY)


def test_report_filed_once():
    insp = performed_inspection(enterprise(), agency())
    insp.file_report(document_no="报告1", filed_on=MAY_20, today=TODAY, actor=AGENCY)
    refused(insp, "report-requires-performed", insp.file_report, document_no="报告2",
            filed_on=MAY_20, today=TODAY, actor=AGENCY)


def test_report_cannot_precede_the_inspection():
    insp = performed_inspection(enterprise(), agency())
    with pytest.raises(InvalidValue) as info:
        insp.file_report(document_no="报告1", filed_on=date(2026, 5, 19), today=TODAY,
                         actor=AGENCY)
    assert info.value.field == "filed_on"


def test_performed_inspection_cannot_be_cancelled():
    insp = performed_inspection(enterprise(), agency())
    refused(insp, "cancel-requires-scheduled", insp.cancel, reason="x", actor=AGENCY)


def test_self_inspection_performed_without_experts():
    insp = Inspection.schedule(enterprise=enterprise(), agency=None, kind="self", basis=None,
                               scheduled_for=MAY_20, actor=ENTERPRISE)
    insp.perform(performed_on=MAY_20, expert_ids=[], agency=None, today=TODAY, actor=ENTERPRISE)
    assert insp.was_performed


# --- regressions: bugs found and fixed in the domain ------------------------------------------
def test_experts_of_another_agency_cannot_perform():
    ent, own, other = enterprise(), agency(), agency()
    outsider = other.add_expert(name="外援", certificate_no="ZB-0009", actor=AGENCY)
    insp = scheduled_inspection(ent, own)
    with pytest.raises(DomainError):
        insp.perform(performed_on=MAY_20, expert_ids=[outsider], agency=other, today=TODAY,
                     actor=AGENCY)


def test_self_inspection_with_an_agency_is_refused():
    ent, ag = enterprise(), agency()
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    with pytest.raises(DomainError):
        scheduled_inspection(ent, ag, kind="self", basis=None)
