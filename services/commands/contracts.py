"""Procurement agreements, and enterprise service contracts proposed by one side and
countersigned (会签) by the other before they bind (issue 10)."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.contracts import ContractPolicy, ProcurementAgreement, ServiceContract
from domain.parties import Agency, Enterprise


class ContractCommands:
    # The county's back-dating limit; `services.runtime.running` sets it from the policy file
    # (Settings.policy_file, section `contracts`), else the default 30 days.
    contract_policy: ContractPolicy = ContractPolicy()

    def sign_agreement(self, actor: Actor, *, agency_id: str, townships: list[str],
                       sectors: list[str], start: date, end: date, prices: dict[str, object],
                       budget: object, services: list[str] | None = None):
        agency = self.load(Agency, agency_id)
        agreement = ProcurementAgreement.sign(
            agency=agency,
            townships=[self.known_township("townships", t) for t in townships],
            sectors=[self.known_sector("sectors", s) for s in sectors],
            start=start, end=end, prices=prices, budget=budget, services=services, actor=actor)
        agency.record_agreement(agreement_id=str(agreement.id), townships=agreement.townships,
                                sectors=agreement.sectors, actor=actor)
        return self.store(agreement, agency)

    def propose_contract(self, actor: Actor, *, enterprise_id: str, agency_id: str, service: str,
                         start: date, end: date, fee: object):
        """One side's signature: binds nobody until the other side countersigns."""
        enterprise = self.load(Enterprise, enterprise_id)
        agency = self.load(Agency, agency_id)
        contract = ServiceContract.propose(
            enterprise=enterprise, agency=agency, service=service, start=start, end=end, fee=fee,
            today=self.today(), policy=self.contract_policy, actor=actor)
        return self.store(contract)

    def countersign_contract(self, actor: Actor, contract_id: str):
        """The other side signs the pending contract (or renewal); the enterprise then finds it."""
        contract = self.load(ServiceContract, contract_id)
        was_binding = contract.binding
        contract.countersign(today=self.today(), policy=self.contract_policy, actor=actor)
        if was_binding:  # a renewal
            return self.store(contract)
        enterprise = self.load(Enterprise, contract.enterprise_id)
        enterprise.record_contract(contract_id=str(contract.id), agency_id=contract.agency_id,
                                   actor=actor)
        return self.store(contract, enterprise)

    def renew_contract(self, actor: Actor, contract_id: str, *, end: date, fee: object):
        return self.change(ServiceContract, contract_id,
                           lambda c: c.renew(end=end, fee=fee, actor=actor))

    def terminate_contract(self, actor: Actor, contract_id: str, *, reason: str,
                           terminated_on: date | None = None):
        return self.change(ServiceContract, contract_id, lambda c: c.terminate(
            terminated_on=terminated_on or self.today(), reason=reason, today=self.today(),
            policy=self.contract_policy, actor=actor))
