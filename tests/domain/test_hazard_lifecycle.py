"""The hazard lifecycle end to end (003 §五(二)), and the side roads: regrade, extension,
withdrawal, supervision, enforcement, overdue. Every event records its actor."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import (AGENCY, ASSIGNED_ON, BUREAU, CLOSED, DEADLINE, DISCOVERED, ENTERPRISE,
                      JOINT_PARTIES, PLAN, PLAN_FILED, RECTIFIED, REGULATOR, REVIEWED, TODAY,
                      TOWNSHIP, agency, assign, assigned, enterprise, extend, file_closure, file_plan,
                      hazard, joint_review, last_actor, performed_inspection, rectified, rectify,
                      refused, review)
from domain.actor import Actor, Role
from domain.hazard import Hazard


def event_names(h: Hazard) -> list[str]:
    return [type(e).__name__ for e in h.pending_events]


def test_general_hazard_happy_path():
    h = hazard("general")
    assert (h.status, h.version) == ("reported", 1)
    assign(h)
    assert (h.status, h.responsible_person, h.deadline) == ("assigned", "张三", DEADLINE)
    rectify(h)
    assert h.status == "rectified"
    assert h.rectification == {"evidence": ["after-001.jpg"], "cost": "12000.50",
                               "rectified_on": RECTIFIED}
    review(h, AGENCY)
    assert h.review["passed"] and h.review["by"] == AGENCY.record()
    h.close(closed_on=CLOSED, today=TODAY, actor=TOWNSHIP)
    assert (h.status, h.closed_on) == ("closed", CLOSED)
    assert event_names(h) == ["Reported", "ResponsibilityAssigned", "RectificationReported",
                              "Reviewed", "Closed"]


@pytest.mark.parametrize("reviewer", [AGENCY, TOWNSHIP, REGULATOR, BUREAU])
def test_general_hazard_reviewed_by_any_non_enterprise_unit(reviewer):
    h = review(rectified(), reviewer)
    h.close(closed_on=CLOSED, today=TODAY, actor=TOWNSHIP)
    assert h.status == "closed"


def test_major_hazard_happy_path():
    h = assigned("major")
    file_plan(h)
    assert h.plan == {**PLAN, "filed_on": PLAN_FILED}
    rectify(h)
    for party in JOINT_PARTIES:
        assert not h.joint_review_complete
        review(h, party)
    assert set(h.joint_review) == {"township", "regulator", "agency"}
    assert h.joint_review_complete and h.status == "rectified"
    file_closure(h)
    assert h.closure_report == {"document_no": "宁安销〔2026〕1号", "filed_on": REVIEWED}
    h.close(closed_on=CLOSED, today=TODAY, actor=BUREAU)
    assert h.status == "closed"
    assert event_names(h) == [
        "Reported", "ResponsibilityAssigned", "RectificationPlanFiled", "RectificationReported",
        "JointReviewSigned", "JointReviewSigned", "JointReviewSigned", "ClosureReportFiled",
        "Closed"]


def test_replaying_the_events_rebuilds_the_same_hazard():
    h = file_closure(joint_review(rectified("major")))
    rebuilt = None
    for e in h.collect_events():
        rebuilt = e.mutate(rebuilt)
    assert vars(rebuilt) == vars(h)


def test_supervised_general_hazard_needs_joint_review_and_closure_report():
    h = hazard("general")
    h.list_for_supervision(level="county", document_no="宁安委督〔2026〕3号", listed_on=ASSIGNED_ON,
                           today=TODAY, actor=BUREAU)
    assert h.needs_joint_review
    assert h.supervision == {"level": "county", "document_no": "宁安委督〔2026〕3号",
                             "listed_on": ASSIGNED_ON}
    rectify(assign(h))
    refused(h, "joint-review-parties", h.review_rectification, passed=True, notes="",
            reviewed_on=REVIEWED, today=TODAY, actor=BUREAU)
    joint_review(h)
    refused(h, "close-requires-closure-report", h.close, closed_on=CLOSED, today=TODAY,
            actor=BUREAU)
    file_closure(h).close(closed_on=CLOSED, today=TODAY, actor=BUREAU)
    assert h.status == "closed"


def test_failed_general_review_returns_to_assigned():
    h = review(rectified(), AGENCY, passed=False)
    assert (h.status, h.review, h.failed_reviews) == ("assigned", None, 1)
    rectify(h)
    review(h, AGENCY).close(closed_on=CLOSED, today=TODAY, actor=TOWNSHIP)
    assert h.status == "closed"


def test_failed_joint_review_clears_the_signatures():
    h = joint_review(rectified("major"), parties=(TOWNSHIP, AGENCY))
    review(h, REGULATOR, passed=False)
    assert (h.status, h.joint_review, h.failed_reviews) == ("assigned", {}, 1)
    assert h.is_overdue(date(2026, 6, 21))
    rectify(h)
    joint_review(h)  # all three sign again, township and agency included
    assert h.joint_review_complete


def test_regrade_general_to_major_then_plan_is_required():
    h = assigned("general")
    h.regrade(level="major", reason="涉及重大危险源", actor=BUREAU)
    assert h.level == "major" and h.needs_joint_review
    refused(h, "major-hazard-needs-plan", h.report_rectification, evidence=["a.jpg"], cost=0,
            rectified_on=RECTIFIED, today=TODAY, actor=ENTERPRISE)
    rectify(file_plan(h))
    assert h.status == "rectified"


def test_regrade_major_to_general_drops_joint_review():
    h = hazard("major")
    h.regrade(level="general", reason="复核为一般隐患", actor=REGULATOR)
    assert h.level == "general" and not h.needs_joint_review


def test_extension_by_the_approver_records_approver_and_previous_deadline():
    h = extend(assigned(), date(2026, 7, 31))
    assert h.deadline == date(2026, 7, 31)
    assert h.extensions == [{"previous": DEADLINE, "deadline": date(2026, 7, 31),
                             "reason": "设备到货延迟", "approver": TOWNSHIP.record(),
                             "requested_on": ASSIGNED_ON, "decided_on": ASSIGNED_ON}]
    assert not h.is_overdue(date(2026, 7, 1))


@pytest.mark.parametrize("status_of", [hazard, assigned, rectified])
def test_withdrawal_of_an_open_hazard(status_of):
    h = status_of()
    h.withdraw(reason="经核实为误报", actor=BUREAU)
    assert h.status == "withdrawn"
    assert h.withdrawal == {"reason": "经核实为误报", "approver": BUREAU.record()}


def test_enforcement_recorded_by_the_regulator_even_after_closure():
    h = review(rectified(), AGENCY)
    h.close(closed_on=CLOSED, today=TODAY, actor=TOWNSHIP)
    h.record_enforcement(kind="fine", document_no="宁应急罚〔2026〕8号", taken_on=TODAY,
                         today=TODAY, actor=REGULATOR)
    assert h.enforcement == [{"kind": "fine", "document_no": "宁应急罚〔2026〕8号",
                              "taken_on": TODAY, "by": REGULATOR.record()}]


def test_reassignment_while_rectifying_replaces_person_and_may_bring_the_deadline_forward():
    h = assigned()
    h.assign_responsibility(responsible_person="李四", deadline=date(2026, 6, 18),
                            assigned_on=date(2026, 6, 5), today=TODAY, actor=ENTERPRISE)
    assert (h.responsible_person, h.deadline) == ("李四", date(2026, 6, 18))


# --- overdue (逾期未整改) ------------------------------------------------------------------
def test_overdue_only_after_the_deadline_day():
    h = assigned()
    assert not h.is_overdue(DEADLINE)
    assert h.is_overdue(date(2026, 6, 21))


def test_reported_rectified_closed_or_withdrawn_are_not_overdue():
    late = date(2026, 12, 31)
    assert not hazard().is_overdue(late)
    assert not rectified().is_overdue(late)
    withdrawn = assigned()
    withdrawn.withdraw(reason="误报", actor=BUREAU)
    assert not withdrawn.is_overdue(late)


# --- a hazard found by an inspection --------------------------------------------------------
def test_hazard_from_an_inspection_carries_inspection_and_agency():
    ent, ag = enterprise(), agency()
    insp = performed_inspection(ent, ag)
    h = Hazard.report(enterprise=ent, inspection=insp, source="inspection",
                      category="management_defect", description="未建立隐患台账",
                      level="general", discovered_on=date(2026, 5, 20), today=TODAY, actor=AGENCY)
    assert (h.inspection_id, h.agency_id) == (str(insp.id), str(ag.id))
    assert (h.enterprise_id, h.township, h.sector) == (str(ent.id), ent.township, ent.sector)


# --- every event records its actor ----------------------------------------------------------
CLERK = Actor("u-42", Role.ENTERPRISE, "安全员 周")
OFFICER = Actor("u-77", Role.TOWNSHIP, "乡镇 吴")


def test_report_records_actor():
    h = hazard(actor=CLERK)
    assert last_actor(h) == {"id": "u-42", "role": "enterprise", "name": "安全员 周"}


@pytest.mark.parametrize("command", [
    lambda h: h.assign_responsibility(responsible_person="王五", deadline=DEADLINE,
                                      assigned_on=ASSIGNED_ON, today=TODAY, actor=OFFICER),
    lambda h: h.regrade(level="major", reason="复核", actor=OFFICER),
    lambda h: h.withdraw(reason="误报", actor=OFFICER),
])
def test_commands_on_a_reported_hazard_record_actor(command):
    h = hazard()
    command(h)
    assert last_actor(h) == {"id": "u-77", "role": "township", "name": "乡镇 吴"}


def test_every_step_of_the_major_path_records_its_actor():
    h = assign(hazard("major"), actor=CLERK)
    assert last_actor(h) == CLERK.record()
    extend(h, date(2026, 7, 1), by=BUREAU, reason="延期")  # a major hazard: the bureau decides
    assert last_actor(h) == BUREAU.record()
    file_plan(h)
    assert last_actor(h) == ENTERPRISE.record()
    rectify(h)
    for party in JOINT_PARTIES:
        review(h, party)
        assert last_actor(h) == party.record()
    file_closure(h)
    assert last_actor(h) == TOWNSHIP.record()
    h.close(closed_on=CLOSED, today=TODAY, actor=BUREAU)
    assert last_actor(h) == {"id": BUREAU.id, "role": "bureau", "name": BUREAU.name}


def test_supervision_and_enforcement_record_actor():
    h = hazard()
    h.list_for_supervision(level="county", document_no="督1号", listed_on=DISCOVERED,
                           today=TODAY, actor=BUREAU)
    assert last_actor(h) == BUREAU.record()
    h.record_enforcement(kind="order_rectification", document_no="责改1号", taken_on=TODAY,
                         today=TODAY, actor=REGULATOR)
    assert last_actor(h) == REGULATOR.record()
