"""Which reminders are due on a day (domain/reminders.py): pure, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.reminders import (EnterpriseFacts, HazardFacts, ReferralFacts, ReminderPolicy, due,
                              kind_label, latest_of_every)

POLICY = ReminderPolicy()
HAZARD = HazardFacts(id="h1", enterprise_id="e1", enterprise_name="宁海县西店五金厂", township="330226011",
                     sector="chem", level="general", supervised=False, description="配电箱未接地",
                     status="assigned", deadline=date(2026, 7, 15), assigned_on=date(2026, 6, 2),
                     responsible_person="王五", responsible_phone="13800000000")


def kinds(reminders) -> list[tuple[str, date]]:
    return [(r.kind, r.day) for r in reminders]


def test_deadline_soon_once_seven_days_before_then_overdue_on_the_first_day_and_weekly() -> None:
    assert due(hazards=[HAZARD], today=date(2026, 7, 7), policy=POLICY) == []
    soon = due(hazards=[HAZARD], today=date(2026, 7, 8), policy=POLICY)
    assert kinds(soon) == [("deadline_soon", date(2026, 7, 8))]
    # every later day before the deadline finds the same (subject, kind, day): stored once
    assert kinds(due(hazards=[HAZARD], today=date(2026, 7, 15), policy=POLICY)) == kinds(soon)
    assert due(hazards=[HAZARD], today=date(2026, 7, 12), policy=POLICY)[0].id == soon[0].id
    assert kinds(due(hazards=[HAZARD], today=date(2026, 7, 16), policy=POLICY)) == [("overdue", date(2026, 7, 16))]
    assert kinds(due(hazards=[HAZARD], today=date(2026, 7, 22), policy=POLICY)) == [("overdue", date(2026, 7, 16))]
    assert kinds(due(hazards=[HAZARD], today=date(2026, 7, 23), policy=POLICY)) == [("overdue", date(2026, 7, 23))]
    assert kinds(due(hazards=[HAZARD], today=date(2026, 8, 1), policy=POLICY)) == [("overdue", date(2026, 7, 30))]


def test_texts_name_the_enterprise_and_the_hazard_never_ids() -> None:
    soon, = due(hazards=[HAZARD], today=date(2026, 7, 9), policy=POLICY)
    assert "宁海县西店五金厂" in soon.text and "配电箱未接地" in soon.text and "2026年7月15日" in soon.text
    assert "h1" not in soon.text and "e1" not in soon.text
    assert (soon.recipient_role, soon.recipient_unit, soon.phone) == ("enterprise", "e1", "13800000000")
    assert kind_label("overdue") == "逾期未整改"


def test_a_rectified_closed_or_unassigned_hazard_raises_nothing() -> None:
    for status in ("rectified", "closed", "withdrawn", "reported"):
        assert due(hazards=[replace(HAZARD, status=status)], today=date(2026, 7, 20), policy=POLICY) == []
    assert due(hazards=[replace(HAZARD, deadline=None)], today=date(2026, 7, 20), policy=POLICY) == []


def test_a_deadline_already_close_at_assignment_is_reminded_on_the_assignment_day() -> None:
    close = replace(HAZARD, assigned_on=date(2026, 7, 12))
    assert kinds(due(hazards=[close], today=date(2026, 7, 13), policy=POLICY)) == [("deadline_soon", date(2026, 7, 12))]


def test_an_extension_request_is_due_to_its_approver_each_working_day_until_decided() -> None:
    pending = replace(HAZARD, deadline=date(2026, 9, 30), extension_requested_on=date(2026, 7, 3))  # a Friday
    assert due(hazards=[pending], today=date(2026, 7, 3), policy=POLICY) == []
    monday = due(hazards=[pending], today=date(2026, 7, 6), policy=POLICY)
    assert kinds(monday) == [("extension_decision_due", date(2026, 7, 6))]
    assert (monday[0].recipient_role, monday[0].recipient_unit) == ("township", "330226011")
    saturday = due(hazards=[pending], today=date(2026, 7, 11), policy=POLICY)
    assert kinds(saturday) == [("extension_decision_due", date(2026, 7, 10))]  # the Friday before
    major = due(hazards=[replace(pending, level="major")], today=date(2026, 7, 6), policy=POLICY)
    assert (major[0].recipient_role, major[0].recipient_unit) == ("bureau", None)
    listed = due(hazards=[replace(pending, supervised=True)], today=date(2026, 7, 6), policy=POLICY)
    assert listed[0].recipient_role == "bureau"
    # a holiday calendar: a day off is no working day
    holiday = due(hazards=[pending], today=date(2026, 7, 6), policy=POLICY,
                  working=lambda d: d.weekday() < 5 and d != date(2026, 7, 6))
    assert holiday == []


REFERRAL = ReferralFacts(id="r1", receiver_kind="sector", receiver="chem", receiver_name="危险化学品行业主管部门",
                         referred_on=date(2026, 7, 1), due_on=date(2026, 7, 20), answered_on=None,
                         hazards=(("宁海县西店五金厂", "配电箱未接地"),), document_no="宁安委办〔2026〕3号")


def test_a_referral_is_due_three_days_before_then_overdue_weekly_until_answered() -> None:
    assert due(referrals=[REFERRAL], today=date(2026, 7, 16), policy=POLICY) == []
    soon = due(referrals=[REFERRAL], today=date(2026, 7, 18), policy=POLICY)
    assert kinds(soon) == [("referral_due", date(2026, 7, 17))]
    assert (soon[0].recipient_role, soon[0].recipient_unit, soon[0].township, soon[0].sector) == \
        ("regulator", "chem", None, "chem")
    assert "配电箱未接地" in soon[0].text and "宁安委办〔2026〕3号" in soon[0].text
    assert kinds(due(referrals=[REFERRAL], today=date(2026, 7, 21), policy=POLICY)) == [("referral_overdue", date(2026, 7, 21))]
    assert kinds(due(referrals=[REFERRAL], today=date(2026, 7, 29), policy=POLICY)) == [("referral_overdue", date(2026, 7, 28))]
    answered = replace(REFERRAL, answered_on=date(2026, 7, 19))
    assert due(referrals=[answered], today=date(2026, 7, 29), policy=POLICY) == []


def test_an_enterprise_without_the_months_self_report_is_reminded_on_the_last_two_days() -> None:
    firm = EnterpriseFacts(id="e1", name="宁海县西店五金厂", township="330226011", sector="chem")
    assert due(enterprises=[firm], today=date(2026, 11, 28), policy=POLICY) == []
    assert kinds(due(enterprises=[firm], today=date(2026, 11, 29), policy=POLICY)) == [("self_report_missing", date(2026, 11, 29))]
    assert kinds(due(enterprises=[firm], today=date(2026, 11, 30), policy=POLICY)) == [("self_report_missing", date(2026, 11, 30))]
    assert kinds(due(enterprises=[firm], today=date(2026, 12, 31), policy=POLICY)) == [("self_report_missing", date(2026, 12, 31))]
    filed = replace(firm, reported_months=frozenset({"2026-11"}))
    assert due(enterprises=[filed], today=date(2026, 11, 30), policy=POLICY) == []


def test_ids_are_the_same_whoever_computes_them_and_differ_by_day() -> None:
    a = due(hazards=[HAZARD], today=date(2026, 7, 16), policy=POLICY)[0]
    b = due(hazards=[HAZARD], today=date(2026, 7, 20), policy=POLICY)[0]
    c = due(hazards=[HAZARD], today=date(2026, 7, 23), policy=POLICY)[0]
    assert a.id == b.id != c.id
    assert latest_of_every(date(2026, 7, 16), 7, date(2026, 7, 15)) is None


def test_policy_limits_are_checked() -> None:
    import pytest
    with pytest.raises(ValueError, match="deadline_soon_days"):
        ReminderPolicy(deadline_soon_days=0)
