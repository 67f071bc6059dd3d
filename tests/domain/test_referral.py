"""Referrals (交办): the bureau refers hazards to a township or a sector regulator; the receiver
signs for them, then answers. Pure: the dates are passed in."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from domain.referral import Referral

from .conftest import BUREAU, REGULATOR, TOWNSHIP, TODAY, hazard, refused, rejected

ON = date(2026, 6, 10)
DUE = date(2026, 6, 25)


def referred(*, kind="township", to="330226001", hazards=None, due_on=DUE, actor=BUREAU) -> Referral:
    return Referral.refer(receiver_kind=kind, receiver=to, hazards=hazards or [hazard()],
                          instructions="督促企业限期整改并报告", referred_on=ON, due_on=due_on,
                          today=TODAY, actor=actor, document_no="宁安委办交〔2026〕3号")


def _refused_new(rule: str, **kwargs) -> None:
    with pytest.raises(RuleViolation) as info:
        referred(**kwargs)
    assert info.value.rule == rule


def test_the_bureau_refers_the_township_signs_then_answers():
    h = hazard()
    r = referred(hazards=[h, h])
    assert r.hazard_ids == [str(h.id)]  # a hazard listed twice is referred once
    assert r.hazards[0]["description"] == "储罐区阀门泄漏" and r.hazards[0]["township"] == "330226001"
    assert r.state(date(2026, 6, 25)) == "open" and r.state(date(2026, 6, 26)) == "overdue"
    r.sign_for(actor=TOWNSHIP, unit="330226001", signed_on=date(2026, 6, 11), today=TODAY)
    r.answer_with(actor=TOWNSHIP, unit="330226001", answer="已督促整改完毕", answered_on=date(2026, 6, 20),
                  today=TODAY)
    assert (r.signed_on, r.answered_on, r.answer) == (date(2026, 6, 11), date(2026, 6, 20), "已督促整改完毕")
    assert r.state(date(2026, 7, 30)) == "answered"
    assert [type(e).__name__ for e in r.collect_events()] == ["Referred", "SignedFor", "Answered"]


def test_only_the_bureau_refers():
    for who in (TOWNSHIP, REGULATOR):
        _refused_new("referral-by-bureau", actor=who)


def test_the_due_date_is_not_before_the_referral_date():
    _refused_new("referral-due-after-referral", due_on=date(2026, 6, 9))
    assert referred(due_on=ON).due_on == ON


def test_only_the_receiving_unit_signs_for_and_answers():
    r = referred(kind="sector", to="chem")
    other_sector = Actor("u-r2", Role.REGULATOR, "住建局")
    refused(r, "referral-by-receiver", r.sign_for, actor=TOWNSHIP, unit="330226001", signed_on=ON, today=TODAY)
    refused(r, "referral-by-receiver", r.sign_for, actor=other_sector, unit="construction", signed_on=ON,
            today=TODAY)
    r.sign_for(actor=REGULATOR, unit="chem", signed_on=ON, today=TODAY)
    refused(r, "referral-by-receiver", r.answer_with, actor=BUREAU, unit=None, answer="已办", answered_on=ON,
            today=TODAY)


def test_answer_only_after_signing_for_and_each_once():
    r = referred()
    refused(r, "referral-answer-after-signing", r.answer_with, actor=TOWNSHIP, unit="330226001",
            answer="已办", answered_on=ON, today=TODAY)
    r.sign_for(actor=TOWNSHIP, unit="330226001", signed_on=ON, today=TODAY)
    refused(r, "referral-answer-after-signing", r.sign_for, actor=TOWNSHIP, unit="330226001",
            signed_on=ON, today=TODAY)
    r.answer_with(actor=TOWNSHIP, unit="330226001", answer="已办", answered_on=ON, today=TODAY)
    refused(r, "referral-answer-after-signing", r.answer_with, actor=TOWNSHIP, unit="330226001",
            answer="再办", answered_on=ON, today=TODAY)


def test_bad_values_are_named():
    with pytest.raises(InvalidValue) as info:
        referred(kind="county")
    assert info.value.field == "receiver_kind"
    r = referred()
    rejected(r, "signed_on", r.sign_for, actor=TOWNSHIP, unit="330226001", signed_on=date(2026, 6, 9),
             today=TODAY)
    rejected(r, "signed_on", r.sign_for, actor=TOWNSHIP, unit="330226001", signed_on=date(2026, 7, 1),
             today=TODAY)
    r.sign_for(actor=TOWNSHIP, unit="330226001", signed_on=ON, today=TODAY)
    rejected(r, "answer", r.answer_with, actor=TOWNSHIP, unit="330226001", answer="  ", answered_on=ON,
             today=TODAY)


# --- the joint meeting (联席会) whose decision a referral records (issue 14 §4) ----------------
def test_a_referral_may_record_the_joint_meeting_that_decided_it():
    r = Referral.refer(receiver_kind="sector", receiver="chem", hazards=[hazard()], instructions="会议交办",
                       referred_on=ON, due_on=DUE, today=TODAY, actor=BUREAU, meeting="2026-06")
    assert r.meeting == "2026-06"
    assert referred().meeting is None  # not every referral is a meeting's decision


@pytest.mark.parametrize("meeting", ["2026-13", "2026-6", "六月", "2026-06-01", "1989-12", "2027-01"])
def test_the_meeting_month_is_a_real_month_not_in_the_future(meeting):
    with pytest.raises(InvalidValue) as info:
        Referral.refer(receiver_kind="township", receiver="330226001", hazards=[hazard()],
                       instructions="会议交办", referred_on=ON, due_on=DUE, today=TODAY, actor=BUREAU,
                       meeting=meeting)
    assert info.value.field == "meeting"


def test_a_referral_stored_before_the_meeting_field_replays_without_one():
    r = Referral.refer(receiver_kind="township", receiver="330226001", hazards=[hazard()],
                       instructions="会议交办", referred_on=ON, due_on=DUE, today=TODAY, actor=BUREAU,
                       meeting="2026-06")
    [created] = r.collect_events()
    del created.__dict__["meeting"]  # as an event stored before issue 14 §4 reads back
    again = created.mutate(None)
    assert again.meeting is None and again.instructions == "会议交办"
