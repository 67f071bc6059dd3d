"""Ninghai's subsidy rules (004 §三) as policy data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.subsidy import ServedEnterprise, SubsidyPolicy, bill, planned_budget
Y2016 = SubsidyPolicy(2016, comprehensive=Decimal(200), monthly=Decimal(360))  # Ninghai, 004 §三


def _served(comprehensive: int, monthly_only: int, both: int) -> list[ServedEnterprise]:
    return ([ServedEnterprise(f"c{n}", True, False) for n in range(comprehensive)]
            + [ServedEnterprise(f"m{n}", False, True) for n in range(monthly_only)]
            + [ServedEnterprise(f"b{n}", True, True) for n in range(both)])


def test_ninghai_2016_budget_is_700_000_yuan():
    """2,200 comprehensive (440,000) and 1,000 monthly (360,000), of which the 500 newly signed
    firms had the comprehensive subsidy and get only the difference: 800,000 − 100,000."""
    assert Y2016.comprehensive * 2200 == 440_000 and Y2016.monthly * 1000 == 360_000
    assert planned_budget(Y2016, comprehensive=2200, monthly=1000, monthly_after_comprehensive=500) == 700_000


def test_the_same_year_paid_by_the_rules_when_every_agency_signs_enough():
    # one agency: 600 inspected, 500 of them signed (83%), 500 renewals → full rate
    owed = bill(Y2016, _served(comprehensive=100, monthly_only=500, both=500))
    assert owed.factor == 1 and owed.comprehensive_total == 120_000
    assert owed.monthly_total == 500 * 160 + 500 * 360


def test_the_signing_rate_cuts_the_comprehensive_subsidy_per_started_band():
    assert [Y2016.comprehensive_factor(Decimal(r)) for r in ("0.30", "0.29", "0.20", "0.199", "0", "0.95")] \
        == [1, Decimal("0.9"), Decimal("0.9"), Decimal("0.8"), Decimal("0.7"), 1]
    full_bands = SubsidyPolicy(**{**vars(Y2016), "rounding": "full"})
    assert [full_bands.comprehensive_factor(Decimal(r)) for r in ("0.29", "0.199", "0")] \
        == [1, Decimal("0.9"), Decimal("0.7")]


def test_the_county_plan_with_only_500_of_2200_signing_is_cut_by_ten_percent():
    owed = bill(Y2016, _served(comprehensive=1700, monthly_only=500, both=500))
    assert owed.signing_rate == Decimal(500) / 2200 and owed.factor == Decimal("0.9")
    assert owed.comprehensive_total == 2200 * 180
    assert owed.monthly_total == 500 * (360 - 180) + 500 * 360
    assert owed.total == 666_000


def test_once_a_year_per_enterprise():
    twice = [ServedEnterprise("e1", True, False), ServedEnterprise("e1", True, True)]
    owed = bill(Y2016, twice)
    assert len(owed.lines) == 1 and owed.total == 360


def test_bad_policy_data_is_refused():
    with pytest.raises(InvalidValue):
        SubsidyPolicy(2016, Decimal(200), Decimal(360), rounding="sideways")
    with pytest.raises(InvalidValue):
        planned_budget(Y2016, comprehensive=10, monthly=5, monthly_after_comprehensive=6)
