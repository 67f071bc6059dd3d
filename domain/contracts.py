"""Contract signings: procurement agreements (政府购买服务协议) and enterprise service contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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


AGENCY_SIDE, ENTERPRISE_SIDE = "agency", "enterprise"
SIDE_NAMES = {AGENCY_SIDE: "中介机构", ENTERPRISE_SIDE: "企业"}
# Who signs for which side: the agency itself; the enterprise, or an office recording a paper
# contract on its behalf (乡镇（街道）、县应急管理局代为登记), or an administrator migrating a ledger.
_SIDES = {Role.AGENCY: AGENCY_SIDE, Role.ENTERPRISE: ENTERPRISE_SIDE, Role.TOWNSHIP: ENTERPRISE_SIDE,
          Role.BUREAU: ENTERPRISE_SIDE, Role.ADMIN: ENTERPRISE_SIDE}
LATE_ENTRY_ROLES = frozenset({Role.BUREAU, Role.ADMIN})  # may record older contracts (台账迁移补录)


def side_of(actor: Actor) -> str:
    """The side of a contract the actor signs for (403 `contract-signed-by-parties` for others)."""
    side = _SIDES.get(actor.role)
    rules.CONTRACT_PARTY.require(side is not None, f"操作角色 {actor.role}")
    return side  # type: ignore[return-value]


@dataclass(frozen=True)
class ContractPolicy:
    """The county's limit on back-dating a contract (policy data, `contracts.backdate_days`)."""

    backdate_days: int = 30

    def late_entry(self, field: str, day: date, today: date, actor: Actor) -> bool:
        """Whether `day` lies further back than the limit: refused, unless the bureau or an
        administrator records an older contract (补录), which the contract then shows."""
        if day >= today - timedelta(days=self.backdate_days):
            return False
        rules.CONTRACT_BACKDATING.require(
            actor.role in LATE_ENTRY_ROLES,
            f"{field} {day.isoformat()} 早于签署当日 {today.isoformat()} {self.backdate_days} 天以上")
        return True


