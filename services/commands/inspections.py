"""Scheduling and performing inspections, filing their reports."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.errors import InvalidValue
from domain.inspection import Inspection
from domain.insurance import InsurancePolicy
from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.inspection import GROUP_KINDS, Basis, Inspection
from domain.parties import Agency, Enterprise


class InspectionCommands:
    def schedule_inspection(self, actor: Actor, *, enterprise_id: str, kind: str,
                            scheduled_for: date, agency_id: str | None = None,
                            basis_id: str | None = None):
        enterprise = self.load(Enterprise, enterprise_id)
        agency = self.load_optional(Agency, agency_id)
        inspection = Inspection.schedule(
            enterprise=enterprise, agency=agency, kind=kind, basis=self._basis(basis_id),
            scheduled_for=scheduled_for, actor=actor)
        return self.store(inspection)

    def _basis(self, basis_id: str | None) -> Basis | None:
        """The contract, agreement, mutual-help group or industry association named as basis."""
        if basis_id is None:
            return None
        for cls in (ServiceContract, ProcurementAgreement, MutualHelpGroup, IndustryAssociation,
                    InsurancePolicy):
            found = self.find(cls, basis_id)
            if found is not None:
                return found
        raise InvalidValue("basis_id", f"{basis_id} 不是已签订的委托合同、购买服务协议，也不是互助组、行业协会或安责险保单")

    def perform_inspection(self, actor: Actor, inspection_id: str, *, expert_ids: list[str],
                           performed_on: date | None = None):
        inspection = self.load(Inspection, inspection_id)
        agency = self.load_optional(Agency, inspection.agency_id)
        group = (self.find(GROUP_KINDS[inspection.kind], inspection.basis_id)
                 if inspection.kind in GROUP_KINDS and inspection.basis_id else None)
        inspection.perform(performed_on=performed_on or self.today(), expert_ids=expert_ids,
                           agency=agency, today=self.today(), actor=actor, group=group)
        return self.store(inspection)

    def file_inspection_report(self, actor: Actor, inspection_id: str, *, document_no: str,
                               filed_on: date | None = None):
        return self.change(Inspection, inspection_id, lambda i: i.file_report(
            document_no=document_no, filed_on=filed_on or self.today(), today=self.today(),
            actor=actor))

    def cancel_inspection(self, actor: Actor, inspection_id: str, *, reason: str):
        return self.change(Inspection, inspection_id, lambda i: i.cancel(reason=reason, actor=actor))
