"""Inspections (隐患排查): scheduled, performed, report filed (备案), or cancelled. 003 §三3."""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate, event

from collections.abc import Mapping
from typing import Any

from domain import insurance, rules
from domain.actor import Actor, Role
from domain.checklist import Checklist
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.errors import InvalidValue
from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.inspection_checklist import Result, checked_results, summary
from domain.parties import Agency, Enterprise
from domain.values import InspectionKind, Source, Status, choice, not_before, past_date, text

SCHEDULED, PERFORMED, REPORT_FILED, CANCELLED = "scheduled", "performed", "report_filed", "cancelled"
OWN_KINDS = (InspectionKind.SELF,)  # done by the enterprise itself, no agency or basis
# issue 15: inspections whose basis is a mutual-help group or an industry association, performed
# by the experts its member enterprises sent (never an agency); kind → the basis it needs
GROUP_KINDS: dict[str, type] = {InspectionKind.MUTUAL: MutualHelpGroup,
                                InspectionKind.INTER_GROUP: MutualHelpGroup,
                                InspectionKind.ASSOCIATION: IndustryAssociation}
# the source of a hazard found in an inspection of a kind (any other kind: `inspection`)
HAZARD_SOURCES: dict[str, str] = {InspectionKind.MUTUAL: Source.MUTUAL_HELP,
                                  InspectionKind.INTER_GROUP: Source.MUTUAL_HELP,
                                  InspectionKind.ASSOCIATION: Source.ASSOCIATION,
                                  InspectionKind.INSURANCE_ASSESSMENT: Source.INSURANCE}  # 安责险 (issue 15 §3)
Basis = ServiceContract | ProcurementAgreement | MutualHelpGroup | IndustryAssociation


