"""Bodies of accidents and findings, agencies' 考评 and blacklist, checklists, self-reports,
referrals (交办) and extension requests (延期申请)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from services.api import vocabularies as vocab
from services.api.schemas.base import Body, Day, Ident, Printable, Short, Text


class NewAccident(Body):
    enterprise_id: Ident
    occurred_on: Day
    category: vocab.AccidentCategory
    deaths: int = Field(ge=0, le=10000)
    injuries: int = Field(ge=0, le=10000)
    description: Text


class Evaluation(Body):
    """考评: each criterion of domain.evaluation.CRITERIA scored 0–100."""
    year: int = Field(ge=1990, le=2099)
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=20)
    notes: Text = ""


class Blacklisting(Body):
    reason: Text


class Finding(Body):
    agency_id: Ident
    kind: vocab.FindingKind
    description: Text


class ChecklistResult(Body):
    """一个检查项的判定：符合（passed）、不符合（failed，须作为隐患上报）或不适用（not_applicable）。"""
    item_id: Ident
    result: vocab.CheckResult
    note: Text = ""
    evidence: list[Short] = Field(default=[], max_length=20)  # files: "sha256:<hex>" (POST /files)
    hazard_id: Ident | None = None  # a failed item: the hazard it was reported as


class ChecklistRecord(Body):
    """一次排查按一份检查表模板（GET /checklists/{id}）的结果：每个检查项一次。"""
    template_id: Ident
    results: list[ChecklistResult] = Field(min_length=1, max_length=200)


class ChecklistLink(Body):
    item_id: Ident
    hazard_id: Ident


class NewSelfReport(Body):
    """自查自报: the month's hazards (discovered that month), or none_found: true (零隐患)."""
    enterprise_id: Ident
    month: Annotated[str, Field(max_length=20, examples=["2026-11"]), Printable]
    hazard_ids: list[Ident] = Field(default=[], max_length=500)
    none_found: bool = False


class SelfReportAmendment(Body):
    hazard_ids: list[Ident] = Field(default=[], max_length=500)
    none_found: bool = False


class NewReferral(Body):
    """交办: hazards to one receiving unit — a township code (`township`) or a sector code (`sector`)."""
    hazard_ids: list[Ident] = Field(min_length=1, max_length=200)
    township: Ident | None = None
    sector: Ident | None = None
    instructions: Text
    due_on: Day
    referred_on: Day | None = None
    document_no: Short = ""
    # issue 14 §4: the joint meeting's month (联席会, YYYY-MM) whose decision this records
    meeting: Ident | None = None


class ReferralSigning(Body):
    """签收 (signed_on defaults to today)."""
    signed_on: Day | None = None


class ReferralAnswer(Body):
    """答复: what was done (answered_on defaults to today)."""
    answer: Text
    answered_on: Day | None = None


class ExtensionRequest(Body):
    """延期申请 by the enterprise: the deadline it asks for, why, and its interim controls (临时管控措施)."""
    new_deadline: Day
    reason: Text
    interim_controls: Text
    requested_on: Day | None = None


class ExtensionDecision(Body):
    """延期审批: approved or refused, with the approver's opinion (审批意见)."""
    approved: bool
    opinion: Text
    decided_on: Day | None = None


