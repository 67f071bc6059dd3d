"""待办 (GET /todo, issue 14 §6): what the token's holder must do next, from the read models.

Each item is one step of the lifecycle (domain/hazard.py, domain/supervision_notice.py,
domain/referral.py; rules in domain/rules.py) that the holder's party takes next, on a record in
its scope, oldest first. Who takes which step, and the rule behind it: docs/todo.md.

- enterprise: 签收挂牌督办 (listing served), 落实责任人 (reported), 备案治理方案 (major, or a signed
  notice's 方案备案期限), 整改 (assigned; the deadline, or the notice's 治理完毕期限 if earlier),
  提交书面销号报告 (joint review complete), 月度自查自报 (this month's; last month's while missing);
- township / agency: 复查 a general hazard; township / regulator / agency: 联合复查签字 of a major
  or listed one (its party's signature missing); township / regulator: 签收, then 答复 a referral
  to its unit; township: 审批延期申请 of general hazards;
- bureau: 送达挂牌督办通知书 (issued), 审批延期申请 of major or listed hazards, 销号 (review passed,
  closure report when required).

`row_duties` is pure (a ledger row → the role's steps on it); `todo` reads the views: the
ledger's current rows (`ledger_hazards`), and from the activity view the month's self-reports,
the referrals, and for an agency the contracts and agreements in force today (the enterprises
it serves: the hazards it may act on, as `services.access.agency_in_scope` judges a write).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from psycopg.sql import SQL, Composable

from domain.self_report import SelfReportPolicy
from infra.clock import SHANGHAI
from infra.reference import ReferenceData
from projections.labels import grade_label
from projections.queries.base import fetch
from projections.queries.ledger import number as hazard_number
from projections.queries.todo_duties import KINDS, ORDER, ROLE_KINDS, row_duties
from projections.views.base import View

OPEN = ("reported", "assigned", "rectified")


@dataclass(frozen=True)
class Holder:
    """The token's holder as the to-do needs it (projections never import services)."""

    role: str
    township: str | None = None
    sector: str | None = None
    enterprise_id: str | None = None
    agency_id: str | None = None


# --- reading the views ------------------------------------------------------------------------
_HAZARDS = SQL(
    "SELECT h.hazard_id, h.enterprise_id, h.township, h.sector, h.description, h.level, "
    "h.supervision_level, h.status, h.discovered_on, h.assigned_on, h.deadline, h.plan_filed_on, "
    "h.rectified_on, h.review_passed_on, h.joint_parties, h.joint_review_on, h.closure_report_on, "
    "h.listed_on, h.listing_state, h.listing_served_on, h.listing_signed_on, h.listing_finish_by, "
    "h.listing_plan_by, h.extension_requested_on, h.hazard_no, e.name AS enterprise_name "
    "FROM {hz} h LEFT JOIN {ent} e ON e.enterprise_id = h.enterprise_id "
    "WHERE h.status = ANY(%(open)s) AND ({candidates}) AND {scope}")

# the rows a role's steps can start from (a narrower read than every open hazard)
_CANDIDATES = {
    "enterprise": SQL("TRUE"),
    "township": SQL("h.status = 'rectified' OR h.extension_requested_on IS NOT NULL"),
    "regulator": SQL("h.status = 'rectified'"),
    "agency": SQL("h.status = 'rectified'"),
    "bureau": SQL("h.status = 'rectified' OR h.extension_requested_on IS NOT NULL "
                  "OR h.listing_state = 'issued'"),
}

_SERVED = SQL(
    "SELECT c.enterprise_id FROM {con} c WHERE c.agency_id = %(agency)s "
    " AND c.start_on <= %(day)s AND c.last_day >= %(day)s "
    "UNION SELECT e.enterprise_id FROM {ent} e JOIN {agr} g ON e.township = ANY(g.townships) "
    " AND e.sector = ANY(g.sectors) WHERE g.agency_id = %(agency)s "
    " AND g.start_on <= %(day)s AND g.end_on >= %(day)s")


def served_enterprises(activity: View, agency_id: str, day: date) -> list[str]:
    """The enterprises an agency serves on `day`: a countersigned contract in force, or a
    procurement agreement in force covering their township × sector (`SubjectQueries.engagements`)."""
    query = _SERVED.format(con=activity.table("activity_contracts"), ent=activity.table("activity_enterprises"),
                           agr=activity.table("activity_agreements"))
    return [r["enterprise_id"] for r in fetch(activity, query, {"agency": agency_id, "day": day})]


def _scope(holder: Holder, served: list[str] | None) -> tuple[Composable, dict[str, Any]]:
    """The holder's hazards: a township its township's, a regulator its sector's, an enterprise
    its own, an agency those of the enterprises it serves today, the bureau the county's."""
    if holder.role == "township":
        return SQL("h.township = %(township)s"), {"township": holder.township or "-"}
    if holder.role == "regulator":
        return SQL("h.sector = %(sector)s"), {"sector": holder.sector or "-"}
    if holder.role == "enterprise":
        return SQL("h.enterprise_id = %(enterprise)s"), {"enterprise": holder.enterprise_id or "-"}
    if holder.role == "agency":
        return SQL("h.enterprise_id = ANY(%(served)s)"), {"served": served or []}
    return SQL("TRUE"), {}


def _hazard_rows(ledger: View, holder: Holder, served: list[str] | None) -> list[dict[str, Any]]:
    scope, params = _scope(holder, served)
    query = _HAZARDS.format(hz=ledger.table("ledger_hazards"), ent=ledger.table("ledger_enterprises"),
                            candidates=_CANDIDATES[holder.role], scope=scope)
    return fetch(ledger, query, {**params, "open": list(OPEN)})


