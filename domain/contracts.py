"""Contract signings: procurement agreements (政府购买服务协议) and enterprise service contracts."""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.parties import Agency, Enterprise
from domain.values import ServiceType, choice, money, period, text, township_code


class ProcurementAgreement(Aggregate):
    """Government purchase of inspection services (政府购买服务 / 隐患排查工作委托协议), 003 §三3, 004 §二."""

    @classmethod
    def sign(cls, *, agency: Agency, townships: list[str], sectors: list[str], start: date,
             end: date, prices: dict[str, object], budget: object, services: list[str] | None = None,
             actor: Actor) -> ProcurementAgreement:
        rules.AGREEMENT_BY_BUREAU.require(actor.role == Role.BUREAU, f"签订方为 {actor.role}")
        _require_commissionable(agency)
        rules.AGREEMENT_NEEDS_PASSING_EVALUATION.require(
            agency.latest_grade != "fail", "最近一次考评不合格")
        if not townships:
            raise InvalidValue("townships", "须至少包含一个乡镇（街道）")
        if not sectors:
            raise InvalidValue("sectors", "须至少包含一个行业")
        period("start", start, end, "end")
        unit_prices = {}
        for service, price in prices.items():
            choice("prices", service, ServiceType)
            unit_prices[service] = money(f"prices.{service}", price)
        return cls(
            agency_id=str(agency.id),
            townships=sorted({township_code("townships", t) for t in townships}),
            sectors=sorted(set(sectors)),
            start=start, end=end, prices=unit_prices, budget=money("budget", budget),
            services=sorted({choice("services", s, ServiceType) for s in (services or list(prices))}),
            actor=actor.record(),
        )

    @event("Signed")
    def __init__(self, *, agency_id: str, townships: list[str], sectors: list[str], start: date,
                 end: date, prices: dict[str, str], budget: str, services: list[str],
                 actor: dict) -> None:
        self.agency_id = agency_id
        self.townships = townships
        self.sectors = sectors
        self.start = start
        self.end = end
        self.prices = prices
        self.budget = budget
        self.services = services

    def covers(self, *, township: str, sector: str, on: date) -> bool:
        """Whether the agreement puts an enterprise of this township and sector in scope on a date."""
        return township in self.townships and sector in self.sectors and self.start <= on <= self.end


class ServiceContract(Aggregate):
    """An enterprise's service contract with an agency (企业委托服务合同), 000 §二(二), 004 §二(二)."""

    @classmethod
    def sign(cls, *, enterprise: Enterprise, agency: Agency, service: str, start: date, end: date,
             fee: object, actor: Actor) -> ServiceContract:
        _require_commissionable(agency)
        period("start", start, end, "end")
        return cls(enterprise_id=str(enterprise.id), agency_id=str(agency.id),
                   service=choice("service", service, ServiceType), start=start, end=end,
                   fee=money("fee", fee), actor=actor.record())

    @event("Signed")
    def __init__(self, *, enterprise_id: str, agency_id: str, service: str, start: date, end: date,
                 fee: str, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.agency_id = agency_id
        self.service = service
        self.start = start
        self.end = end
        self.fee = fee
        self.terminated_on: date | None = None
        self.renewals = 0

    @property
    def active(self) -> bool:
        return self.terminated_on is None

    def in_force(self, on: date) -> bool:
        """Whether the contract binds the agency to the enterprise on a date."""
        ended = self.end if self.terminated_on is None else min(self.end, self.terminated_on)
        return self.start <= on <= ended

    def renew(self, *, end: date, fee: object, actor: Actor) -> None:
        """Renewal (续签): the period extends to a later end."""
        rules.CONTRACT_ACTIVE.require(self.active)
        rules.CONTRACT_RENEW_LATER.require(end > self.end, f"原期限至 {self.end}")
        self._renewed(end=end, fee=money("fee", fee), actor=actor.record())

    @event("Renewed")
    def _renewed(self, *, end: date, fee: str, actor: dict) -> None:
        self.end = end
        self.fee = fee
        self.renewals += 1

    def terminate(self, *, terminated_on: date, reason: str, actor: Actor) -> None:
        """Early termination of the contract."""
        rules.CONTRACT_ACTIVE.require(self.active)
        rules.CONTRACT_TERMINATE_IN_PERIOD.require(
            self.start <= terminated_on <= self.end, f"{self.start} 至 {self.end}")
        self._terminated(terminated_on=terminated_on, reason=text("reason", reason, max_len=1000),
                         actor=actor.record())

    @event("Terminated")
    def _terminated(self, *, terminated_on: date, reason: str, actor: dict) -> None:
        self.terminated_on = terminated_on


def _require_commissionable(agency: Agency) -> None:
    rules.BLACKLISTED_NOT_COMMISSIONED.require(not agency.blacklisted, agency.blacklist_reason)
