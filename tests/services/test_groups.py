"""Groups and associations through the commands, on the real event store (issue 15 §1–2):
formed once, members and experts, group inspections whose hazards carry their source, and
every refusal stores nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from domain.errors import InvalidValue, RuleViolation
from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.hazard import Hazard
from domain.inspection import Inspection
from tests.conftest import actor, credit_code, stored_count

BUREAU, TOWNSHIP, OWNER = actor(Role.BUREAU), actor(Role.TOWNSHIP), actor(Role.ENTERPRISE)


def _enterprise(ledger, township="330226001", sector="chem", name="甲化工"):
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=name, township=township,
                                      sector=sector, scale="small_micro").id


def _refused(ledger, code: str, call) -> None:
    before = stored_count(ledger)
    with pytest.raises(RuleViolation) as info:
        call()
    assert info.value.rule == code
    assert stored_count(ledger) == before


def test_a_group_is_formed_once_and_its_inspection_finds_mutual_help_hazards(ledger):
    e1, e2 = _enterprise(ledger), _enterprise(ledger, name="乙化工")
    far = _enterprise(ledger, township="330226002", name="丙化工")
    group = ledger.form_group(TOWNSHIP, name="跃龙化工互助组", township="330226001", sector="chem").id
    _refused(ledger, "group-unique", lambda: ledger.form_group(
        TOWNSHIP, name="跃龙化工互助组", township="330226001", sector="chem"))
    for e in (e1, e2):
        ledger.add_group_member(TOWNSHIP, "group", group, enterprise_id=e)
    _refused(ledger, "group-member-fits", lambda: ledger.add_group_member(
        BUREAU, "group", group, enterprise_id=far))
    _refused(ledger, "group-by-government", lambda: ledger.add_group_member(
        OWNER, "group", group, enterprise_id=e1))
    _refused(ledger, "group-expert-from-member", lambda: ledger.add_group_expert(
        BUREAU, "group", group, enterprise_id=far, name="王工", certificate_no="W-1"))
    expert = ledger.add_group_expert(BUREAU, "group", group, enterprise_id=e2, name="王工",
                                     certificate_no="W-1").id
    assert ledger.load(MutualHelpGroup, group).experts[expert]["enterprise_id"] == e2

    _refused(ledger, "group-inspection-basis", lambda: ledger.schedule_inspection(
        TOWNSHIP, enterprise_id=far, kind="mutual", basis_id=group, scheduled_for=date(2026, 6, 1)))
    inspection = ledger.schedule_inspection(TOWNSHIP, enterprise_id=e1, kind="mutual", basis_id=group,
                                            scheduled_for=date(2026, 6, 1)).id
    _refused(ledger, "group-inspection-experts", lambda: ledger.perform_inspection(
        BUREAU, inspection, expert_ids=["not-an-expert"], performed_on=date(2026, 6, 1)))
    ledger.perform_inspection(BUREAU, inspection, expert_ids=[expert], performed_on=date(2026, 6, 1))
    assert ledger.load(Inspection, inspection).agency_id is None
    before = stored_count(ledger)
    with pytest.raises(InvalidValue) as info:
        ledger.report_hazard(OWNER, enterprise_id=e1, inspection_id=inspection, source="inspection",
                             category="unsafe_condition", description="配电箱未接地", level="general")
    assert info.value.field == "source" and stored_count(ledger) == before
    hazard = ledger.report_hazard(OWNER, enterprise_id=e1, inspection_id=inspection,
                                  source="mutual_help", category="unsafe_condition",
                                  description="配电箱未接地", level="general").id
    assert ledger.load(Hazard, hazard).source == "mutual_help"


def test_an_association_trains_and_inspects_its_members(ledger):
    member = _enterprise(ledger, township="330226002")
    outsider = _enterprise(ledger, sector="trade", name="丁商贸")
    code = credit_code()
    association = ledger.form_association(BUREAU, credit_code=code, name="宁海县化工行业协会",
                                          sector="chem").id
    _refused(ledger, "group-unique", lambda: ledger.form_association(
        BUREAU, credit_code=code, name="同码协会", sector="chem"))
    ledger.add_group_member(BUREAU, "association", association, enterprise_id=member)
    _refused(ledger, "group-member-fits", lambda: ledger.add_group_member(
        BUREAU, "association", association, enterprise_id=outsider))
    expert = ledger.add_group_expert(BUREAU, "association", association, enterprise_id=member,
                                     name="赵工", certificate_no="A-1").id
    _refused(ledger, "group-training-members", lambda: ledger.record_group_training(
        BUREAU, "association", association, held_on=date(2026, 5, 1), topic="危化品储存", hours=2,
        attendee_ids=[outsider]))
    training = ledger.record_group_training(BUREAU, "association", association,
                                            held_on=date(2026, 5, 1), topic="危化品储存", hours=2,
                                            attendee_ids=[member]).id
    assert ledger.load(IndustryAssociation, association).trainings[0]["training_id"] == training
    _refused(ledger, "group-inspection-basis", lambda: ledger.schedule_inspection(
        BUREAU, enterprise_id=outsider, kind="association", basis_id=association,
        scheduled_for=date(2026, 6, 2)))
    inspection = ledger.schedule_inspection(BUREAU, enterprise_id=member, kind="association",
                                            basis_id=association, scheduled_for=date(2026, 6, 2)).id
    ledger.perform_inspection(BUREAU, inspection, expert_ids=[expert], performed_on=date(2026, 6, 2))
    hazard = ledger.report_hazard(BUREAU, enterprise_id=member, inspection_id=inspection,
                                  source="association", category="management_defect",
                                  description="培训记录缺失", level="general").id
    assert ledger.load(Hazard, hazard).source == "association"
    # the member leaves: its experts leave with it
    ledger.remove_group_member(BUREAU, "association", association, member, reason="退会")
    assert ledger.load(IndustryAssociation, association).experts == {}


def test_a_basis_that_is_nothing_is_bad_input(ledger):
    e1 = _enterprise(ledger)
    before = stored_count(ledger)
    with pytest.raises(InvalidValue) as info:
        ledger.schedule_inspection(BUREAU, enterprise_id=e1, kind="mutual",
                                   basis_id="00000000-0000-0000-0000-000000000000",
                                   scheduled_for=date(2026, 6, 1))
    assert info.value.field == "basis_id" and stored_count(ledger) == before
