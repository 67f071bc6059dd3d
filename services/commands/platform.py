"""The service platform (服务平台, issue 15 §5): needs posted, offers, acceptance (which stores the
need, the countersigned contract and the enterprise's record of it in one transaction), and the
served enterprises' ratings (绩效评比). Lists are read models (`projections/queries/platform.py`)."""

from __future__ import annotations

from datetime import date

from domain import rules
from domain.actor import Actor
from domain.contracts import ServiceContract
from domain.parties import Agency, Enterprise
from domain.platform import AgencyRating, ServiceNeed, rating_id


class PlatformCommands:
    def post_need(self, actor: Actor, *, enterprise_id: str, services: list[str], description: str):
        enterprise = self.load(Enterprise, enterprise_id)
        need = ServiceNeed.post(enterprise=enterprise, services=services, description=description,
                                posted_on=self.today(), actor=actor)
        return self.store(need)

    def offer_on_need(self, actor: Actor, need_id: str, *, agency_id: str | None, service: str,
                      start: date, end: date, fee: object, terms: str):
        """`agency_id`: the token's own agency (never the body's)."""
        need = self.load(ServiceNeed, need_id)
        rules.OFFER_BY_AGENCY.require(agency_id is not None, "令牌未绑定中介机构")
        agency = self.load(Agency, agency_id)
        ident = need.offer(agency=agency, service=service, start=start, end=end, fee=fee,
                           terms=terms, offered_on=self.today(), actor=actor)
        return self.store(need, ident=ident)

    def accept_offer(self, actor: Actor, need_id: str, *, offer_id: str):
        """The enterprise accepts an offer: the need, the contract (proposed by the offering
        agency, countersigned by the enterprise) and `Enterprise.ContractSigned`, stored together.
        Answers the contract's id."""
        need = self.load(ServiceNeed, need_id)
        enterprise = self.load(Enterprise, need.enterprise_id)
        offer = need.offers.get(offer_id) or {}
        agency = self.load(Agency, offer["agency_id"]) if offer else None
        contract = need.accept(offer_id=offer_id, enterprise=enterprise, agency=agency,
                               today=self.today(), policy=self.contract_policy, actor=actor)
        return self.store(need, contract, enterprise, ident=contract.id)

    def withdraw_need(self, actor: Actor, need_id: str, *, reason: str):
        return self.change(ServiceNeed, need_id, lambda n: n.withdraw(
            reason=reason, withdrawn_on=self.today(), actor=actor))

    def rate_agency(self, actor: Actor, *, contract_id: str, scores: dict[str, object],
                    comment: str = "", rated_on: date | None = None):
        contract = self.named(ServiceContract, contract_id, "contract_id", "合同")
        enterprise = self.load(Enterprise, contract.enterprise_id)
        rating = AgencyRating.rate(
            contract=contract, enterprise=enterprise, scores=scores, comment=comment,
            rated_on=rated_on or self.today(), today=self.today(), actor=actor,
            existing=self.find(AgencyRating, rating_id(str(contract.id))))
        return self.store(rating, on_conflict=lambda: rules.RATING_ONCE.refuse(f"合同 {contract.id} 已评价"))
