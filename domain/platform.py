"""The service platform (安全生产社会化服务信息平台, 002 §九(三)) and the served enterprises'
ratings of their agencies (绩效评比, 000 §五(六)).

An enterprise posts a need (服务需求: the services wanted, a description); agencies in the
county's pool (入库, not blacklisted) offer (报价: one service of the need, its period, fee and
terms), one offer per agency and need (its id a uuid5 of both: a retry is refused, never stored
twice). The enterprise accepts one offer: the offer is the agency's signature and the
acceptance the enterprise's, so accepting yields a `ServiceContract` proposed by the agency
(`ServiceContract.propose` with the offering agency's actor) and countersigned by the enterprise
(`countersign`) — exactly the contract two signatures make, with `Enterprise.ContractSigned`.
An offer gives the agency nothing over the enterprise: only the contract does, once accepted.

A served enterprise rates its agency once per contract (`AgencyRating`, id a uuid5 of the
contract), on or after the contract's last day; the ratings are read beside the agency's 考评.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import evaluation, rules
from domain.actor import Actor, Role
from domain.contracts import ContractPolicy, ServiceContract
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.parties import Agency, Enterprise
from domain.values import ServiceType, choice, money, not_before, past_date, period, text

RATING_CRITERIA = {
    "quality": "服务质量",
    "attitude": "服务态度",
    "effect": "服务效果",
}


def offer_id(need_id: str, agency_id: str) -> str:
    """An offer's id: a uuid5 of the need and the agency (one offer per agency and need)."""
    return str(natural_id("offer", need_id, agency_id))


def rating_id(contract_id: str) -> UUID:
    return natural_id("rating", contract_id)


def _require_pool_agency(agency: Agency, on: date) -> None:
    rules.OFFER_BY_POOL_AGENCY.require(
        agency.in_pool(on) and not agency.blacklisted,
        f"{agency.name}：" + ("已列入黑名单" if agency.blacklisted else f"{on.isoformat()} 不在入库有效期内"))


class ServiceNeed(Aggregate):
    """An enterprise's need posted on the service platform (服务需求)."""

    @classmethod
    def post(cls, *, enterprise: Enterprise, services: list[str], description: str,
             posted_on: date, actor: Actor) -> ServiceNeed:
        rules.NEED_BY_ENTERPRISE.require(actor.role == Role.ENTERPRISE, f"操作角色 {actor.role}")
        if not services:
            raise InvalidValue("services", "须至少选择一项服务")
        wanted = sorted({choice("services", s, ServiceType) for s in services})
        return cls(enterprise_id=str(enterprise.id), township=enterprise.township,
                   sector=enterprise.sector, services=wanted,
                   description=text("description", description, max_len=2000),
                   posted_on=posted_on, actor=actor.record())

    @event("Posted")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, services: list[str],
                 description: str, posted_on: date, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.services = services
        self.description = description
        self.posted_on = posted_on
        self.offers: dict[str, dict] = {}  # offer id → the offer
        self.accepted_offer: str | None = None
        self.contract_id: str | None = None
        self.withdrawn_on: date | None = None

    @property
    def open(self) -> bool:
        return self.accepted_offer is None and self.withdrawn_on is None

    def offer(self, *, agency: Agency, service: str, start: date, end: date, fee: object,
              terms: str, offered_on: date, actor: Actor) -> str:
        """An agency in the pool offers (报价); returns the offer's id."""
        rules.OFFER_BY_AGENCY.require(actor.role == Role.AGENCY, f"操作角色 {actor.role}")
        rules.NEED_OPEN.require(self.open)
        _require_pool_agency(agency, offered_on)
        ident = offer_id(str(self.id), str(agency.id))
        rules.OFFER_ONCE_PER_AGENCY.require(ident not in self.offers, agency.name)
        service = choice("service", service, ServiceType)
        if service not in self.services:
            raise InvalidValue("service", f"须为需求所列服务之一：{', '.join(self.services)}")
        period("start", start, end, "end")
        not_before("start", start, offered_on, "报价日期")
        self._offered(offer_id=ident, agency_id=str(agency.id), service=service, start=start,
                      end=end, fee=money("fee", fee), terms=text("terms", terms, max_len=2000),
                      offered_on=offered_on, actor=actor.record())
        return ident

    @event("Offered")
    def _offered(self, *, offer_id: str, agency_id: str, service: str, start: date, end: date,
                 fee: str, terms: str, offered_on: date, actor: dict) -> None:
        self.offers[offer_id] = {"agency_id": agency_id, "service": service, "start": start,
                                 "end": end, "fee": fee, "terms": terms, "offered_on": offered_on,
                                 "actor": actor}

    def accept(self, *, offer_id: str, enterprise: Enterprise, agency: Agency, today: date,
               policy: ContractPolicy, actor: Actor) -> ServiceContract:
        """The enterprise accepts one offer: the contract the agency's offer proposed, countersigned
        by the enterprise (the same `ServiceContract` steps as two signatures), recorded on the
        enterprise. Returns the contract (the caller stores it with this need and the enterprise)."""
        rules.NEED_BY_ENTERPRISE.require(actor.role == Role.ENTERPRISE, f"操作角色 {actor.role}")
        rules.NEED_ACCEPTED_ONCE.require(self.accepted_offer is None, f"已接受报价 {self.accepted_offer}")
        rules.NEED_OPEN.require(self.open, "已撤回")
        offer = self.offers.get(offer_id)
        if offer is None:
            raise InvalidValue("offer_id", f"报价 {offer_id} 不是该需求的报价")
        if str(enterprise.id) != self.enterprise_id or str(agency.id) != offer["agency_id"]:
            raise ValueError("accept: the need's own enterprise and the offer's agency")
        _require_pool_agency(agency, today)
        offered_by = Actor(id=offer["actor"]["id"], role=Role(offer["actor"]["role"]),
                           name=offer["actor"]["name"])
        contract = ServiceContract.propose(
            enterprise=enterprise, agency=agency, service=offer["service"], start=offer["start"],
            end=offer["end"], fee=offer["fee"], today=today, policy=policy, actor=offered_by)
        contract.countersign(today=today, policy=policy, actor=actor)
        enterprise.record_contract(contract_id=str(contract.id), agency_id=str(agency.id), actor=actor)
        self._accepted(offer_id=offer_id, agency_id=str(agency.id), contract_id=str(contract.id),
                       accepted_on=today, actor=actor.record())
        return contract

    @event("Accepted")
    def _accepted(self, *, offer_id: str, agency_id: str, contract_id: str, accepted_on: date,
                  actor: dict) -> None:
        self.accepted_offer = offer_id
        self.contract_id = contract_id

    def withdraw(self, *, reason: str, withdrawn_on: date, actor: Actor) -> None:
        """The enterprise withdraws a need no offer of which it accepted (撤回)."""
        rules.NEED_BY_ENTERPRISE.require(actor.role == Role.ENTERPRISE, f"操作角色 {actor.role}")
        rules.NEED_OPEN.require(self.open)
        self._withdrawn(reason=text("reason", reason, max_len=1000), withdrawn_on=withdrawn_on,
                        actor=actor.record())

    @event("Withdrawn")
    def _withdrawn(self, *, reason: str, withdrawn_on: date, actor: dict) -> None:
        self.withdrawn_on = withdrawn_on


