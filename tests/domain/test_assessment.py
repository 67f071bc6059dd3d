"""考评 of townships, regulators and enterprises and the reward fund (issue 15 §6, 003 §五(三)(四))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import AGENCY, BUREAU, refused, rejected
from domain.assessment import (SCORED, GradeThresholds, PartyAssessment, RewardFund, goal_score,
                               share_score, total)
from domain.errors import InvalidValue, RuleViolation

DAY = date(2026, 12, 20)


def test_grades_follow_the_thresholds_given_as_data():
    default = GradeThresholds()
    assert [default.grade(Decimal(x)) for x in (95, 90, 85, 80, 70, 60, 59.9)] == [
        "excellent", "excellent", "good", "good", "pass", "pass", "fail"]
    strict = GradeThresholds(excellent=Decimal(95), good=Decimal(85), passing=Decimal(70))
    assert [strict.grade(Decimal(x)) for x in (94, 84, 69)] == ["good", "pass", "fail"]
    with pytest.raises(ValueError):
        GradeThresholds(excellent=Decimal(50), good=Decimal(80), passing=Decimal(60))


def test_the_total_is_the_mean_of_the_criteria_that_have_a_score():
    assert total({"a": 100, "b": None, "c": Decimal("50")}) == Decimal("75.0")
    assert total({"a": None}) is None
    assert share_score(2, 3) == Decimal("66.7") and share_score(0, 0) is None
    assert goal_score(Decimal("0.025"), Decimal("0.05")) == Decimal("50.0")
    assert goal_score(Decimal("0.2"), Decimal("0.05")) == Decimal(100)


def _score(kind="township", existing=None, actor=BUREAU, scores=None):
    return PartyAssessment.score(kind=kind, assessed="330226001", township="330226001", sector=None,
                                 year=2026, scores=scores or dict.fromkeys(SCORED[kind], 80),
                                 notes="", actor=actor, existing=existing)


def test_the_bureau_scores_each_party_once_a_year_on_its_criteria():
    first = _score()
    assert first.scores == {"agency_management": 80, "progress": 80, "funding": 80}
    with pytest.raises(RuleViolation) as info:
        _score(existing=first)
    assert info.value.rule == "assessment-once-a-year"
    with pytest.raises(RuleViolation) as info:
        _score(actor=AGENCY)
    assert info.value.rule == "assessment-by-bureau" and info.value.about_who
    with pytest.raises(InvalidValue) as bad:
        _score(scores={"agency_management": 80, "progress": 80})
    assert bad.value.field == "scores.funding"
    with pytest.raises(InvalidValue) as bad:
        _score(kind="enterprise", scores={"leadership": 1, "investment": 2, "cooperation": 3, "coverage": 4})
    assert bad.value.field == "scores.coverage"  # a record criterion is never typed


def _fund():
    return RewardFund.establish(year=2026, amount=300000, document_no="西政〔2026〕1号",
                                decided_on=date(2026, 1, 10), actor=BUREAU)


def _award(amount, kind="township", recipient="330226001"):
    return {"kind": kind, "recipient": recipient, "amount": amount, "reason": "隐患排查市场化工作优秀"}


def test_the_reward_fund_is_allocated_within_its_amount():
    fund = _fund()
    fund.allocate(awards=[_award(100000), _award(50000, "enterprise", "e-1")], document_no="西政〔2026〕9号",
                  decided_on=DAY, actor=BUREAU)
    assert fund.allocated == Decimal(150000)
    refused(fund, "reward-fund-within-amount", fund.allocate, awards=[_award(100000), _award(50001)],
            document_no="西政〔2026〕10号", decided_on=DAY, actor=BUREAU)
    fund.allocate(awards=[_award(150000, "agency", "a-1")], document_no="西政〔2026〕11号",
                  decided_on=DAY, actor=BUREAU)
    assert fund.allocated == Decimal(300000)
    refused(fund, "reward-fund-within-amount", fund.allocate, awards=[_award(1)], document_no="x",
            decided_on=DAY, actor=BUREAU)


def test_a_decision_is_recorded_once():
    fund = _fund()
    fund.allocate(awards=[_award(1000)], document_no="西政〔2026〕9号", decided_on=DAY, actor=BUREAU)
    refused(fund, "reward-decision-once", fund.allocate, awards=[_award(1000)],
            document_no="西政〔2026〕9号", decided_on=DAY, actor=BUREAU)


def test_reward_fund_refusals():
    with pytest.raises(RuleViolation) as info:
        RewardFund.establish(year=2026, amount=1, document_no="x", decided_on=DAY, actor=BUREAU,
                             existing=_fund())
    assert info.value.rule == "reward-fund-once-a-year"
    fund = _fund()
    refused(fund, "reward-fund-by-bureau", fund.allocate, awards=[_award(1)], document_no="x",
            decided_on=DAY, actor=AGENCY)
    rejected(fund, "awards.0.kind", fund.allocate, awards=[_award(1, kind="person")], document_no="x",
             decided_on=DAY, actor=BUREAU)
    rejected(fund, "awards.0.amount", fund.allocate, awards=[_award(0)], document_no="x",
             decided_on=DAY, actor=BUREAU)
    rejected(fund, "decided_on", fund.allocate, awards=[_award(1)], document_no="x",
             decided_on=date(2026, 1, 1), actor=BUREAU)
    with pytest.raises(InvalidValue) as bad:
        RewardFund.establish(year=2026, amount=0, document_no="x", decided_on=DAY, actor=BUREAU)
    assert bad.value.field == "amount"
