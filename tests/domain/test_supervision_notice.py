"""挂牌督办通知书 (issue 14 §1) and 延期 as a decision on a paper application (§2): the paperwork's
steps and deadlines, every refusal (rule code, nothing changed), cancellation, old events."""

from __future__ import annotations

from datetime import date

import pytest

from domain.hazard import Hazard
from domain.supervision_notice import deadlines

from .conftest import (AGENCY, ASSIGNED_ON, BUREAU, DISCOVERED, ENTERPRISE, REGULATOR, TODAY,
                       TOWNSHIP, assign, assigned, extend, hazard, rectified, refused, rejected)
from .test_working_days import CALENDAR

ISSUED, SERVED, SIGNED = date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 10)
NOTICE = dict(level="county", government="宁海县人民政府", department="宁海县应急管理局",
              document_no="宁政督〔2026〕第3号", finish_days=30, plan_days=15, signatory="王县长")


def issue(h: Hazard, on: date = ISSUED, actor=BUREAU, **overrides) -> Hazard:
    h.issue_listing(**{**NOTICE, **overrides}, issued_on=on, today=TODAY, actor=actor)
    return h


def serve(h: Hazard, on: date = SERVED, actor=BUREAU) -> Hazard:
    h.serve_listing(served_by="县应急管理局 李四", served_on=on, today=TODAY, actor=actor)
    return h


def sign(h: Hazard, on: date = SIGNED, actor=ENTERPRISE) -> Hazard:
    h.sign_listing(signed_by="企业负责人 赵六", signed_on=on, today=TODAY, actor=actor)
    return h


def cancel(h: Hazard, on: date = date(2026, 6, 20), actor=BUREAU) -> Hazard:
    h.cancel_listing(reason="经复核不属于挂牌督办范围", document_no="宁政督撤〔2026〕第1号",
                     cancelled_on=on, today=TODAY, actor=actor)
    return h


def old_listing(h: Hazard) -> Hazard:
    h.list_for_supervision(level="county", document_no="督1号", listed_on=ISSUED, today=TODAY, actor=BUREAU)
    return h


# --- the paperwork, step by step -----------------------------------------------------------
def test_issue_serve_sign_keeps_the_paperwork_and_runs_the_deadlines_from_signing():
    h = issue(assigned())
    assert h.listing["state"] == "issued" and h.needs_joint_review
    assert h.supervision == {"level": "county", "document_no": "宁政督〔2026〕第3号", "listed_on": ISSUED}
    assert h.extension_approver == "bureau"
    serve(h)
    assert (h.listing["state"], h.listing["served_on"], h.listing["served_by"]) == (
        "served", SERVED, "县应急管理局 李四")
    sign(h)
    assert h.listing["state"] == "signed" and h.listing["channel"] == "online"
    assert (h.listing["finish_by"], h.listing["plan_by"]) == (date(2026, 7, 10), date(2026, 6, 25))
    event = h.pending_events[-1]
    assert type(event).__name__ == "ListingSigned"
    assert (event.finish_by, event.plan_by, event.signed_by) == (date(2026, 7, 10), date(2026, 6, 25),
                                                                 "企业负责人 赵六")


@pytest.mark.parametrize("signed_on, finish, plan, finish_by, plan_by", [
    (date(2026, 6, 10), 30, 15, date(2026, 7, 10), date(2026, 6, 25)),  # the day of 签收 not counted
    (date(2026, 1, 31), 1, 1, date(2026, 2, 1), date(2026, 2, 1)),
    (date(2026, 12, 20), 90, 30, date(2027, 3, 20), date(2027, 1, 19)),  # across a year
    (date(2028, 2, 28), 1, 1, date(2028, 2, 29), date(2028, 2, 29)),     # a leap day
])
def test_deadline_arithmetic_counts_calendar_days_from_signing(signed_on, finish, plan, finish_by, plan_by):
    assert deadlines(signed_on, finish, plan) == (finish_by, plan_by)


def test_the_bureau_records_a_paper_receipt():
    h = sign(serve(issue(assigned())), actor=BUREAU)
    assert h.listing["channel"] == "paper" and h.pending_events[-1].channel == "paper"


def test_a_replay_keeps_the_stored_deadlines_and_never_recomputes_them():
    """The deadlines are the event's: a replay applies what was stored."""
    h = serve(issue(assigned()))
    h.trigger_event(Hazard.ListingSigned, signed_by="赵六", signed_on=SIGNED, channel="online",
                    finish_by=date(2026, 12, 31), plan_by=date(2026, 8, 1), actor=ENTERPRISE.record())
    replayed = _replay(h)
    assert (replayed.listing["finish_by"], replayed.listing["plan_by"]) == (date(2026, 12, 31), date(2026, 8, 1))


# --- order and who (each refusal changes nothing) ------------------------------------------
@pytest.mark.parametrize("actor", [TOWNSHIP, REGULATOR, AGENCY, ENTERPRISE])
def test_only_the_bureau_issues_serves_and_cancels(actor):
    h = assigned()
    refused(h, "listing-by-bureau", issue, h=h, actor=actor)
    issue(h)
    refused(h, "listing-by-bureau", serve, h=h, actor=actor)
    refused(h, "listing-by-bureau", cancel, h=h, actor=actor)


