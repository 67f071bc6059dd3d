"""The hazard lifecycle (003 §五(二)): each command a step, business dates defaulting to today.

A hazard may cite a criterion (`criterion`: an id of the catalogue, `infra.criteria`) and its
evidence may cite stored files (`sha256:<hex>`): both are checked here against what exists
(422 naming the unknown one, nothing stored), and the cited files are recorded in
`file_citations` in the transaction that stores the event (`infra.citations`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.actor import Actor
from domain.criteria import Criterion
from domain.errors import InvalidValue
from domain.evidence import cited_files, evidence_entries
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.parties import Enterprise
from infra.citations import Citation, citing
from domain.working_days import WorkingCalendar
from infra.calendar import load_calendar, load_min_working_days
from infra.criteria import Catalogue, load_criteria
from infra.files import FileStore, PostgresFileStore
from projections.compliance import DEFAULT_POLICY

KIND = "hazard"  # the kind recorded in file_citations


class Evidence:
    """What hazard commands look things up in: the criteria catalogue and the file store.
    `hazard serve` (create_app) hands over the ones it serves; otherwise (CLI, simulation,
    tests) the defaults are opened on first use."""

    catalogue: Catalogue | None = None
    file_store: FileStore | None = None

    @property
    def criteria_catalogue(self) -> Catalogue:
        if self.catalogue is None:
            self.catalogue = load_criteria(sectors=self.reference.sectors)
        return self.catalogue

    @property
    def evidence_files(self) -> FileStore:
        if self.file_store is None:
            self.file_store = PostgresFileStore(self.recorder.datastore)
        return self.file_store

    def criterion(self, ident: str | None) -> Criterion | None:
        """The criterion of this id (None for none); 422 naming an unknown id."""
        if ident is None or ident == "":
            return None
        found = self.criteria_catalogue.get(ident)
        if found is None:
            raise InvalidValue("criterion", f"判定标准条款 {ident[:80]} 不存在")
        return found

    def cited(self, entries: list[str] | None) -> tuple[str, ...]:
        """The files the evidence cites, each one stored; 422 naming the first that is not."""
        hashes = tuple(cited_files(evidence_entries("evidence", entries)))
        for sha in hashes:
            if not self.evidence_files.exists(sha):
                raise InvalidValue("evidence", f"证据文件 sha256:{sha} 不存在或无权引用（请先上传：POST /api/v1/files）")
        return hashes

    def change_citing(self, hazard_id: str, hashes: tuple[str, ...], decide: Callable[[Hazard], object]):
        """`change`, recording the files the stored event cites."""
        with citing(Citation(KIND, str(hazard_id), hashes)):
            return self.change(Hazard, hazard_id, decide)


class Extensions:
    """What extension requests (延期申请) read: the working calendar and how many working days
    before the deadline a request is due. Whoever starts the service may hand over its
    `Config.calendar` and `Config.extension_notice`; otherwise the defaults (infra/data/
    calendar_cn.json, Ninghai's policy file) are read on first use."""

    working_calendar: WorkingCalendar | None = None
    extension_working_days: int | None = None

    def extension_rules(self) -> tuple[WorkingCalendar, int]:
        if self.working_calendar is None:
            self.working_calendar = load_calendar()
        if self.extension_working_days is None:
            self.extension_working_days = load_min_working_days(DEFAULT_POLICY)
        return self.working_calendar, self.extension_working_days


class HazardCommands(Evidence, Extensions):
    def report_hazard(self, actor: Actor, *, enterprise_id: str, source: str, category: str,
                      description: str, level: str, inspection_id: str | None = None,
                      discovered_on: date | None = None, location: str = "",
                      evidence: list[str] | None = None, criterion: str | None = None):
        cited_criterion = self.criterion(criterion)
        hashes = self.cited(evidence)
        enterprise = self.load(Enterprise, enterprise_id)
        inspection = self.load_optional(Inspection, inspection_id)
        if discovered_on is None:
            discovered_on = inspection.performed_on if inspection and inspection.performed_on \
                else self.today()
        hazard = Hazard.report(
            enterprise=enterprise, inspection=inspection, source=source, category=category,
            description=description, level=level, discovered_on=discovered_on, today=self.today(),
            actor=actor, location=location, evidence=evidence, criterion=cited_criterion)
        with citing(Citation(KIND, str(hazard.id), hashes)):
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

    # --- 挂牌督办通知书 (issue 14 §1, domain/supervision_notice.py) ----------------------------
    def issue_listing(self, actor: Actor, hazard_id: str, *, level: str, government: str,
                      department: str, document_no: str, finish_days: int, plan_days: int,
                      signatory: str, issued_on: date | None = None):
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.issue_listing(
            level=level, government=government, department=department, document_no=document_no,
            finish_days=finish_days, plan_days=plan_days, signatory=signatory,
            issued_on=issued_on or today, today=today, actor=actor))

    def serve_listing(self, actor: Actor, hazard_id: str, *, served_by: str,
                      served_on: date | None = None):
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.serve_listing(
            served_by=served_by, served_on=served_on or today, today=today, actor=actor))

    def sign_listing(self, actor: Actor, hazard_id: str, *, signed_by: str,
                     signed_on: date | None = None):
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.sign_listing(
            signed_by=signed_by, signed_on=signed_on or today, today=today, actor=actor))

    def cancel_listing(self, actor: Actor, hazard_id: str, *, reason: str, document_no: str,
                       cancelled_on: date | None = None):
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.cancel_listing(
            reason=reason, document_no=document_no, cancelled_on=cancelled_on or today,
            today=today, actor=actor))

    def record_enforcement(self, actor: Actor, hazard_id: str, *, kind: str, document_no: str,
                           taken_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.record_enforcement(
            kind=kind, document_no=document_no, taken_on=taken_on or self.today(),
            today=self.today(), actor=actor))

    def report_rectification(self, actor: Actor, hazard_id: str, *, evidence: list[str],
                             cost: object, rectified_on: date | None = None):
        return self.change_citing(hazard_id, self.cited(evidence), lambda h: h.report_rectification(
            evidence=evidence, cost=cost, rectified_on=rectified_on or self.today(),
            today=self.today(), actor=actor))

    def review_rectification(self, actor: Actor, hazard_id: str, *, passed: bool, notes: str = "",
                             reviewed_on: date | None = None, evidence: list[str] | None = None):
        return self.change_citing(hazard_id, self.cited(evidence), lambda h: h.review_rectification(
            passed=passed, notes=notes, reviewed_on=reviewed_on or self.today(),
            today=self.today(), actor=actor, evidence=evidence))

    def file_closure_report(self, actor: Actor, hazard_id: str, *, document_no: str,
                            filed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.file_closure_report(
            document_no=document_no, filed_on=filed_on or self.today(), today=self.today(),
            actor=actor))

    def close_hazard(self, actor: Actor, hazard_id: str, *, closed_on: date | None = None):
        return self.change(Hazard, hazard_id, lambda h: h.close(
            closed_on=closed_on or self.today(), today=self.today(), actor=actor))

    def regrade_hazard(self, actor: Actor, hazard_id: str, *, level: str, reason: str,
                       criterion: str | None = None):
        cited_criterion = self.criterion(criterion)
        return self.change(Hazard, hazard_id, lambda h: h.regrade(
            level=level, reason=reason, actor=actor, criterion=cited_criterion,
            cited=self.criteria_catalogue.get(h.criterion) if h.criterion else None))

    def extend_deadline(self, actor: Actor, hazard_id: str, *, deadline: date, reason: str,
                        requested_on: date, interim_controls: str = "", opinion: str = "",
                        decided_on: date | None = None):
        """延期 on a paper application (纸质延期申请), decided by the approver the policy names:
        one command, two events (ExtensionRequested channel "paper", ExtensionDecided approved)."""
        calendar, days = self.extension_rules()
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.extend_on_paper(
            new_deadline=deadline, reason=reason, requested_on=requested_on,
            interim_controls=interim_controls, opinion=opinion, decided_on=decided_on or today,
            today=today, calendar=calendar, min_working_days=days, by=actor))

    def request_extension(self, actor: Actor, hazard_id: str, *, new_deadline: date, reason: str,
                          interim_controls: str, requested_on: date | None = None):
        """延期申请: recorded, the deadline unchanged until an approval."""
        calendar, days = self.extension_rules()
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.request_extension(
            new_deadline=new_deadline, reason=reason, interim_controls=interim_controls,
            requested_on=requested_on or today, today=today, calendar=calendar,
            min_working_days=days, actor=actor))

    def decide_extension(self, actor: Actor, hazard_id: str, *, approved: bool, opinion: str,
                         decided_on: date | None = None):
        """延期审批 by the approver the policy names; only an approval moves the deadline."""
        today = self.today()
        return self.change(Hazard, hazard_id, lambda h: h.decide_extension(
            approved=approved, opinion=opinion, decided_on=decided_on or today, today=today, by=actor))

    def withdraw_hazard(self, actor: Actor, hazard_id: str, *, reason: str):
        return self.change(Hazard, hazard_id, lambda h: h.withdraw(reason=reason, actor=actor))
