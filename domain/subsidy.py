"""Subsidies (补贴) the county pays agencies for inspecting small and micro firms, 004 §三.

Ninghai's rules, as policy data (amounts and rates are parameters, never code):
- comprehensive inspection (全面排查): per enterprise per year, once a year;
- monthly-contract service (按月服务外包): per enterprise per year, once a year; where the
  enterprise's comprehensive subsidy was already paid that year, only the difference (差额补贴);
- the comprehensive subsidy is paid in full where the agency's post-inspection signing rate
  (全面排查后签约率) is at least 30%, and 10% less for each 10 points below.
  Rounding of the reduction (a policy parameter): "started" — every started band of 10 points
  below counts (29% → 90%, 19.9% → 80%), which keeps "30% or more is paid in full" exact;
  "full" — only whole bands count (29% → 100%, 19.9% → 90%).
Amounts are whole yuan; a reduced amount is rounded half up to the yuan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidValue


@dataclass(frozen=True)
class SubsidyPolicy:
    year: int
    comprehensive: Decimal          # 全面排查补贴, per enterprise per year
    monthly: Decimal                # 按月服务补贴, per enterprise per year
    difference_rule: bool = True    # 已享受全面排查补贴的，差额补贴
    full_rate: Decimal = Decimal("0.30")   # signing rate that earns the full comprehensive subsidy
    band: Decimal = Decimal("0.10")        # width of a band below it
    cut_per_band: Decimal = Decimal("0.10")  # share withheld per band
    rounding: str = "started"       # "started" or "full" bands

    def __post_init__(self) -> None:
        if self.rounding not in ("started", "full"):
            raise InvalidValue("rounding", "须为 started 或 full")
        if self.comprehensive < 0 or self.monthly < 0:
            raise InvalidValue("amount", "补贴金额不能为负")

    def comprehensive_factor(self, signing_rate: Decimal) -> Decimal:
        """Share of the comprehensive subsidy paid at this signing rate."""
        if signing_rate >= self.full_rate:
            return Decimal(1)
        bands = (self.full_rate - signing_rate) / self.band
        steps = math.ceil(bands) if self.rounding == "started" else math.floor(bands)
        return max(Decimal(0), Decimal(1) - self.cut_per_band * steps)


@dataclass(frozen=True)
class ServedEnterprise:
    """What an agency did for one enterprise in the year."""

    enterprise_id: str
    comprehensive: bool   # performed the planned comprehensive inspection
    monthly: bool         # held a monthly-inspection contract and reported monthly


@dataclass(frozen=True)
class SubsidyLine:
    enterprise_id: str
    comprehensive: Decimal
    monthly: Decimal

    @property
    def total(self) -> Decimal:
        return self.comprehensive + self.monthly


@dataclass(frozen=True)
class SubsidyBill:
    """What one agency is owed for one year (before approval)."""

    year: int
    signing_rate: Decimal
    factor: Decimal
    lines: tuple[SubsidyLine, ...]

    @property
    def comprehensive_total(self) -> Decimal:
        return sum((line.comprehensive for line in self.lines), Decimal(0))

    @property
    def monthly_total(self) -> Decimal:
        return sum((line.monthly for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.comprehensive_total + self.monthly_total


def signing_rate(served: Iterable[ServedEnterprise]) -> Decimal:
    """全面排查后签约率: of the enterprises comprehensively inspected, the share that signed a
    monthly contract (1 where none were inspected, so no reduction applies)."""
    inspected = [s for s in served if s.comprehensive]
    if not inspected:
        return Decimal(1)
    return Decimal(sum(1 for s in inspected if s.monthly)) / Decimal(len(inspected))


def bill(policy: SubsidyPolicy, served: Iterable[ServedEnterprise]) -> SubsidyBill:
    """The subsidy one agency earns in the policy's year, enterprise by enterprise."""
    served = _once_per_enterprise(served)
    rate = signing_rate(served)
    factor = policy.comprehensive_factor(rate)
    lines = []
    for s in served:
        comprehensive = _yuan(policy.comprehensive * factor) if s.comprehensive else Decimal(0)
        monthly = Decimal(0)
        if s.monthly:
            monthly = policy.monthly - comprehensive if policy.difference_rule else policy.monthly
            monthly = max(monthly, Decimal(0))
        lines.append(SubsidyLine(s.enterprise_id, comprehensive, monthly))
    return SubsidyBill(policy.year, rate, factor, tuple(lines))


def _once_per_enterprise(served: Iterable[ServedEnterprise]) -> list[ServedEnterprise]:
    """Once a year each (1年内只能享受一次): merge repeated entries for one enterprise."""
    merged: dict[str, ServedEnterprise] = {}
    for s in served:
        seen = merged.get(s.enterprise_id)
        merged[s.enterprise_id] = s if seen is None else ServedEnterprise(
            s.enterprise_id, seen.comprehensive or s.comprehensive, seen.monthly or s.monthly)
    return list(merged.values())


def _yuan(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def planned_budget(policy: SubsidyPolicy, *, comprehensive: int, monthly: int,
                   monthly_after_comprehensive: int) -> Decimal:
    """A year's budget from planned counts, every agency paid in full: comprehensive
    inspections, monthly contracts, and how many of those contracts follow a subsidised
    comprehensive inspection (they are paid only the difference)."""
    if not 0 <= monthly_after_comprehensive <= min(comprehensive, monthly):
        raise InvalidValue("monthly_after_comprehensive", "须在 0 与全面排查数、按月签约数之间")
    overlap_cut = policy.comprehensive * monthly_after_comprehensive if policy.difference_rule else 0
    return policy.comprehensive * comprehensive + policy.monthly * monthly - overlap_cut
