"""One hazard's ledger row (隐患台账一行) as its events change it — pure, no database.

`apply(row, event)` answers the row after the event and the step's business date: the
date the step happened (discovered_on, assigned_on, filed_on, taken_on, rectified_on,
reviewed_on, closed_on …). Steps without a date of their own (regrade, extension,
withdrawal) take their record date in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from domain.actor import JOINT_REVIEW_PARTIES
from projections.views.base import kind_of, record_date

# 挂牌督办 paperwork and the pending extension request (issue 14). listing_state: NULL (not
# listed) | listed (old one-step supervise) | issued | served | signed | cancelled.
LISTING_COLUMNS: dict[str, str] = {
    "listing_state": "text", "listing_department": "text", "listing_served_on": "date",
    "listing_signed_on": "date", "listing_finish_by": "date", "listing_plan_by": "date",
    "listing_cancelled_on": "date", "extension_requested_on": "date",
    "listing_served_by": "text", "listing_signed_by": "text",  # 送达人, 签收人 (the 督办 page)
}

# The ledger row's columns (besides hazard_id) and their SQL types, in table order.
COLUMNS: dict[str, str] = {
    "enterprise_id": "text", "township": "text", "sector": "text", "agency_id": "text",
    "inspection_id": "text", "source": "text", "category": "text", "description": "text",
    "location": "text", "level": "text", "supervision_level": "text", "supervision_doc": "text",
    "status": "text", "responsible_person": "text", "deadline": "date",
    "original_deadline": "date", "extensions": "integer", "discovered_on": "date",
    "assigned_on": "date", "plan_filed_on": "date", "listed_on": "date",
    "enforcement_count": "integer", "first_enforced_on": "date", "last_enforced_on": "date",
    "last_enforcement_kind": "text", "last_enforcement_doc": "text", "rectified_on": "date",
    "rectification_cost": "numeric", "failed_reviews": "integer", "review_passed_on": "date",
    "joint_parties": "text", "joint_review_on": "date", "closure_report_on": "date",
    "closure_report_doc": "text", "closed_on": "date", "withdrawn_on": "date",
    "criterion": "text",  # the cited criterion's id (判定依据, issue 13); added last: ALTER TABLE
    # issue 14 (挂牌督办 paperwork, docs/supervision.md; extension requests): added by ALTER TABLE
    **LISTING_COLUMNS,
    # issue 17 §4: the document-style number's year and sequence, "2026-000123" (the county's
    # short name is put in front when shown: `projections.queries.ledger.number`); ALTER TABLE
    "hazard_no": "text",
}

Row = dict[str, Any]


def reported(event: Any) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(
        enterprise_id=event.enterprise_id, township=event.township, sector=event.sector,
        agency_id=event.agency_id, inspection_id=event.inspection_id, source=event.source,
        category=event.category, description=event.description, location=event.location,
        level=event.level, status="reported", discovered_on=event.discovered_on,
        extensions=0, enforcement_count=0, failed_reviews=0, joint_parties="",
        criterion=event.criterion)  # None when none cited (Reported v1 upcast: docs/events.md)
    return row


def _assigned(row: Row, e: Any) -> date:
    row.update(responsible_person=e.responsible_person, deadline=e.deadline,
               assigned_on=e.assigned_on, status="assigned")
    row["original_deadline"] = row["original_deadline"] or e.deadline
    return e.assigned_on


def _plan(row: Row, e: Any) -> date:
    row["plan_filed_on"] = e.filed_on
    return e.filed_on


def _extended(row: Row, e: Any) -> date:
    row["deadline"] = e.deadline
    row["extensions"] += 1
    return record_date(e)


def _extension_requested(row: Row, e: Any) -> date:
    """延期申请 (issue 14): the deadline stays until a decision; the request is pending."""
    row["extension_requested_on"] = e.requested_on
    return e.requested_on


def _extension_decided(row: Row, e: Any) -> date:
    """延期审批: an approval moves the deadline as a direct extension does; a refusal changes
    nothing but ends the pending request."""
    row["extension_requested_on"] = None
    if e.approved:
        row["deadline"] = e.deadline
        row["extensions"] += 1
    return e.decided_on


def _regraded(row: Row, e: Any) -> date:
    """The event carries the citation from now on (as `Hazard._regraded` applies it): None when
    a downgrade dropped a major criterion, or when none is cited."""
    row.update(level=e.level, criterion=e.criterion)
    return record_date(e)


_NO_PAPERWORK = dict(listing_department=None, listing_served_on=None, listing_signed_on=None,
                    listing_finish_by=None, listing_plan_by=None, listing_cancelled_on=None,
                    listing_served_by=None, listing_signed_by=None)


def _listed(row: Row, e: Any) -> date:
    """The old one-step 挂牌督办 (no paperwork): listing_state 'listed'."""
    row.update(_NO_PAPERWORK, supervision_level=e.level, supervision_doc=e.document_no,
               listed_on=e.listed_on, listing_state="listed")
    return e.listed_on


def _listing_issued(row: Row, e: Any) -> date:
    """挂牌督办通知书下达: a new notice starts its paperwork afresh (after a cancelled one)."""
    row.update(_NO_PAPERWORK, supervision_level=e.level, supervision_doc=e.document_no,
               listed_on=e.issued_on, listing_state="issued", listing_department=e.department)
    return e.issued_on


def _listing_served(row: Row, e: Any) -> date:
    row.update(listing_state="served", listing_served_on=e.served_on, listing_served_by=e.served_by)
    return e.served_on


def _listing_signed(row: Row, e: Any) -> date:
    """签收: the deadlines as the event carries them (computed once, from the 签收 date)."""
    row.update(listing_state="signed", listing_signed_on=e.signed_on, listing_signed_by=e.signed_by,
               listing_finish_by=e.finish_by, listing_plan_by=e.plan_by)
    return e.signed_on


def _listing_cancelled(row: Row, e: Any) -> date:
    """撤销挂牌督办: no longer supervised (grade, joint review), the paperwork's dates kept."""
    row.update(listing_state="cancelled", listing_cancelled_on=e.cancelled_on,
               supervision_level=None, supervision_doc=None, listed_on=None)
    return e.cancelled_on