class ServiceContract(Aggregate):
    """An enterprise's service contract with an agency (企业委托服务合同), 000 §二(二), 004 §二(二).

    One side proposes (提出, the first signature: `Signed`), the other countersigns (会签:
    `Countersigned`); only then is it in force, over [start, end], until the day it is
    terminated (终止之日起不再有效). A renewal (续签) is proposed and countersigned the same way.
    """

    class Signed(Aggregate.Created):
        """The first signature. Version 1 (before issue 10) took one signature as binding; such
        events are read as proposals by their signer's side, awaiting the other's countersignature,
        and as late entries (补录: recorded before countersigning existed), so the other side may
        countersign them however far back they start."""

        class_version = 2
        enterprise_id: str
        agency_id: str
        service: str
        start: date
        end: date
        fee: str
        proposed_by: str
        migrated: bool
        actor: dict

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["proposed_by"] = (AGENCY_SIDE if (state.get("actor") or {}).get("role") == "agency"
                                    else ENTERPRISE_SIDE)
            state["migrated"] = True

    @classmethod
    def propose(cls, *, enterprise: Enterprise, agency: Agency, service: str, start: date,
                end: date, fee: object, today: date, policy: ContractPolicy,
                actor: Actor) -> ServiceContract:
        side = side_of(actor)
        _require_commissionable(agency)
        period("start", start, end, "end")
        migrated = policy.late_entry("start", start, today, actor)
        return cls(enterprise_id=str(enterprise.id), agency_id=str(agency.id),
                   service=choice("service", service, ServiceType), start=start, end=end,
                   fee=money("fee", fee), proposed_by=side, migrated=migrated, actor=actor.record())

    @event(Signed)
    def __init__(self, *, enterprise_id: str, agency_id: str, service: str, start: date, end: date,
                 fee: str, proposed_by: str, migrated: bool, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.agency_id = agency_id
        self.service = service
        self.start = start
        self.end = end
        self.fee = fee
        self.proposed_by = proposed_by     # agency / enterprise: the side that signed first
        self.migrated = migrated           # 补录: recorded later than the policy allows a party
        self.countersigned_on: date | None = None
        self.pending_renewal: dict | None = None
        self.terminated_on: date | None = None
        self.renewals = 0

    @property
    def active(self) -> bool:
        return self.terminated_on is None

    @property
    def binding(self) -> bool:
        """Signed by both sides (会签)."""
        return self.countersigned_on is not None

    @property
    def last_day(self) -> date:
        """The last day of its period: the end, or the day before it was terminated."""
        if self.terminated_on is None:
            return self.end
        return min(self.end, self.terminated_on - timedelta(days=1))

    def in_force(self, on: date) -> bool:
        """Whether the contract binds the agency to the enterprise on a date."""
        return self.binding and self.start <= on <= self.last_day

    def countersign(self, *, today: date, policy: ContractPolicy, actor: Actor) -> None:
        """The other side signs what is pending: the contract, or its renewal."""
        rules.CONTRACT_ACTIVE.require(self.active)
        pending = (self.pending_renewal or {}).get("proposed_by") or (
            None if self.binding else self.proposed_by)
        rules.COUNTERSIGN_NEEDS_PROPOSAL.require(pending is not None, "合同已会签生效")
        side = side_of(actor)
        rules.COUNTERSIGN_BY_OTHER_PARTY.require(side != pending, f"由{SIDE_NAMES[pending]}一方提出")
        if self.pending_renewal is not None:
            policy.late_entry("end", self.end, today, actor)  # no bridging a long lapse back
            self._renewed(end=self.pending_renewal["end"], fee=self.pending_renewal["fee"],
                          actor=actor.record())
            return
        migrated = self.migrated or policy.late_entry("start", self.start, today, actor)
        self._countersigned(countersigned_on=today, side=side, migrated=migrated,
                            actor=actor.record())

    @event("Countersigned")
    def _countersigned(self, *, countersigned_on: date, side: str, migrated: bool,
                       actor: dict) -> None:
        self.countersigned_on = countersigned_on
        self.migrated = migrated

    def renew(self, *, end: date, fee: object, actor: Actor) -> None:
        """Renewal (续签) proposed by one side: the period extends once the other countersigns."""
        rules.CONTRACT_ACTIVE.require(self.active)
        rules.CONTRACT_NOT_IN_FORCE.require(self.binding, "续签须在原合同会签生效之后提出")
        rules.CONTRACT_RENEW_LATER.require(end > self.end, f"原期限至 {self.end}")
        self._renewal_proposed(end=end, fee=money("fee", fee), proposed_by=side_of(actor),
                               actor=actor.record())

    @event("RenewalProposed")
    def _renewal_proposed(self, *, end: date, fee: str, proposed_by: str, actor: dict) -> None:
        self.pending_renewal = {"end": end, "fee": fee, "proposed_by": proposed_by}

    @event("Renewed")
    def _renewed(self, *, end: date, fee: str, actor: dict) -> None:
        """Countersigned renewal (a version-1 `Renewed` was one side's, and stays applied)."""
        self.end = end
        self.fee = fee
        self.renewals += 1
        self.pending_renewal = None

    def terminate(self, *, terminated_on: date, reason: str, today: date, policy: ContractPolicy,
                  actor: Actor) -> None:
        """Termination by either side (or withdrawal of a proposal): from `terminated_on` on,
        the contract no longer binds."""
        rules.CONTRACT_ACTIVE.require(self.active)
        rules.CONTRACT_TERMINATE_IN_PERIOD.require(
            self.start <= terminated_on <= self.end, f"{self.start} 至 {self.end}")
        policy.late_entry("terminated_on", terminated_on, today, actor)
        self._terminated(terminated_on=terminated_on, reason=text("reason", reason, max_len=1000),
                         actor=actor.record())

    @event("Terminated")
    def _terminated(self, *, terminated_on: date, reason: str, actor: dict) -> None:
        self.terminated_on = terminated_on
        self.pending_renewal = None


def _require_commissionable(agency: Agency) -> None:
    rules.BLACKLISTED_NOT_COMMISSIONED.require(not agency.blacklisted, agency.blacklist_reason)
