"""The subsidy approval chain: 初审 → 审核 → 审定 → 公示 → 拨付, as events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.actor import Actor, Role
from domain.subsidy import ServedEnterprise, SubsidyPolicy, bill
from domain.subsidy_claim import SubsidyClaim

from .conftest import AGENCY, BUREAU, TODAY, TOWNSHIP, refused, rejected

POLICY = SubsidyPolicy(2026, comprehensive=Decimal(200), monthly=Decimal(360))
BILL = bill(POLICY, [ServedEnterprise("e1", True, True), ServedEnterprise("e2", True, False)])


def claim() -> SubsidyClaim:
    return SubsidyClaim.file(agency_id="a1", year=2026, bill=BILL, actor=AGENCY)


def approved() -> SubsidyClaim:
    c = claim()
    c.township_check(passed=True, notes="", on=date(2026, 6, 1), today=TODAY, actor=TOWNSHIP)
    c.bureau_review(passed=True, notes="", on=date(2026, 6, 5), today=TODAY, actor=BUREAU)
    c.finance_approval(passed=True, notes="宁财〔2026〕9号", on=date(2026, 6, 8), today=TODAY, actor=BUREAU)
    return c


def test_a_claim_carries_its_bill_and_walks_the_chain_to_payment():
    c = approved()
    assert (c.total, c.signing_rate, c.factor) == ("560", "0.5000", "1")
    c.publish_notice(start=date(2026, 6, 9), end=date(2026, 6, 16), today=TODAY, actor=BUREAU)
    c.pay(paid_on=date(2026, 6, 20), today=TODAY, actor=BUREAU)
    assert c.status == "paid" and [s["step"] for s in c.steps] == [
        "township_checked", "bureau_reviewed", "finance_approved"]
    assert SubsidyClaim.create_id("a1", 2026) == c.id  # one claim per agency and year


def test_steps_follow_in_order_each_by_its_office():
    c = claim()
    refused(c, "subsidy-approval-order", c.bureau_review, passed=True, notes="", on=TODAY, today=TODAY,
            actor=BUREAU)
    refused(c, "subsidy-step-by-office", c.township_check, passed=True, notes="", on=TODAY, today=TODAY,
            actor=BUREAU)
    refused(c, "subsidy-approval-order", c.pay, paid_on=TODAY, today=TODAY, actor=BUREAU)


def test_a_returned_claim_is_filed_again():
    c = claim()
    refused(c, "subsidy-approval-order", c.refile, bill=BILL, actor=AGENCY)
    rejected(c, "notes", c.township_check, passed=False, notes="", on=TODAY, today=TODAY, actor=TOWNSHIP)
    c.township_check(passed=False, notes="签约数与台账不符", on=TODAY, today=TODAY, actor=TOWNSHIP)
    assert c.status == "returned"
    c.refile(bill=bill(POLICY, [ServedEnterprise("e1", True, True)]), actor=AGENCY)
    assert (c.status, c.total) == ("filed", "360")


def test_notice_lasts_a_week_and_payment_waits_for_its_end():
    c = approved()
    refused(c, "subsidy-notice-period", c.publish_notice, start=date(2026, 6, 9), end=date(2026, 6, 12),
            today=TODAY, actor=BUREAU)
    c.publish_notice(start=date(2026, 6, 9), end=date(2026, 6, 16), today=TODAY, actor=BUREAU)
    refused(c, "subsidy-notice-period", c.pay, paid_on=date(2026, 6, 16), today=TODAY, actor=BUREAU)


def test_dates_follow_the_previous_step():
    c = claim()
    c.township_check(passed=True, notes="", on=date(2026, 6, 10), today=TODAY, actor=TOWNSHIP)
    rejected(c, "on", c.bureau_review, passed=True, notes="", on=date(2026, 6, 1), today=TODAY, actor=BUREAU)
