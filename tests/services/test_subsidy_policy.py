"""The subsidy policy data file (infra/data/subsidy_ninghai.json): amounts per year are data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.subsidy import ServedEnterprise, bill
from infra.subsidy_policy import load_policies, policy_for

POLICIES = load_policies()


def _served(comprehensive: int, monthly_only: int, both: int) -> list[ServedEnterprise]:
    return ([ServedEnterprise(f"c{n}", True, False) for n in range(comprehensive)]
            + [ServedEnterprise(f"m{n}", False, True) for n in range(monthly_only)]
            + [ServedEnterprise(f"b{n}", True, True) for n in range(both)])


def test_2016_is_200_and_360_with_the_thirty_percent_rule():
    policy = POLICIES[2016]
    assert (policy.comprehensive, policy.monthly, policy.full_rate) == (200, 360, Decimal("0.30"))


def test_2014_paid_a_flat_210_and_later_years_keep_the_latest_policy():
    assert bill(POLICIES[2014], _served(0, 3, 0)).total == 630
    assert policy_for(POLICIES, 2019).monthly == 360 and policy_for(POLICIES, 2019).year == 2019
    with pytest.raises(KeyError):
        policy_for(POLICIES, 2013)