class AgencyRating(Aggregate):
    """A served enterprise's rating of its agency for one contract (绩效评比, 000 §五(六))."""

    @staticmethod
    def create_id(contract_id: str, **_: object) -> UUID:
        return rating_id(contract_id)

    @classmethod
    def rate(cls, *, contract: ServiceContract, enterprise: Enterprise, scores: dict[str, object],
             comment: str, rated_on: date, today: date, actor: Actor,
             existing: AgencyRating | None = None) -> AgencyRating:
        rules.RATING_BY_ENTERPRISE.require(actor.role == Role.ENTERPRISE, f"操作角色 {actor.role}")
        rules.RATING_ONCE.require(existing is None, f"合同 {contract.id} 已评价")
        past_date("rated_on", rated_on, today)
        rules.RATING_BY_SERVED_ENTERPRISE.require(
            contract.enterprise_id == str(enterprise.id) and contract.binding
            and contract.start <= contract.last_day and contract.start <= rated_on,
            "合同未会签生效" if not contract.binding else f"合同期 {contract.start.isoformat()} 起")
        rules.RATING_AFTER_CONTRACT_END.require(
            rated_on >= contract.last_day, f"合同期至 {contract.last_day.isoformat()}")
        checked = evaluation.scored(scores, RATING_CRITERIA)
        return cls(contract_id=str(contract.id), enterprise_id=str(enterprise.id),
                   agency_id=contract.agency_id, township=enterprise.township,
                   sector=enterprise.sector, year=contract.last_day.year, scores=checked,
                   total=str(evaluation.total(checked)),
                   comment=text("comment", comment, max_len=2000, required=False),
                   rated_on=rated_on, actor=actor.record())

    @event("Rated")
    def __init__(self, *, contract_id: str, enterprise_id: str, agency_id: str, township: str,
                 sector: str, year: int, scores: dict, total: str, comment: str, rated_on: date,
                 actor: dict) -> None:
        self.contract_id = contract_id
        self.enterprise_id = enterprise_id
        self.agency_id = agency_id
        self.township = township
        self.sector = sector
        self.year = year  # the year the contract ended in: the 考评 year it feeds
        self.scores = scores
        self.total = Decimal(total)
        self.comment = comment
        self.rated_on = rated_on