@pytest.mark.parametrize("actor", [TOWNSHIP, REGULATOR, AGENCY])
def test_only_the_enterprise_or_the_bureau_records_signing(actor):
    h = serve(issue(assigned()))
    refused(h, "listing-signed-by-enterprise", sign, h=h, actor=actor)


def test_serve_only_an_issued_notice_and_once():
    h = assigned()
    refused(h, "listing-serve-after-issue", serve, h=h)
    serve(issue(h))
    refused(h, "listing-serve-after-issue", serve, h=h)
    old = old_listing(assigned())
    refused(old, "listing-serve-after-issue", serve, h=old)  # an old listing has no paperwork


def test_sign_only_a_served_notice_and_once():
    h = issue(assigned())
    refused(h, "listing-sign-after-serve", sign, h=h)
    sign(serve(h))
    refused(h, "listing-sign-after-serve", sign, h=h)


@pytest.mark.parametrize("listed", [lambda h: issue(h), lambda h: sign(serve(issue(h))), old_listing])
def test_no_second_notice_or_old_listing_while_one_is_in_force(listed):
    h = listed(assigned())
    refused(h, "supervision-once", issue, h=h, document_no="宁政督〔2026〕第4号")
    refused(h, "supervision-once", h.list_for_supervision, level="city", document_no="督2号",
            listed_on=TODAY, today=TODAY, actor=BUREAU)


def test_cancel_only_a_listing_in_force():
    h = assigned()
    refused(h, "listing-cancel-in-force", cancel, h=h)
    cancel(issue(h))
    refused(h, "listing-cancel-in-force", cancel, h=h)


def test_no_cancellation_once_rectification_is_reported():
    h = issue(hazard())
    assign(h)
    h.report_rectification(evidence=["after.jpg"], cost="100", rectified_on=date(2026, 6, 10),
                           today=TODAY, actor=ENTERPRISE)
    refused(h, "listing-cancel-before-rectification", cancel, h=h)


def test_no_notice_once_rectification_is_reported():
    h = rectified()
    refused(h, "listing-issue-before-rectification", issue, h=h)


def test_a_closed_or_withdrawn_hazard_takes_no_paperwork():
    h = hazard()
    h.withdraw(reason="误报", actor=TOWNSHIP)
    refused(h, "hazard-not-open", issue, h=h)


# --- values and dates (422 naming the field, nothing changed) -------------------------------
@pytest.mark.parametrize("field, overrides", [
    ("finish_days", {"finish_days": 0}), ("finish_days", {"finish_days": 1096}),
    ("finish_days", {"finish_days": True}), ("plan_days", {"plan_days": -1}),
    ("plan_days", {"plan_days": 31}), ("level", {"level": "village"}),
    ("government", {"government": "  "}), ("department", {"department": "x" * 101}),
    ("document_no", {"document_no": "文\x00号"}), ("signatory", {"signatory": ""}),
])
def test_notice_values_are_checked(field, overrides):
    h = assigned()
    rejected(h, field, issue, h=h, **overrides)


def test_step_dates_neither_in_the_future_nor_before_the_previous_step():
    h = assigned()
    rejected(h, "issued_on", issue, h=h, on=date(2026, 7, 1))
    rejected(h, "issued_on", issue, h=h, on=date(2026, 5, 31))  # before discovery
    issue(h)
    rejected(h, "served_on", serve, h=h, on=date(2026, 6, 4))
    rejected(h, "served_on", serve, h=h, on=date(2026, 7, 1))
    serve(h)
    rejected(h, "signed_on", sign, h=h, on=date(2026, 6, 7))
    rejected(h, "signed_on", sign, h=h, on=date(2026, 7, 1))
    sign(h)
    rejected(h, "cancelled_on", cancel, h=h, on=date(2026, 6, 9))
    rejected(h, "cancelled_on", cancel, h=h, on=date(2026, 7, 1))


# --- cancellation -------------------------------------------------------------------------
def test_cancellation_ends_supervision_for_joint_review_and_the_extension_approver():
    h = cancel(sign(serve(issue(assigned()))))
    assert h.listing["state"] == "cancelled" and h.supervision is None
    assert h.listing["cancellation"] == {"reason": "经复核不属于挂牌督办范围",
                                         "document_no": "宁政督撤〔2026〕第1号", "cancelled_on": date(2026, 6, 20)}
    assert not h.needs_joint_review and h.extension_approver == "township"
    assert h.listing["finish_by"] == date(2026, 7, 10)  # the paperwork stays readable


def test_a_major_hazard_still_needs_joint_review_after_cancellation():
    h = cancel(issue(assigned("major")))
    assert h.needs_joint_review and h.extension_approver == "bureau"


def test_an_old_listing_can_be_cancelled_and_a_new_notice_issued_after_a_cancellation():
    h = cancel(old_listing(assigned()))
    assert h.supervision is None
    issue(h, on=date(2026, 6, 21), document_no="宁政督〔2026〕第9号")
    assert h.listing["state"] == "issued" and h.listing["served_on"] is None and h.needs_joint_review


