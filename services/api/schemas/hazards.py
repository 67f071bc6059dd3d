"""Bodies of a hazard's life: report, assignment, plan, 挂牌督办 and its notice, enforcement,
rectification, review, closure, regrading, extension, withdrawal."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from services.api import vocabularies as vocab
from services.api.schemas.base import Amount, Body, Day, Days, Ident, Short, Text


class NewHazard(Body):
    enterprise_id: Ident
    inspection_id: Ident | None = None
    source: vocab.Source
    category: vocab.Category
    description: Text
    level: vocab.Level
    discovered_on: Day | None = None
    location: Text = ""
    evidence: list[Short] = Field(default=[], max_length=50)  # text, or a file: "sha256:<hex>"
    criterion: Ident | None = None  # a criterion's id (GET /criteria), e.g. "gm10-4-1"


class Assignment(Body):
    responsible_person: Short
    responsible_phone: Annotated[str, Field(max_length=20)] = ""
    deadline: Day
    assigned_on: Day | None = None


class RectificationPlan(Body):
    """治理方案: 目标任务, 方法措施, 经费物资, 机构人员, 时限要求, 安全措施和应急预案."""
    objectives: Text
    measures: Text
    funds: Text
    organisation: Text
    timeline: Text
    safety_measures: Text
    filed_on: Day | None = None


class Supervision(Body):
    level: vocab.SupervisionLevel
    document_no: Short
    listed_on: Day | None = None


# --- 挂牌督办通知书 (issue 14 §1, helper H1; domain/supervision_notice.py) -----------------------


class ListingNotice(Body):
    """下达挂牌督办通知书: level, 挂牌政府, 督办部门, 文号, the two periods in days from 签收, 签发人."""
    level: vocab.SupervisionLevel
    government: Short
    department: Short
    document_no: Short
    finish_days: Days
    plan_days: Days
    signatory: Short
    issued_on: Day | None = None


class ListingService(Body):
    """送达: who served the notice, and when (default today)."""
    served_by: Short
    served_on: Day | None = None


class ListingReceipt(Body):
    """签收: who signed for the notice, and when (default today)."""
    signed_by: Short
    signed_on: Day | None = None


class ListingCancellation(Body):
    """撤销挂牌督办: reason, document number, date (default today)."""
    reason: Text
    document_no: Short
    cancelled_on: Day | None = None
# --- end of H1's block ----------------------------------------------------------------------


class Enforcement(Body):
    kind: vocab.EnforcementKind
    document_no: Short
    taken_on: Day | None = None


class Rectification(Body):
    evidence: list[Short] = Field(min_length=0, max_length=50)
    cost: Amount
    rectified_on: Day | None = None


class Review(Body):
    passed: bool
    notes: Text = ""
    reviewed_on: Day | None = None
    evidence: list[Short] = Field(default=[], max_length=50)  # text, or a file: "sha256:<hex>"


class ClosureReport(Body):
    document_no: Short
    filed_on: Day | None = None


class Closing(Body):
    closed_on: Day | None = None


class Regrading(Body):
    level: vocab.Level
    reason: Text
    criterion: Ident | None = None  # cite this criterion from now on (GET /criteria)


class Extension(Body):
    """延期 (issue 14 §2): the approver's decision on a paper application (纸质延期申请): the new
    deadline, the application's date and reason, its interim controls if given; the opinion and
    decision date (default today) are optional."""
    deadline: Day
    reason: Text
    requested_on: Day
    interim_controls: Text = ""
    opinion: Text = ""
    decided_on: Day | None = None


class Withdrawal(Body):
    reason: Text


