"""The hazard lifecycle (003 §五(二)): each command a step, business dates defaulting to today."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.parties import Enterprise


class HazardCommands:
    def report_hazard(self, actor: Actor, *, enterprise_id: str, source: str, category: str,
                      description: str, level: str, inspection_id: str | None = None,
                      discovered_on: date | None = None, location: str = "",
                      evidence: list[str] | None = None):
        enterprise = self.load(Enterprise, enterprise_id)
        inspection = self.load_optional(Inspection, inspection_id)
        if discovered_on is None:
            discovered_on = inspection.performed_on if inspection and inspection.performed_on \
                else self.today()
        hazard = Hazard.report(
            enterprise=enterprise, inspection=inspection, source=source, category=category,
            description=description, level=level, discovered_on=discovered_on, today=self.today(),
            actor=actor, location=location, evidence=evidence)
        return self.store(hazard)

    def assign_responsibility(self, actor: Actor, hazard_id: str, *, responsible_person: str,
                              deadline: date, assigned_on: date | None = None,
                              responsible_phone: str = ""):
        return self.change(Hazard, hazard_id, lambda h: h.assign_responsibility(
            responsible_person=responsible_person, responsible_phone=responsible_phone,
            deadline=deadline,
            assigned_on=assigned_on or self.today(), today=self.today(), actor=actor))

    def file_rectification_plan(self, actor: Actor, hazard_id: str, *, parts: dict[str, str],
                                filed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.file_rectification_plan(
            parts=parts, filed_on=filed_on or self.today(), today=self.today(), actor=actor))

    def list_for_supervision(self, actor: Actor, hazard_id: str, *, level: str, document_no: str,
                             listed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.list_for_supervision(
            level=level, document_no=document_no, listed_on=listed_on or self.today(),
            today=self.today(), actor=actor))

    def record_enforcement(self, actor: Actor, hazard_id: str, *, kind: str, document_no: str,
                           taken_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.record_enforcement(
            kind=kind, document_no=document_no, taken_on=taken_on or self.today(),
            today=self.today(), actor=actor))

    def report_rectification(self, actor: Actor, hazard_id: str, *, evidence: list[str],
                             cost: object, rectified_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.report_rectification(
            evidence=evidence, cost=cost, rectified_on=rectified_on or self.today(),
            today=self.today(), actor=actor))

    def review_rectification(self, actor: Actor, hazard_id: str, *, passed: bool, notes: str = "",
                             reviewed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.review_rectification(
            passed=passed, notes=notes, reviewed_on=reviewed_on or self.today(),
            today=self.today(), actor=actor))

    def file_closure_report(self, actor: Actor, hazard_id: str, *, document_no: str,
                            filed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.file_closure_report(
            document_no=document_no, filed_on=filed_on or self.today(), today=self.today(),
            actor=actor))

    def close_hazard(self, actor: Actor, hazard_id: str, *, closed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.close(
            closed_on=closed_on or self.today(), today=self.today(), actor=actor))

    def regrade_hazard(self, actor: Actor, hazard_id: str, *, level: str, reason: str):
        return self.change(Hazard, hazard_id,
                           lambda h: h.regrade(level=level, reason=reason, actor=actor))

    def extend_deadline(self, actor: Actor, hazard_id: str, *, deadline: date, reason: str):
        return self.change(Hazard, hazard_id,
                           lambda h: h.extend_deadline(deadline=deadline, reason=reason, actor=actor))

    def withdraw_hazard(self, actor: Actor, hazard_id: str, *, reason: str):
        return self.change(Hazard, hazard_id, lambda h: h.withdraw(reason=reason, actor=actor))