def _enforced(row: Row, e: Any) -> date:
    first = row["first_enforced_on"]
    row.update(enforcement_count=row["enforcement_count"] + 1,
               first_enforced_on=e.taken_on if first is None else min(first, e.taken_on),
               last_enforced_on=e.taken_on, last_enforcement_kind=e.kind,
               last_enforcement_doc=e.document_no)
    return e.taken_on


def _rectified(row: Row, e: Any) -> date:
    row.update(rectified_on=e.rectified_on, rectification_cost=Decimal(e.cost), status="rectified")
    return e.rectified_on


def _back_to_rectifying(row: Row) -> None:
    """A failed review: rectification rejected, signatures start over (as in the domain)."""
    row.update(status="assigned", rectified_on=None, review_passed_on=None, joint_parties="",
               joint_review_on=None, failed_reviews=row["failed_reviews"] + 1)


def _reviewed(row: Row, e: Any) -> date:
    if e.passed:
        row["review_passed_on"] = e.reviewed_on
    else:
        _back_to_rectifying(row)
    return e.reviewed_on


def _joint_signed(row: Row, e: Any) -> date:
    if not e.passed:
        _back_to_rectifying(row)
        return e.reviewed_on
    parties = set(filter(None, row["joint_parties"].split(","))) | {e.party}
    row["joint_parties"] = ",".join(sorted(parties))
    if all(str(p) in parties for p in JOINT_REVIEW_PARTIES):
        row["joint_review_on"] = e.reviewed_on
    return e.reviewed_on


def _closure_report(row: Row, e: Any) -> date:
    row.update(closure_report_on=e.filed_on, closure_report_doc=e.document_no)
    return e.filed_on


def _closed(row: Row, e: Any) -> date:
    row.update(status="closed", closed_on=e.closed_on)
    return e.closed_on


def _withdrawn(row: Row, e: Any) -> date:
    row.update(status="withdrawn", withdrawn_on=record_date(e))
    return row["withdrawn_on"]


STEPS: dict[str, Callable[[Row, Any], date]] = {
    "Hazard.ResponsibilityAssigned": _assigned, "Hazard.RectificationPlanFiled": _plan,
    "Hazard.DeadlineExtended": _extended, "Hazard.Regraded": _regraded,
    "Hazard.ExtensionRequested": _extension_requested, "Hazard.ExtensionDecided": _extension_decided,
    "Hazard.ListedForSupervision": _listed, "Hazard.EnforcementRecorded": _enforced,
    "Hazard.ListingIssued": _listing_issued, "Hazard.ListingServed": _listing_served,
    "Hazard.ListingSigned": _listing_signed, "Hazard.ListingCancelled": _listing_cancelled,
    "Hazard.RectificationReported": _rectified, "Hazard.Reviewed": _reviewed,
    "Hazard.JointReviewSigned": _joint_signed, "Hazard.ClosureReportFiled": _closure_report,
    "Hazard.Closed": _closed, "Hazard.Withdrawn": _withdrawn,
}


def step_dates(events: list[Any]) -> list[date]:
    """The business date of each step of one hazard, its report first (the dates the ledger's
    changes carry)."""
    if not events:
        return []
    row, dates = reported(events[0]), [events[0].discovered_on]
    for event in events[1:]:
        row, day = apply(row, event)
        dates.append(day)
    return dates


def apply(row: Row, event: Any) -> tuple[Row, date]:
    """The row after a later step of the hazard, and that step's business date."""
    new = dict(row)
    return new, apply_in_place(new, event)


def apply_in_place(row: Row, event: Any) -> date:
    """`apply`, changing `row` itself (the ledger's batch owns its rows); the business date."""
    return STEPS[kind_of(type(event))](row, event)
