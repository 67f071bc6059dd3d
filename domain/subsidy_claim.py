"""An agency's subsidy claim for a year and its approval chain (004 §三, 2015 暂行办法):
township preliminary check (初审) → county bureau review (审核) → finance bureau approval
(审定) → public notice (公示) → paid. A refusal at a check sends the claim back to the agency,
which may file it again with corrected figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.ids import natural_id
from domain.subsidy import SubsidyBill
from domain.values import not_before, past_date, text

FILED, CHECKED, REVIEWED, APPROVED, NOTICED, PAID, RETURNED = (
    "filed", "township_checked", "bureau_reviewed", "finance_approved", "noticed", "paid", "returned")
NOTICE_DAYS = 7  # 公示 lasts at least a week before payment


class SubsidyClaim(Aggregate):
    """One claim per agency per year."""

    @staticmethod
    def create_id(agency_id: str, year: int, **_: object) -> UUID:
        return natural_id("subsidy", agency_id, year)

    @classmethod
    def file(cls, *, agency_id: str, year: int, bill: SubsidyBill, actor: Actor) -> SubsidyClaim:
        return cls(agency_id=agency_id, year=year, **_bill_fields(bill), actor=actor.record())

    @event("Filed")
    def __init__(self, *, agency_id: str, year: int, signing_rate: str, factor: str, lines: list,
                 comprehensive_total: str, monthly_total: str, total: str, actor: dict) -> None:
        self.agency_id = agency_id
        self.year = year
        self.status = FILED
        self.steps: list[dict] = []
        self._set_bill(signing_rate, factor, lines, comprehensive_total, monthly_total, total)

    def _set_bill(self, signing_rate, factor, lines, comprehensive_total, monthly_total, total) -> None:
        self.signing_rate, self.factor, self.lines = signing_rate, factor, lines
        self.comprehensive_total, self.monthly_total, self.total = comprehensive_total, monthly_total, total

    def refile(self, *, bill: SubsidyBill, actor: Actor) -> None:
        rules.SUBSIDY_ORDER.require(self.status == RETURNED, f"当前状态 {self.status}")
        self._refiled(**_bill_fields(bill), actor=actor.record())

    @event("Refiled")
    def _refiled(self, *, signing_rate: str, factor: str, lines: list, comprehensive_total: str,
                 monthly_total: str, total: str, actor: dict) -> None:
        self.status = FILED
        self._set_bill(signing_rate, factor, lines, comprehensive_total, monthly_total, total)

    def township_check(self, *, passed: bool, notes: str, on: date, today: date, actor: Actor) -> None:
        """初审 by the township office."""
        self._step(FILED, CHECKED, Role.TOWNSHIP, passed, notes, on, today, actor)

    def bureau_review(self, *, passed: bool, notes: str, on: date, today: date, actor: Actor) -> None:
        """审核 by the county bureau."""
        self._step(CHECKED, REVIEWED, Role.BUREAU, passed, notes, on, today, actor)

    def finance_approval(self, *, passed: bool, notes: str, on: date, today: date, actor: Actor) -> None:
        """审定 by the finance bureau, recorded by the county bureau (with the finance document in notes)."""
        self._step(REVIEWED, APPROVED, Role.BUREAU, passed, notes, on, today, actor)

    def _step(self, before: str, after: str, role: Role, passed: bool, notes: str, on: date,
              today: date, actor: Actor) -> None:
        rules.SUBSIDY_ORDER.require(self.status == before, f"当前状态 {self.status}，应为 {before}")
        rules.SUBSIDY_STEP_ROLE.require(actor.role == role, f"{after} 由 {role} 办理")
        past_date("on", on, today)
        if self.steps:
            not_before("on", on, self.steps[-1]["on"], "上一环节日期")
        self._stepped(step=after, passed=bool(passed), notes=text("notes", notes, max_len=2000,
                      required=not passed), on=on, actor=actor.record())

    @event("Stepped")
    def _stepped(self, *, step: str, passed: bool, notes: str, on: date, actor: dict) -> None:
        self.steps.append({"step": step, "passed": passed, "notes": notes, "on": on, "by": actor})
        self.status = step if passed else RETURNED

    def publish_notice(self, *, start: date, end: date, today: date, actor: Actor) -> None:
        """公示 of the approved amounts, at least a week."""
        rules.SUBSIDY_ORDER.require(self.status == APPROVED, f"当前状态 {self.status}")
        rules.SUBSIDY_STEP_ROLE.require(actor.role == Role.BUREAU, "公示由县应急管理局发布")
        past_date("start", start, today)
        not_before("start", start, self.steps[-1]["on"], "审定日期")
        rules.SUBSIDY_NOTICE_PERIOD.require(end >= start + timedelta(days=NOTICE_DAYS), f"{start} 至 {end}")
        self._noticed(start=start, end=end, actor=actor.record())

    @event("Noticed")
    def _noticed(self, *, start: date, end: date, actor: dict) -> None:
        self.status = NOTICED
        self.notice = {"start": start, "end": end}

    def pay(self, *, paid_on: date, today: date, actor: Actor) -> None:
        rules.SUBSIDY_ORDER.require(self.status == NOTICED, f"当前状态 {self.status}")
        rules.SUBSIDY_STEP_ROLE.require(actor.role == Role.BUREAU, "拨付由县应急管理局办理")
        past_date("paid_on", paid_on, today)
        rules.SUBSIDY_NOTICE_PERIOD.require(paid_on > self.notice["end"], f"公示期至 {self.notice['end']}")
        self._paid(paid_on=paid_on, actor=actor.record())

    @event("Paid")
    def _paid(self, *, paid_on: date, actor: dict) -> None:
        self.status = PAID
        self.paid_on = paid_on


def _bill_fields(bill: SubsidyBill) -> dict:
    return {
        "signing_rate": str(bill.signing_rate.quantize(Decimal("0.0001"))),
        "factor": str(bill.factor),
        "lines": [{"enterprise_id": x.enterprise_id, "comprehensive": str(x.comprehensive),
                   "monthly": str(x.monthly)} for x in bill.lines],
        "comprehensive_total": str(bill.comprehensive_total), "monthly_total": str(bill.monthly_total),
        "total": str(bill.total),
    }
