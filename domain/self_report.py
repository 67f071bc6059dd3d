"""Enterprise self-reports (企业隐患自查自报): once a month an enterprise reports the hazards its
own check found that month, or that it found none (零隐患) — both count as reporting.

One aggregate per enterprise and month, its id a uuid5 of both, so a second filing for the same
month is refused (`self-report-once-a-month`, 409) and a change is an amendment of the one
report (`amend`). A filing is on time up to the county's grace day (`SelfReportPolicy`,
default the 5th of the next month); a later one is stored and flagged `late`, judged on the
filing date passed in (never a clock). Township offices and the bureau may record a paper
self-report for the enterprise (代报, `proxy: true`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.parties import Enterprise

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
FILERS = (Role.ENTERPRISE, Role.TOWNSHIP, Role.BUREAU)


@dataclass(frozen=True)
class SelfReportPolicy:
    """The county's grace day (policy data `self_reports.grace_day`, 1–28): a month's self-report
    is on time when filed on or before that day of the next month."""

    grace_day: int = 5

    def __post_init__(self) -> None:
        if not 1 <= self.grace_day <= 28:
            raise ValueError(f"self_reports.grace_day 须在 1–28 之间：{self.grace_day}")

    def due(self, month: str) -> date:
        year, number = _year_month(month)
        return date(year + number // 12, number % 12 + 1, self.grace_day)

    def late(self, month: str, filed_on: date) -> bool:
        return filed_on > self.due(month)


def _year_month(month: str) -> tuple[int, int]:
    match = MONTH.fullmatch(month) if isinstance(month, str) else None
    if match is None:
        raise InvalidValue("month", f"月份须为 YYYY-MM，如 2026-11：{str(month)[:20]!r}")
    return int(match[1]), int(match[2])


def past_month(month: str, today: date) -> str:
    """A month (YYYY-MM) that has begun by `today`; a month in the future is refused."""
    year, number = _year_month(month)
    if year < 1990:
        raise InvalidValue("month", f"月份不能早于 1990 年：{month}")
    if (year, number) > (today.year, today.month):
        raise InvalidValue("month", f"月份 {month} 尚未开始（今天 {today.isoformat()}）")
    return month


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class SelfReport(Aggregate):
    """One enterprise's self-report for one month."""

    @staticmethod
    def create_id(enterprise_id: str, month: str, **_: object) -> UUID:
        return report_id(enterprise_id, month)

    @classmethod
    def file(cls, *, enterprise: Enterprise, month: str, hazards: list[Any], none_found: bool,
             filed_on: date, policy: SelfReportPolicy, actor: Actor,
             existing: SelfReport | None = None) -> SelfReport:
        """File the month's self-report. `hazards`: the listed hazards, loaded by the caller;
        `existing`: the report already filed for this enterprise and month, if any."""
        rules.SELF_REPORT_BY.require(actor.role in FILERS, f"角色 {actor.role}")
        rules.SELF_REPORT_ONCE.require(existing is None, f"{month} 已有自查自报 {existing and existing.id}")
        month = past_month(month, filed_on)
        ids = _listed(enterprise, month, hazards, none_found)
        return cls(enterprise_id=str(enterprise.id), township=enterprise.township,
                   sector=enterprise.sector, month=month, hazard_ids=ids, none_found=none_found,
                   filed_on=filed_on, due_on=policy.due(month), late=policy.late(month, filed_on),
                   proxy=actor.role != Role.ENTERPRISE, actor=actor.record())

    @event("Filed")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, month: str,
                 hazard_ids: list[str], none_found: bool, filed_on: date, due_on: date, late: bool,
                 proxy: bool, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.month = month
        self.hazard_ids = hazard_ids
        self.none_found = none_found
        self.filed_on = filed_on
        self.due_on = due_on
        self.late = late
        self.proxy = proxy  # 代报: recorded by a township office or the bureau
        self.amendments: list[dict] = []

    def amend(self, *, enterprise: Enterprise, hazards: list[Any], none_found: bool, filed_on: date,
              policy: SelfReportPolicy, actor: Actor) -> None:
        """Replace the hazards listed (or the none-found entry); the first filing's date and
        lateness stay, the amendment carries its own (`late` judged by the same grace day)."""
        rules.SELF_REPORT_BY.require(actor.role in FILERS, f"角色 {actor.role}")
        ids = _listed(enterprise, self.month, hazards, none_found)
        self._amended(hazard_ids=ids, none_found=none_found, filed_on=filed_on,
                      late=policy.late(self.month, filed_on), proxy=actor.role != Role.ENTERPRISE,
                      actor=actor.record())

    @event("Amended")
    def _amended(self, *, hazard_ids: list[str], none_found: bool, filed_on: date, late: bool,
                 proxy: bool, actor: dict) -> None:
        self.hazard_ids = hazard_ids
        self.none_found = none_found
        self.amendments = [*self.amendments, {"filed_on": filed_on, "late": late, "proxy": proxy,
                                              "hazard_ids": hazard_ids, "none_found": none_found}]


def report_id(enterprise_id: str, month: str) -> UUID:
    """The self-report's id: a uuid5 of the enterprise's id and the month (YYYY-MM)."""
    return natural_id("self-report", enterprise_id, month)


def _listed(enterprise: Enterprise, month: str, hazards: Iterable[Any], none_found: bool) -> list[str]:
    """The hazards' ids: exactly one of "hazards listed" and "none found"; each hazard this
    enterprise's, discovered in the month."""
    hazards = list(hazards)
    if bool(hazards) == bool(none_found):
        raise InvalidValue("none_found", "须二选一：列出本月发现的隐患（hazard_ids），或声明本月未发现隐患（none_found: true）")
    ids: list[str] = []
    for h in hazards:
        rules.SELF_REPORT_HAZARDS.require(h.enterprise_id == str(enterprise.id), f"隐患 {h.id} 不属于该企业")
        rules.SELF_REPORT_HAZARDS.require(month_of(h.discovered_on) == month,
                                          f"隐患 {h.id} 发现于 {h.discovered_on.isoformat()}，不在 {month}")
        if str(h.id) not in ids:
            ids.append(str(h.id))
    return ids