def _subject(row: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    level_label = grade_label("supervised" if row["supervision_level"] else row["level"], row["supervision_level"])
    description = row["description"] or ""
    short = description if len(description) <= 40 else description[:39] + "…"
    name = row["enterprise_name"] or "（企业名称未登记）"
    number = hazard_number(row.get("hazard_no"), reference)  # issue 17 §4: 宁海-2026-000123
    return {"hazard_id": row["hazard_id"], "hazard_no": number, "enterprise_id": row["enterprise_id"],
            "enterprise_name": name, "description": description,
            "township_name": reference.townships.get(row["township"], ""),
            "sector_name": reference.sectors.get(row["sector"], ""),
            "level_label": level_label, "discovered_on": row["discovered_on"],
            "subject": f"{number + ' ' if number else ''}{name}：{short}（{row['discovered_on']} 发现，{level_label}）",
            "link": f"/hazards/{row['hazard_id']}"}


def hazard_items(ledger: View, holder: Holder, reference: ReferenceData, *,
                 served: list[str] | None = None) -> list[dict[str, Any]]:
    """The holder's steps on hazards, as to-do items (not yet sorted)."""
    items = []
    for row in _hazard_rows(ledger, holder, served):
        for duty in row_duties(holder.role, row):
            items.append({"kind": duty.kind, "since": duty.since, "due_on": duty.due_on,
                          **_subject(row, reference)})
    return items


_SELF_REPORTS = SQL(
    "SELECT e.name, e.registered_at, "
    "ARRAY(SELECT s.month FROM {sr} s WHERE s.enterprise_id = e.enterprise_id "
    " AND s.month = ANY(%(months)s)) AS filed "
    "FROM {ent} e WHERE e.enterprise_id = %(enterprise)s")


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def self_report_items(activity: View, enterprise_id: str, today: date,
                      policy: SelfReportPolicy) -> list[dict[str, Any]]:
    """This month's self-report while not filed, and last month's while missing (the
    enterprise registered before that month ended)."""
    first = today.replace(day=1)
    last_month_first = (first - timedelta(days=1)).replace(day=1)
    months = [(last_month_first, first - timedelta(days=1)), (first, None)]
    query = _SELF_REPORTS.format(sr=activity.table("activity_self_reports"),
                                 ent=activity.table("activity_enterprises"))
    rows = fetch(activity, query, {"enterprise": enterprise_id,
                                   "months": [_month(start) for start, _ in months]})
    if not rows:
        return []
    enterprise, items = rows[0], []
    registered = enterprise["registered_at"].astimezone(SHANGHAI).date()
    for start, end in months:
        month = _month(start)
        if month in enterprise["filed"] or (end is not None and registered > end):
            continue
        items.append({"kind": "self_report", "since": start, "due_on": policy.due(month),
                      "month": month, "enterprise_id": enterprise_id,
                      "enterprise_name": enterprise["name"],
                      "subject": f"{enterprise['name']}：{start.year} 年 {start.month} 月隐患自查自报",
                      "link": "/self-reports"})
    return items


_REFERRALS = SQL(
    "SELECT referral_id, document_no, instructions, referred_on, due_on, signed_on, hazards "
    "FROM {ref} WHERE receiver_kind = %(kind)s AND receiver = %(unit)s AND answered_on IS NULL")


def referral_items(activity: View, holder: Holder) -> list[dict[str, Any]]:
    """The referrals (交办) to the holder's unit not yet answered: sign for it (签收) first, then
    answer it (答复) by its due date (rules referral-by-receiver, referral-answer-after-signing)."""
    kind, unit = ("township", holder.township) if holder.role == "township" else ("sector", holder.sector)
    query = _REFERRALS.format(ref=activity.table("activity_referrals"))
    items = []
    for row in fetch(activity, query, {"kind": kind, "unit": unit or "-"}):
        hazards = row["hazards"] or []
        named = "、".join(h["description"] for h in hazards[:2]) + ("等" if len(hazards) > 2 else "")
        document = f"（{row['document_no']}）" if row["document_no"] else ""
        signed = row["signed_on"] is not None
        items.append({"kind": "referral_answer" if signed else "referral_sign",
                      "since": row["signed_on"] if signed else row["referred_on"], "due_on": row["due_on"],
                      "referral_id": row["referral_id"], "instructions": row["instructions"],
                      "hazard_ids": [h["id"] for h in hazards],
                      "subject": f"交办{document}：{len(hazards)} 项隐患（{named}）",
                      "link": f"/referrals?id={row['referral_id']}"})
    return items


def finish(items: Iterable[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Labels and the overdue flag; oldest first (then by step, then subject)."""
    out = []
    for item in items:
        due = item.get("due_on")
        out.append({**item, "kind_label": KINDS[item["kind"]],
                    "overdue": due is not None and due < today})
    out.sort(key=lambda i: (i["since"], ORDER[i["kind"]], i["subject"]))
    return out


def todo(ledger: View, activity: View, holder: Holder, *, today: date, reference: ReferenceData,
         self_report_policy: SelfReportPolicy) -> list[dict[str, Any]]:
    """Every step the holder must take next, oldest first (an empty list for the roles that
    only read: auditor, investigator, admin)."""
    if holder.role not in ROLE_KINDS:
        return []
    served = served_enterprises(activity, holder.agency_id or "-", today) if holder.role == "agency" else None
    items = hazard_items(ledger, holder, reference, served=served)
    if holder.role == "enterprise" and holder.enterprise_id:
        items += self_report_items(activity, holder.enterprise_id, today, self_report_policy)
    if holder.role in ("township", "regulator"):
        items += referral_items(activity, holder)
    return finish(items, today)
