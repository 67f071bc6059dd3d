"""Every hazard rule refuses the command with its code and leaves the hazard unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import (ADMIN, AGENCY, extend, file_closure, AUDITOR, BUREAU, CLOSED, DISCOVERED, ENTERPRISE, PLAN, REGULATOR,
                      REVIEWED, TODAY, TOWNSHIP, agency, assign, assigned, enterprise,
                      hazard, joint_review, performed_inspection, ready_to_close_major,
                      rectified, refused, review, scheduled_inspection)
from domain.errors import RuleViolation
from domain.hazard import Hazard


def closed_general() -> Hazard:
    h = review(rectified(), AGENCY)
    h.close(closed_on=CLOSED, today=TODAY, actor=TOWNSHIP)
    return h


def withdrawn() -> Hazard:
    h = hazard()
    h.withdraw(reason="误报", actor=TOWNSHIP)
    return h


# --- hazard-not-open ------------------------------------------------------------------------
@pytest.mark.parametrize("make", [closed_general, withdrawn])
def test_closed_or_withdrawn_hazard_cannot_be_assigned(make):
    h = make()
    refused(h, "hazard-not-open", h.assign_responsibility, responsible_person="李四",
            deadline=date(2026, 7, 1), assigned_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_closed_hazard_cannot_be_withdrawn_or_regraded():
    h = closed_general()
    refused(h, "hazard-not-open", h.withdraw, reason="误报", actor=BUREAU)
    refused(h, "hazard-not-open", h.regrade, level="major", reason="复核", actor=BUREAU)
    refused(h, "hazard-not-open", h.close, closed_on=TODAY, today=TODAY, actor=TOWNSHIP)


def test_withdrawn_hazard_takes_no_enforcement():
    h = withdrawn()
    refused(h, "hazard-not-open", h.record_enforcement, kind="fine", document_no="罚字1号",
            taken_on=TODAY, today=TODAY, actor=REGULATOR)


def test_withdrawn_hazard_cannot_be_listed_or_reviewed():
    h = withdrawn()
    refused(h, "hazard-not-open", h.list_for_supervision, level="county", document_no="督1号",
            listed_on=TODAY, today=TODAY, actor=BUREAU)
    refused(h, "hazard-not-open", h.review_rectification, passed=True, notes="", reviewed_on=TODAY,
            today=TODAY, actor=AGENCY)


# --- responsibility -------------------------------------------------------------------------
def test_assign_refused_once_rectified():
    h = rectified()
    refused(h, "assign-status", h.assign_responsibility, responsible_person="李四",
            deadline=date(2026, 7, 1), assigned_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_deadline_cannot_precede_discovery():
    h = hazard()
    refused(h, "deadline-before-discovery", h.assign_responsibility, responsible_person="张三",
            deadline=date(2026, 5, 31), assigned_on=DISCOVERED, today=TODAY, actor=ENTERPRISE)


def test_deadline_on_discovery_day_is_accepted():
    h = assign(hazard(), deadline=DISCOVERED)
    assert h.deadline == DISCOVERED


# --- plan and rectification -----------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: hazard("major"), lambda: rectified("major")])
def test_plan_needs_assigned_status(make):
    h = make()
    refused(h, "plan-requires-responsibility", h.file_rectification_plan, parts=PLAN,
            filed_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_rectification_needs_responsibility():
    h = hazard()
    refused(h, "rectify-requires-responsibility", h.report_rectification, evidence=["a.jpg"],
            cost=0, rectified_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_rectification_cannot_be_reported_twice():
    h = rectified()
    refused(h, "rectify-requires-responsibility", h.report_rectification, evidence=["a.jpg"],
            cost=0, rectified_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_major_hazard_needs_plan_before_rectification():
    h = assigned("major")
    refused(h, "major-hazard-needs-plan", h.report_rectification, evidence=["a.jpg"], cost=0,
            rectified_on=TODAY, today=TODAY, actor=ENTERPRISE)


def test_rectification_needs_evidence():
    h = assigned()
    refused(h, "rectification-needs-evidence", h.report_rectification, evidence=[], cost=0,
            rectified_on=TODAY, today=TODAY, actor=ENTERPRISE)


# --- review ---------------------------------------------------------------------------------
def test_review_needs_reported_rectification():
    h = assigned()
    refused(h, "review-requires-rectification", h.review_rectification, passed=True, notes="",
            reviewed_on=TODAY, today=TODAY, actor=AGENCY)


def test_enterprise_cannot_review_its_own_general_hazard():
    h = rectified()
    refused(h, "no-self-review", h.review_rectification, passed=True, notes="自查合格",
            reviewed_on=REVIEWED, today=TODAY, actor=ENTERPRISE)


@pytest.mark.parametrize("actor", [BUREAU, ENTERPRISE, AUDITOR])
def test_joint_review_only_by_the_three_parties(actor):
    h = rectified("major")
    refused(h, "joint-review-parties", h.review_rectification, passed=True, notes="",
            reviewed_on=REVIEWED, today=TODAY, actor=actor)


def test_a_party_signs_the_joint_review_once():
    h = review(rectified("major"), TOWNSHIP)
    refused(h, "joint-review-signed-once", h.review_rectification, passed=True, notes="再签",
            reviewed_on=REVIEWED, today=TODAY, actor=TOWNSHIP)


# --- closure report and close ---------------------------------------------------------------
def test_closure_report_waits_for_all_three_signatures():
    h = joint_review(rectified("major"), parties=(TOWNSHIP, REGULATOR))
    err = refused(h, "closure-report-after-joint-review", h.file_closure_report,
                  document_no="销1号", filed_on=REVIEWED, today=TODAY, actor=TOWNSHIP)
    assert "中介机构" in err.message  # names the missing party


def test_closure_report_is_for_major_or_supervised_only():
    h = review(rectified(), AGENCY)
    refused(h, "closure-report-major-only", h.file_closure_report, document_no="销1号",
            filed_on=REVIEWED, today=TODAY, actor=TOWNSHIP)


@pytest.mark.parametrize("make", [hazard, assigned, rectified])
def test_close_needs_a_passed_review(make):
    h = make()
    refused(h, "close-requires-passed-review", h.close, closed_on=TODAY, today=TODAY,
            actor=TOWNSHIP)


def test_close_major_needs_all_three_signatures():
    h = joint_review(rectified("major"), parties=(TOWNSHIP, AGENCY))
    err = refused(h, "close-requires-joint-review", h.close, closed_on=TODAY, today=TODAY,
                  actor=TOWNSHIP)
    assert "行业主管部门" in err.message


def test_close_major_needs_closure_report():
    h = joint_review(rectified("major"))
    refused(h, "close-requires-closure-report", h.close, closed_on=TODAY, today=TODAY,
            actor=TOWNSHIP)


# --- regrade, extension, withdrawal ---------------------------------------------------------
def test_regrade_refused_after_rectification():
    h = rectified()
    refused(h, "regrade-before-rectification", h.regrade, level="major", reason="复核",
            actor=BUREAU)


def test_regrade_must_change_the_level():
    h = hazard("general")
    refused(h, "regrade-changes-level", h.regrade, level="general", reason="复核", actor=BUREAU)


@pytest.mark.parametrize("make", [hazard, rectified])
def test_extension_needs_a_running_deadline(make):
    h = make()
    refused(h, "extend-requires-deadline", extend, h=h, deadline=date(2026, 8, 1))


@pytest.mark.parametrize("deadline", [date(2026, 6, 20), date(2026, 6, 19)])
def test_extension_must_move_the_deadline_later(deadline):
    h = assigned()
    refused(h, "extension-moves-later", extend, h=h, deadline=deadline, reason="延期")


@pytest.mark.parametrize("actor", [ENTERPRISE, AGENCY, AUDITOR, REGULATOR, BUREAU])
def test_extension_decided_by_the_approver_the_policy_names_only(actor):
    """issue 14 §2: a general hazard's extension is the township's decision (extension-approver)."""
    h = assigned()
    refused(h, "extension-approver", extend, h=h, deadline=date(2026, 8, 1), by=actor)


def test_withdrawal_approved_by_government_only():
    h = assigned()
    refused(h, "government-approver", h.withdraw, reason="误报", actor=ENTERPRISE)


@pytest.mark.parametrize("actor", [ENTERPRISE, AGENCY])
def test_withdrawal_approved_by_government_only(actor):
    h = hazard()
    refused(h, "government-approver", h.withdraw, reason="误报", actor=actor)


# --- enforcement and supervision ------------------------------------------------------------
@pytest.mark.parametrize("actor", [BUREAU, TOWNSHIP, AGENCY])
def test_enforcement_only_by_the_regulator(actor):
    h = assigned("major")
    refused(h, "enforcement-by-regulator", h.record_enforcement, kind="suspend",
            document_no="责改1号", taken_on=TODAY, today=TODAY, actor=actor)


@pytest.mark.parametrize("actor", [TOWNSHIP, REGULATOR])
def test_supervision_decided_by_the_bureau(actor):
    h = hazard()
    refused(h, "supervision-by-bureau", h.list_for_supervision, level="county",
            document_no="督1号", listed_on=TODAY, today=TODAY, actor=actor)


def test_supervision_listed_once():
    h = hazard()
    h.list_for_supervision(level="county", document_no="督1号", listed_on=TODAY, today=TODAY,
                           actor=BUREAU)
    refused(h, "supervision-once", h.list_for_supervision, level="city", document_no="督2号",
            listed_on=TODAY, today=TODAY, actor=BUREAU)


# --- a hazard from an inspection ------------------------------------------------------------
def _report_from(inspection, ent):
    return Hazard.report(enterprise=ent, inspection=inspection, source="inspection",
                         category="unsafe_condition", description="消防通道堵塞", level="general",
                         discovered_on=date(2026, 5, 20), today=TODAY, actor=AGENCY)


def test_inspection_hazard_needs_a_performed_inspection():
    ent, ag = enterprise(), agency()
    insp = scheduled_inspection(ent, ag)
    with pytest.raises(RuleViolation) as info:
        _report_from(insp, ent)
    assert info.value.rule == "inspection-hazard-needs-performed-inspection"


def test_inspection_hazard_needs_the_enterprise_s_own_inspection():
    ag = agency()
    insp = performed_inspection(enterprise(), ag)
    before = insp.version
    with pytest.raises(RuleViolation) as info:
        _report_from(insp, enterprise())
    assert info.value.rule == "inspection-hazard-needs-performed-inspection"
    assert insp.version == before


def test_a_refused_command_leaves_the_ready_major_hazard_untouched():
    h = ready_to_close_major()
    refused(h, "joint-review-signed-once", h.review_rectification, passed=False, notes="",
            reviewed_on=REVIEWED, today=TODAY, actor=REGULATOR)
    assert h.joint_review_complete


# --- regressions: bugs found and fixed in the domain ------------------------------------------


@pytest.mark.parametrize("make", [closed_general, withdrawn])
def test_joint_review_signature_refused_on_a_finished_hazard(make):
    h = make()
    refused(h, "hazard-not-open", h.sign_joint_review, passed=False, notes="", reviewed_on=TODAY,
            actor=TOWNSHIP)


def test_joint_review_signature_refused_before_rectification():
    h = assigned("major")
    refused(h, "review-requires-rectification", h.sign_joint_review, passed=True, notes="",
            reviewed_on=TODAY, actor=TOWNSHIP)


# --- who may regrade, reassign, review ---------------------------------------------------------
def test_an_enterprise_cannot_downgrade_its_own_major_hazard():
    h = assigned("major")
    refused(h, "regrade-by-authority", h.regrade, level="general", reason="自认为不重大",
            actor=ENTERPRISE)


def test_reassignment_cannot_postpone_the_deadline_without_an_approved_extension():
    h = assigned()
    refused(h, "reassign-keeps-deadline", h.assign_responsibility, responsible_person="李四",
            deadline=date(2026, 6, 25), assigned_on=date(2026, 6, 5), today=TODAY, actor=ENTERPRISE)
    extend(h, date(2026, 6, 25))
    assert h.deadline == date(2026, 6, 25)


@pytest.mark.parametrize("who", [AUDITOR, ADMIN])
def test_only_a_unit_reviews_a_general_hazard(who):
    h = rectified()
    refused(h, "no-self-review", h.review_rectification, passed=True, notes="", reviewed_on=REVIEWED,
            today=TODAY, actor=who)


def test_a_passed_review_is_not_reviewed_again():
    h = review(rectified(), TOWNSHIP)
    refused(h, "review-requires-rectification", h.review_rectification, passed=False, notes="",
            reviewed_on=REVIEWED, today=TODAY, actor=AGENCY)


def test_the_closure_report_is_filed_once():
    h = file_closure(joint_review(rectified("major")))
    refused(h, "closure-report-after-joint-review", h.file_closure_report, document_no="销2号",
            filed_on=TODAY, today=TODAY, actor=TOWNSHIP)