def test_old_listed_for_supervision_reads_as_an_old_listing():
    h = _replay(old_listing(assigned()))
    assert h.listing["state"] == "listed" and h.supervision["document_no"] == "督1号"
    assert h.needs_joint_review


# --- 延期 on a paper application (issue 14 §2) ----------------------------------------------
NOTICE_DEADLINE, LATEST = date(2026, 10, 20), date(2026, 9, 22)  # 15 working days (test_extension_requests)


def _paper(h: Hazard, on: date = LATEST, by=TOWNSHIP, **overrides) -> Hazard:
    kwargs = dict(requested_on=on, decided_on=on, today=date(2026, 9, 30), min_working_days=15,
                  interim_controls="停用储罐区", by=by)
    return extend(h, date(2026, 11, 30), **{**kwargs, **overrides})


def test_a_paper_application_is_recorded_as_a_request_and_its_approval_in_one_step():
    h = _paper(assign(hazard(), deadline=NOTICE_DEADLINE))
    requested, decided = h.pending_events[-2:]
    assert type(requested).__name__ == "ExtensionRequested" and requested.channel == "paper"
    assert requested.actor == TOWNSHIP.record() and requested.requested_on == LATEST
    assert type(decided).__name__ == "ExtensionDecided" and decided.approved
    assert h.deadline == date(2026, 11, 30) and h.extension_request is None
    assert not any(type(e).__name__ == "DeadlineExtended" for e in h.pending_events)


def test_the_notice_rule_applies_to_paper_applications():
    h = assign(hazard(), deadline=NOTICE_DEADLINE)
    refused(h, "extension-request-notice", _paper, h=h, on=date(2026, 9, 23))


def test_a_listed_hazard_is_extended_by_the_bureau_only():
    h = issue(assign(hazard(), deadline=NOTICE_DEADLINE))
    refused(h, "extension-approver", _paper, h=h, by=TOWNSHIP)
    _paper(h, by=BUREAU)
    assert h.deadline == date(2026, 11, 30)


def test_a_pending_online_request_is_decided_not_overtaken_by_paper():
    h = assign(hazard(), deadline=NOTICE_DEADLINE)
    h.request_extension(new_deadline=date(2026, 11, 15), reason="到货延迟", interim_controls="停用",
                        requested_on=LATEST, today=LATEST, calendar=CALENDAR, min_working_days=15,
                        actor=ENTERPRISE)
    refused(h, "extension-request-pending", _paper, h=h)


def test_paper_dates_are_checked():
    h = assign(hazard(), deadline=NOTICE_DEADLINE)
    rejected(h, "requested_on", _paper, h=h, on=date(2026, 6, 1), min_working_days=0)  # before assignment
    rejected(h, "decided_on", _paper, h=h, decided_on=date(2026, 9, 21))
    rejected(h, "decided_on", _paper, h=h, decided_on=date(2026, 10, 1))  # after today


def test_interim_controls_are_optional_on_paper_but_not_online():
    h = _paper(assign(hazard(), deadline=NOTICE_DEADLINE), interim_controls="")
    assert h.extensions[-1]["deadline"] == date(2026, 11, 30)
    online = assign(hazard(), deadline=NOTICE_DEADLINE)
    rejected(online, "interim_controls", online.request_extension, new_deadline=date(2026, 11, 15),
             reason="到货延迟", interim_controls="", requested_on=LATEST, today=LATEST,
             calendar=CALENDAR, min_working_days=15, actor=ENTERPRISE)


def test_a_stored_deadline_extended_still_moves_the_deadline_on_replay():
    """Old direct extensions (before issue 14): no command writes them; stored ones still apply."""
    h = assigned()
    h.trigger_event(Hazard.DeadlineExtended, previous=h.deadline, deadline=date(2026, 7, 31),
                    reason="设备到货延迟", actor=TOWNSHIP.record())
    replayed = _replay(h)
    assert replayed.deadline == date(2026, 7, 31)
    assert replayed.extensions[-1]["approver"] == TOWNSHIP.record()
    assert not hasattr(replayed, "extend_deadline")


def _replay(h: Hazard) -> Hazard:
    replayed = None
    for event in h.collect_events():
        replayed = event.mutate(replayed)
    assert replayed.discovered_on == DISCOVERED and replayed.assigned_on in (None, ASSIGNED_ON)
    return replayed


def test_a_stored_request_without_channel_reads_as_online():
    """Requests stored before `channel` existed replay as online applications."""
    h = assign(hazard(), deadline=NOTICE_DEADLINE)
    h.request_extension(new_deadline=date(2026, 11, 15), reason="到货延迟", interim_controls="停用",
                        requested_on=LATEST, today=LATEST, calendar=CALENDAR, min_working_days=15,
                        actor=ENTERPRISE)
    h.pending_events[-1].__dict__.pop("channel")  # as stored before issue 14 §2's paper extend
    assert _replay(h).extension_request["channel"] == "online"
