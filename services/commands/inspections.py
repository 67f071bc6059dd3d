"""Scheduling and performing inspections, filing their reports."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.errors import InvalidValue
from domain.inspection import Inspection
from domain.parties import Agency, Enterprise
from services.errors import NotFound


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

    def _basis(self, basis_id: str | None) -> ServiceContract | ProcurementAgreement | None:
        if basis_id is None:
            return None
        try:
            return self.load(ServiceContract, basis_id)
        except NotFound:
            try:
                return self.load(ProcurementAgreement, basis_id)
            except NotFound:
                raise InvalidValue("basis_id", f"{basis_id} 不是已签订的委托合同或购买服务协议") from None

    def perform_inspection(self, actor: Actor, inspection_id: str, *, expert_ids: list[str],
                           performed_on: date | None = None):
        inspection = self.load(Inspection, inspection_id)
        agency = self.load_optional(Agency, inspection.agency_id)
        inspection.perform(performed_on=performed_on or self.today(), expert_ids=expert_ids,
                           agency=agency, today=self.today(), actor=actor)
        return self.store(inspection)

    def file_inspection_report(self, actor: Actor, inspection_id: str, *, document_no: str,
                               filed_on: date | None = None):
        return self.change(Inspection, inspection_id, lambda i: i.file_report(
            document_no=document_no, filed_on=filed_on or self.today(), today=self.today(),
            actor=actor))

    def cancel_inspection(self, actor: Actor, inspection_id: str, *, reason: str):
        return self.change(Inspection, inspection_id, lambda i: i.cancel(reason=reason, actor=actor))
