"""Mutual-help groups (企业互助) and industry associations (行业协会), issue 15 §1–2: the rules."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.hazard import Hazard
from domain.inspection import Inspection

from .conftest import (AGENCY, BUREAU, ENTERPRISE, TODAY, TOWNSHIP, TOWNSHIP_CODE, agency, contract,
                       credit_code, enterprise)

OTHER_TOWNSHIP = "330226002"
FOUNDED = date(2026, 1, 10)


def group(**overrides) -> MutualHelpGroup:
    kwargs = dict(name="跃龙街道化工互助组", township=TOWNSHIP_CODE, sector=None, founded_on=FOUNDED,
                  today=TODAY, actor=TOWNSHIP)
    return MutualHelpGroup.form(**{**kwargs, **overrides})


def association(**overrides) -> IndustryAssociation:
    kwargs = dict(credit_code=credit_code(), name="宁海县化工行业协会", sector="chem", township=None,
                  founded_on=FOUNDED, today=TODAY, actor=BUREAU)
    return IndustryAssociation.form(**{**kwargs, **overrides})


def with_members(body, *enterprises):
    for e in enterprises:
        body.add_member(enterprise=e, joined_on=date(2026, 2, 1), today=TODAY, actor=BUREAU)
    return body


def refused(code: str, call) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        call()
    assert info.value.rule == code
    return info.value


def test_a_group_is_of_an_area_or_an_industry_and_formed_by_the_government():
    g = group()
    assert (g.township, g.sector, g.members, g.experts) == (TOWNSHIP_CODE, None, {}, {})
    assert group(township=None, sector="chem").sector == "chem"
    with pytest.raises(InvalidValue) as info:
        group(township=None, sector=None)
    assert info.value.field == "township"
    for actor in (ENTERPRISE, AGENCY):
        refused("group-by-government", lambda: group(actor=actor))
    assert refused("group-by-government", lambda: association(actor=ENTERPRISE)).about_who
    # one group of a name per area and industry: the same id, so the store refuses a second
    first = group()
    assert first.id == group().id != group(name="另一个组").id
    refused("group-unique", lambda: group(existing=first))
    code = credit_code()
    registered = association(credit_code=code)
    assert registered.id == association(credit_code=code).id
    refused("group-unique", lambda: association(credit_code=code, existing=registered))


def test_members_are_enterprises_of_the_area_or_industry_once():
    g, a = group(), association()
    member, stranger = enterprise(), enterprise(township=OTHER_TOWNSHIP)
    with_members(g, member)
    assert list(g.members) == [str(member.id)]
    refused("group-member-once", lambda: with_members(g, member))
    assert "330226002" in refused("group-member-fits", lambda: with_members(g, stranger)).message
    refused("group-member-fits", lambda: with_members(a, enterprise(sector="build")))
    with_members(a, stranger)  # a county-wide association: any township, its sector
    refused("group-by-government", lambda: g.add_member(
        enterprise=enterprise(), joined_on=TODAY, today=TODAY, actor=ENTERPRISE))
    with pytest.raises(InvalidValue):
        g.add_member(enterprise=enterprise(), joined_on=date(2026, 7, 1), today=TODAY, actor=BUREAU)
    assert len(g.collect_events()) == 2  # formed, one member: nothing stored on refusal


def test_experts_come_from_members_and_leave_with_them():
    member, other = enterprise(), enterprise()
    g = with_members(group(), member)
    refused("group-expert-from-member", lambda: g.add_expert(
        enterprise_id=str(other.id), name="王工", certificate_no="C-1", actor=BUREAU))
    expert = g.add_expert(enterprise_id=str(member.id), name="王工", certificate_no="C-1", actor=BUREAU)
    refused("group-expert-duplicate", lambda: g.add_expert(
        enterprise_id=str(member.id), name="李工", certificate_no="C-1", actor=BUREAU))
    refused("group-expert-unknown", lambda: g.remove_expert(expert_id="x", reason="调岗", actor=BUREAU))
    g.remove_member(enterprise_id=str(member.id), left_on=TODAY, reason="停产", today=TODAY, actor=BUREAU)
    assert expert not in g.experts and not g.members
    refused("group-member-unknown", lambda: g.remove_member(
        enterprise_id=str(member.id), left_on=TODAY, reason="停产", today=TODAY, actor=BUREAU))


def test_training_records_name_member_enterprises():
    member = enterprise()
    a = with_members(association(), member)
    refused("group-training-members", lambda: a.record_training(
        held_on=date(2026, 3, 1), topic="危化品储存", hours=4, attendee_ids=[str(enterprise().id)],
        today=TODAY, actor=BUREAU))
    with pytest.raises(InvalidValue) as info:
        a.record_training(held_on=date(2026, 3, 1), topic="危化品储存", hours=0,
                          attendee_ids=[str(member.id)], today=TODAY, actor=BUREAU)
    assert info.value.field == "hours"
    a.record_training(held_on=date(2026, 3, 1), topic="危化品储存", hours="3.5",
                      attendee_ids=[str(member.id)], today=TODAY, actor=BUREAU)
    assert a.trainings[0]["hours"] == "3.5" and a.trainings[0]["attendee_ids"] == [str(member.id)]


def _schedule(ent, basis, kind, **kw):
    return Inspection.schedule(enterprise=ent, agency=kw.pop("agency", None), kind=kind, basis=basis,
                               scheduled_for=date(2026, 5, 20), actor=TOWNSHIP, **kw)


def test_group_inspections_have_the_group_as_basis_and_no_agency():
    member, outsider, far = enterprise(), enterprise(), enterprise(township=OTHER_TOWNSHIP)
    g = with_members(group(), member)
    inside = _schedule(member, g, "mutual")
    assert (inside.basis_id, inside.agency_id, inside.hazard_source) == (str(g.id), None, "mutual_help")
    assert _schedule(outsider, g, "inter_group").hazard_source == "mutual_help"  # 组间互查
    refused("group-inspection-basis", lambda: _schedule(outsider, g, "mutual"))  # not a member
    refused("group-inspection-basis", lambda: _schedule(member, g, "inter_group"))  # its own member
    refused("group-inspection-basis", lambda: _schedule(far, g, "inter_group"))  # another area
    refused("group-inspection-basis", lambda: _schedule(member, g, "association"))  # wrong basis
    refused("group-inspection-basis", lambda: _schedule(member, contract(member, agency()), "mutual"))
    with pytest.raises(InvalidValue) as info:
        _schedule(member, g, "mutual", agency=agency())
    assert info.value.field == "agency_id"
    with pytest.raises(InvalidValue) as info:
        _schedule(member, None, "mutual")
    assert info.value.field == "basis_id"


def test_group_inspections_are_performed_by_member_experts_and_find_mutual_help_hazards():
    member, other = enterprise(), enterprise()
    g = with_members(group(), member, other)
    expert = g.add_expert(enterprise_id=str(other.id), name="王工", certificate_no="C-9", actor=BUREAU)
    stranger_group = with_members(group(name="另一组"), enterprise())
    foreign = stranger_group.add_expert(enterprise_id=next(iter(stranger_group.members)), name="李工",
                                        certificate_no="C-8", actor=BUREAU)
    insp = _schedule(member, g, "mutual")
    with pytest.raises(InvalidValue) as info:
        insp.perform(performed_on=date(2026, 5, 20), expert_ids=[], agency=None, group=g,
                     today=TODAY, actor=BUREAU)
    assert info.value.field == "expert_ids"
    refused("group-inspection-experts", lambda: insp.perform(
        performed_on=date(2026, 5, 20), expert_ids=[foreign], agency=None, group=g, today=TODAY,
        actor=BUREAU))
    refused("group-inspection-experts", lambda: insp.perform(  # the experts of another group
        performed_on=date(2026, 5, 20), expert_ids=[foreign], agency=None, group=stranger_group,
        today=TODAY, actor=BUREAU))
    insp.perform(performed_on=date(2026, 5, 20), expert_ids=[expert], agency=None, group=g,
                 today=TODAY, actor=BUREAU)
    report = dict(enterprise=member, inspection=insp, category="unsafe_condition",
                  description="互查发现配电箱未接地", level="general", discovered_on=date(2026, 5, 20),
                  today=TODAY, actor=ENTERPRISE)
    with pytest.raises(InvalidValue) as info:
        Hazard.report(source="inspection", **report)
    assert info.value.field == "source"
    assert Hazard.report(source="mutual_help", **report).source == "mutual_help"
    with pytest.raises(InvalidValue) as info:  # a mutual-help hazard names its inspection
        Hazard.report(source="mutual_help", **{**report, "inspection": None})
    assert info.value.field == "inspection_id"


def test_association_inspections_of_members_find_association_hazards():
    member = enterprise(township=OTHER_TOWNSHIP)
    a = with_members(association(), member)
    expert = a.add_expert(enterprise_id=str(member.id), name="赵工", certificate_no="A-1", actor=BUREAU)
    refused("group-inspection-basis", lambda: _schedule(enterprise(), a, "association"))
    insp = _schedule(member, a, "association")
    insp.perform(performed_on=date(2026, 5, 21), expert_ids=[expert], agency=None, group=a,
                 today=TODAY, actor=BUREAU)
    h = Hazard.report(enterprise=member, inspection=insp, source="association",
                      category="management_defect", description="培训记录缺失", level="general",
                      discovered_on=date(2026, 5, 21), today=TODAY, actor=BUREAU)
    assert (h.source, h.agency_id, h.inspection_id) == ("association", None, str(insp.id))