class Inspection(Aggregate):
    """One inspection of one enterprise, by an agency under a contract or agreement, or by itself."""

    @classmethod
    def schedule(cls, *, enterprise: Enterprise, agency: Agency | None, kind: str,
                 basis: Basis | None, scheduled_for: date,
                 actor: Actor) -> Inspection:
        kind = choice("kind", kind, InspectionKind)
        if kind in OWN_KINDS and (agency is not None or basis is not None):
            raise InvalidValue("agency_id", "企业自查不由中介机构实施，不应指明中介机构或合同")
        if kind in GROUP_KINDS:
            if agency is not None:
                raise InvalidValue("agency_id", "互查由互助组（行业协会）成员企业派出的专家实施，不应指明中介机构")
            if basis is None:
                raise InvalidValue("basis_id", "互查须指明互助组或行业协会")
            rules.GROUP_INSPECTION_BASIS.require(
                _group_binds(basis, kind, enterprise),
                f"{enterprise.name} 与{getattr(basis, 'name', '所指依据')}（{kind}）")
        elif kind not in OWN_KINDS:
            if agency is None:
                raise InvalidValue("agency_id", "中介机构排查须指明中介机构")
            rules.AGENCY_BLACKLISTED.require(not agency.blacklisted, agency.blacklist_reason)
            insurance.require_assessment_basis(kind, basis, enterprise, agency, scheduled_for)
            rules.INSPECTION_BASIS.require(
                _binds(basis, enterprise, agency, scheduled_for), "合同或协议不覆盖该企业、该机构或该日期")
        return cls(enterprise_id=str(enterprise.id), township=enterprise.township,
                   sector=enterprise.sector, agency_id=str(agency.id) if agency else None,
                   kind=kind, basis_id=str(basis.id) if basis else None,
                   scheduled_for=scheduled_for, actor=actor.record())

    @event("Scheduled")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, agency_id: str | None,
                 kind: str, basis_id: str | None, scheduled_for: date, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.agency_id = agency_id
        self.kind = kind
        self.basis_id = basis_id
        self.scheduled_for = scheduled_for
        self.status = SCHEDULED
        self.performed_on: date | None = None
        self.expert_ids: list[str] = []
        self.report_document_no: str | None = None
        self.report_filed_on: date | None = None
        self.checklists: dict[str, dict] = {}  # template id → {"title", "items": [results]}
        self.checklist_summary: dict = summary({})

    def perform(self, *, performed_on: date, expert_ids: list[str], agency: Agency | None,
                today: date, actor: Actor,
                group: MutualHelpGroup | IndustryAssociation | None = None) -> None:
        """The inspection took place on a date, by these experts of the agency (or, for a
        group's or an association's inspection, `group`: the basis, by experts its members sent)."""
        rules.INSPECTION_PERFORM_STATUS.require(self.status == SCHEDULED, f"当前状态 {self.status}")
        past_date("performed_on", performed_on, today)
        experts = sorted(set(expert_ids))
        if self.kind in GROUP_KINDS:
            if not experts:
                raise InvalidValue("expert_ids", "互查须列出实施互查的专家")
            own = group is not None and str(group.id) == self.basis_id
            known = group.experts if own else {}
            unknown = [e for e in experts if e not in known]
            rules.GROUP_INSPECTION_EXPERTS.require(not unknown, ", ".join(unknown))
        if self.agency_id is not None:
            if not experts:
                raise InvalidValue("expert_ids", "中介机构排查须列出实施排查的专家")
            own_agency = agency is not None and str(agency.id) == self.agency_id
            known = agency.experts if own_agency else {}
            unknown = [e for e in experts if e not in known]
            rules.INSPECTION_EXPERTS.require(not unknown, ", ".join(unknown))
        self._performed(performed_on=performed_on, expert_ids=experts, actor=actor.record())

    @event("Performed")
    def _performed(self, *, performed_on: date, expert_ids: list[str], actor: dict) -> None:
        self.status = PERFORMED
        self.performed_on = performed_on
        self.expert_ids = expert_ids

    def file_report(self, *, document_no: str, filed_on: date, today: date, actor: Actor) -> None:
        """The inspection report (隐患排查报告) is filed with the township and the safety committee office."""
        rules.INSPECTION_REPORT_STATUS.require(self.status == PERFORMED, f"当前状态 {self.status}")
        unlinked = self.checklist_summary["failed_without_hazard"]
        rules.FAILED_ITEM_NEEDS_HAZARD.require(not unlinked, "未关联隐患的检查项 " + "、".join(unlinked))
        past_date("filed_on", filed_on, today)
        not_before("filed_on", filed_on, self.performed_on, "排查实施日期")
        self._report_filed(document_no=text("document_no", document_no, max_len=100),
                           filed_on=filed_on, actor=actor.record())

    @event("ReportFiled")
    def _report_filed(self, *, document_no: str, filed_on: date, actor: dict) -> None:
        self.status = REPORT_FILED
        self.report_document_no = document_no
        self.report_filed_on = filed_on

    # --- checklists (检查表, issue 13 point 4) ------------------------------------------------
    def record_checklist(self, *, template: Checklist, results: list[Mapping[str, Any]],
                         hazards: Mapping[str, Any], actor: Actor) -> None:
        """Record the results of one template (every item: passed, failed or not applicable).
        `hazards`: the hazards the results link failed items to, by id (loaded by the caller).
        Recording the same template again before the report is filed replaces its results."""
        self._require_checklist_open(actor)
        entries = checked_results(template, self.sector, results)
        for entry in entries:
            if entry["hazard_id"]:
                self._require_own_hazard(entry["hazard_id"], hazards.get(entry["hazard_id"]))
        self._checklist_recorded(template_id=template.id, title=template.title, results=entries,
                                 actor=actor.record())

    @event("ChecklistRecorded")
    def _checklist_recorded(self, *, template_id: str, title: str, results: list[dict],
                            actor: dict) -> None:
        self.checklists = {**self.checklists,
                           template_id: {"title": title, "items": [dict(r) for r in results]}}
        self.checklist_summary = summary(self.checklists)

    def link_hazard(self, *, item_id: str, hazard: Any, actor: Actor) -> None:
        """Link a failed item to the hazard it was reported as (隐患上报后关联); a link replaces
        an earlier one (a correction) while the report is not yet filed."""
        self._require_checklist_open(actor)
        item = self._recorded_item(item_id)
        if item["result"] != Result.FAILED:
            raise InvalidValue("item_id", f"只有判为不符合（failed）的检查项关联隐患：{item_id} 为 {item['result']}")
        self._require_own_hazard(str(hazard.id) if hazard is not None else "", hazard)
        self._hazard_linked(item_id=item_id, hazard_id=str(hazard.id), actor=actor.record())

    @event("ChecklistItemLinked")
    def _hazard_linked(self, *, item_id: str, hazard_id: str, actor: dict) -> None:
        self.checklists = {
            tid: {**c, "items": [{**i, "hazard_id": hazard_id} if i["item_id"] == item_id else i
                                 for i in c["items"]]}
            for tid, c in self.checklists.items()}
        self.checklist_summary = summary(self.checklists)

    def _require_checklist_open(self, actor: Actor) -> None:
        rules.CHECKLIST_STATUS.require(self.status == PERFORMED, f"当前状态 {self.status}")
        inspectors = (Role.AGENCY, Role.BUREAU) if self.agency_id else (Role.ENTERPRISE, Role.BUREAU)
        rules.CHECKLIST_BY_INSPECTOR.require(actor.role in inspectors, f"角色 {actor.role}")

    def _recorded_item(self, item_id: str) -> dict:
        for checklist in self.checklists.values():
            for item in checklist["items"]:
                if item["item_id"] == item_id:
                    return item
        raise InvalidValue("item_id", f"本次排查的检查表中没有检查项 {item_id}")

    def _require_own_hazard(self, hazard_id: str, hazard: Any) -> None:
        """A hazard of this enterprise, reported from this inspection, not withdrawn."""
        own = (hazard is not None and hazard.enterprise_id == self.enterprise_id
               and hazard.inspection_id == str(self.id) and hazard.status != Status.WITHDRAWN)
        rules.CHECKLIST_HAZARD.require(own, f"隐患 {hazard_id}")

    def cancel(self, *, reason: str, actor: Actor) -> None:
        rules.INSPECTION_CANCEL_STATUS.require(self.status == SCHEDULED, f"当前状态 {self.status}")
        self._cancelled(reason=text("reason", reason, max_len=1000), actor=actor.record())

    @event("Cancelled")
    def _cancelled(self, *, reason: str, actor: dict) -> None:
        self.status = CANCELLED

    @property
    def was_performed(self) -> bool:
        return self.status in (PERFORMED, REPORT_FILED)

    @property
    def hazard_source(self) -> str:
        """The source of the hazards found in this inspection (issue 15: by its kind)."""
        return str(HAZARD_SOURCES.get(self.kind, Source.INSPECTION))


def _group_binds(basis: object, kind: str, enterprise: Enterprise) -> bool:
    """Whether a group or an association is a basis for inspecting this enterprise: its members
    (组内互查, 协会互查); for 组间互查, an enterprise of the group's area and industry outside it."""
    if not isinstance(basis, GROUP_KINDS[kind]):
        return False
    member = basis.is_member(str(enterprise.id))
    if kind == InspectionKind.INTER_GROUP:
        return not member and basis.fits(enterprise)
    return member


def _binds(basis: Basis | None, enterprise: Enterprise,
           agency: Agency, on: date) -> bool:
    """Whether a contract or agreement binds this agency to this enterprise on a date."""
    if isinstance(basis, ServiceContract):
        return (basis.enterprise_id == str(enterprise.id) and basis.agency_id == str(agency.id)
                and basis.in_force(on))
    if isinstance(basis, ProcurementAgreement):
        return basis.agency_id == str(agency.id) and basis.covers(
            township=enterprise.township, sector=enterprise.sector, on=on)
    if isinstance(basis, insurance.InsurancePolicy):  # 安责险风险评估 (issue 15 §3)
        return insurance.binds(basis, enterprise, agency, on)
    return False
