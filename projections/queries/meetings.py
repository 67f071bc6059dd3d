"""The monthly joint meeting pack (联席会材料, issue 14 §4): per township and per sector regulator,
what the safety committee's monthly meeting goes through (seed 003 §五(一)).

For a month M (days `start`–`end`), judged on `day` = M's last day (today while M runs):
- 新增重大隐患: hazards graded major (as they stood on `day`) found in M, not withdrawn;
- 逾期隐患: hazards overdue on `day` (responsibility assigned, deadline passed, not rectified);
- 挂牌督办: hazards listed on `day` and not closed or withdrawn before M, and listings cancelled
  in M, with their paperwork (下达 → 送达 → 签收, the deadlines that run from 签收);
- 交办事项: referrals to the unit referred by `day`, still unanswered on `day` (办理中 or
  逾期未答复), or answered in M (已答复);
- 执法: enforcement recorded by the regulators with a business date in M;
- 未报企业: the month's non-reporters (`projections/queries/self_reports.py`);
- 会议交办: the referrals recorded as decisions of M's meeting (`meeting` = M), whoever receives them.

Hazards read the ledger as of `day` (time travel: `projections/queries/base.py`); referrals and
non-reporters read the activity view. A hazard shows in its township's section and in its
sector's; a referral in its receiver's. Scope (`read_scope(...).as_filters()`): a township's
token gets its township's section only, a regulator's its sector's, the county-wide roles all.
Every row names its enterprise, township and sector in Chinese; codes and ids ride along for
programs (JSON) and are never among the printed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg.sql import SQL

from infra.reference import ReferenceData
from projections import labels
from projections.queries import referrals as referrals_q
from projections.queries import self_reports as self_reports_q
from projections.queries.base import Filters, Moment, fetch, hazards
from projections.labels import LISTING_STATE
from projections.queries.oversight import month_end
from projections.views.base import View

PARTS = ("new_major", "overdue", "listed", "referrals", "enforcement", "non_reporters")
PART_TITLES = {"new_major": "新增重大隐患", "overdue": "逾期未整改隐患", "listed": "挂牌督办隐患及文书办理情况",
               "referrals": "交办事项办理情况", "enforcement": "执法措施", "non_reporters": "未自查自报企业"}
COUNT_TITLES = {"new_major": "新增重大隐患", "overdue": "逾期隐患", "listed": "挂牌督办",
                "referrals_open": "交办办理中", "referrals_overdue": "交办逾期未答复",
                "referrals_answered": "交办本月已答复", "enforcement": "执法措施", "non_reporters": "未报企业"}


@dataclass(frozen=True)
class Unit:
    kind: str  # "township" or "sector"
    code: str
    name: str

    @property
    def kind_label(self) -> str:
        return labels.REFERRAL_RECEIVER[self.kind]  # 乡镇（街道） / 行业监管部门


def span(month: str) -> tuple[date, date]:
    """The first and last day of a month YYYY-MM (already checked)."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), month_end(year, number)


def units(scope: dict[str, str], reference: ReferenceData) -> list[Unit]:
    """The sections a scope sees: its township, its sector, or (county-wide) every township then
    every sector of the reference data. Any other scope sees none."""
    if not scope:
        return ([Unit("township", c, n) for c, n in reference.townships.items()]
                + [Unit("sector", c, n) for c, n in reference.sectors.items()])
    if len(scope) == 1 and next(iter(scope)) in ("township", "sector"):
        [(kind, code)] = scope.items()
        names = reference.townships if kind == "township" else reference.sectors
        return [Unit(kind, code, names.get(code, code))] if code in names else []
    return []


# --- hazards (ledger as of `day`) --------------------------------------------------------------
_HAZARDS = SQL(
    "SELECT * FROM base WHERE ({clause}) AND ("
    " (level = 'major' AND discovered_on >= %(start)s AND status <> 'withdrawn')"
    " OR overdue"
    " OR ((listing_state IS NOT NULL OR supervision_level IS NOT NULL)"
    "     AND (status NOT IN ('closed', 'withdrawn') OR closed_on >= %(start)s OR withdrawn_on >= %(start)s)"
    "     AND (listing_state IS DISTINCT FROM 'cancelled' OR listing_cancelled_on >= %(start)s))"
    ") ORDER BY discovered_on, enterprise_name, hazard_id")


def _hazard(row: dict[str, Any], reference: ReferenceData, day: date) -> dict[str, Any]:
    state = row["listing_state"] or ("listed" if row["supervision_level"] else None)
    return {
        "hazard_id": row["hazard_id"], "enterprise_id": row["enterprise_id"],
        "enterprise_name": row["enterprise_name"] or "（企业名称未登记）",
        "township": row["township"], "township_name": reference.townships.get(row["township"], ""),
        "sector": row["sector"], "sector_name": reference.sectors.get(row["sector"], ""),
        "description": row["description"], "level": row["level"],
        "grade_label": labels.grade_label(row["grade"], row["supervision_level"]),
        "status": row["status"], "status_label": labels.STATUS.get(row["status"], row["status"]),
        "discovered_on": row["discovered_on"], "responsible_person": row["responsible_person"],
        "deadline": row["deadline"], "overdue": row["overdue"],
        "overdue_days": (day - row["deadline"]).days if row["overdue"] else None,
        "supervision_level": row["supervision_level"],
        "supervision_label": labels.SUPERVISION.get(row["supervision_level"], "") if row["supervision_level"] else "",
        "supervision_doc": row["supervision_doc"], "listing_department": row["listing_department"],
        "listing_state": state, "listing_state_label": LISTING_STATE.get(state, "") if state else "",
        "listed_on": row["listed_on"], "listing_served_on": row["listing_served_on"],
        "listing_signed_on": row["listing_signed_on"], "listing_plan_by": row["listing_plan_by"],
        "listing_finish_by": row["listing_finish_by"], "listing_cancelled_on": row["listing_cancelled_on"],
    }


def _hazards(ledger: View, scope: dict[str, str], reference: ReferenceData, start: date,
             day: date) -> dict[str, list[dict[str, Any]]]:
    """The month's new major hazards, the overdue and the listed ones, in scope, as of `day`."""
    cte, params = hazards(ledger, Moment(as_of=day))
    clause, more = Filters(scope=scope).clause()
    found = fetch(ledger, cte + _HAZARDS.format(clause=clause), {**params, **more, "start": start})
    out: dict[str, list[dict[str, Any]]] = {"new_major": [], "overdue": [], "listed": []}
    for row in found:
        item = _hazard(row, reference, day)
        if row["level"] == "major" and row["discovered_on"] >= start and row["status"] != "withdrawn":
            out["new_major"].append(item)
        if row["overdue"]:
            out["overdue"].append(item)
        if item["listing_state"] is not None and (
                row["status"] not in ("closed", "withdrawn") or (row["closed_on"] or row["withdrawn_on"]) >= start) and (
                row["listing_state"] != "cancelled" or row["listing_cancelled_on"] >= start):
            out["listed"].append(item)
    return out


# --- enforcement (ledger changes with a business date in the month) ---------------------------
_ENFORCEMENT = SQL(
    "WITH ch AS (SELECT c.hazard_id, c.business_date AS taken_on, c.last_enforcement_kind AS kind, "
    "c.last_enforcement_doc AS document_no, c.description, c.township, c.sector, c.enterprise_id, "
    "c.agency_id, c.position, e.name AS enterprise_name FROM {changes} c "
    "LEFT JOIN {ent} e ON e.enterprise_id = c.enterprise_id "
    "WHERE c.change = 'EnforcementRecorded' AND c.business_date BETWEEN %(start)s AND %(day)s) "
    "SELECT * FROM ch WHERE {clause} ORDER BY taken_on, position")


def _enforcement(ledger: View, scope: dict[str, str], reference: ReferenceData, start: date,
                 day: date) -> list[dict[str, Any]]:
    clause, params = Filters(scope=scope).clause()
    query = _ENFORCEMENT.format(changes=ledger.table("ledger_hazard_changes"),
                                ent=ledger.table("ledger_enterprises"), clause=clause)
    return [{"hazard_id": r["hazard_id"], "taken_on": r["taken_on"], "kind": r["kind"],
             "kind_label": labels.ENFORCEMENT.get(r["kind"], r["kind"]), "document_no": r["document_no"],
             "description": r["description"], "enterprise_id": r["enterprise_id"],
             "enterprise_name": r["enterprise_name"] or "（企业名称未登记）",
             "township": r["township"], "township_name": reference.townships.get(r["township"], ""),
             "sector": r["sector"], "sector_name": reference.sectors.get(r["sector"], "")}
            for r in fetch(ledger, query, {**params, "start": start, "day": day})]


# --- referrals (activity view) -------------------------------------------------------------------
def _enterprise_names(activity: View, rows: list[dict[str, Any]]) -> dict[str, str]:
    ids = sorted({h.get("enterprise_id") for r in rows for h in r["hazards"] if h.get("enterprise_id")})
    if not ids:
        return {}
    query = SQL("SELECT enterprise_id, name FROM {} WHERE enterprise_id = ANY(%(ids)s)").format(
        activity.table("activity_enterprises"))
    return {r["enterprise_id"]: r["name"] for r in fetch(activity, query, {"ids": ids})}


def _referral(row: dict[str, Any], reference: ReferenceData, day: date, names: dict[str, str]) -> dict[str, Any]:
    item = referrals_q.item(row, reference, day)
    item["hazards"] = [{"id": h["id"], "description": h["description"],
                        "enterprise_name": names.get(h.get("enterprise_id"), "（企业名称未登记）"),
                        "township_name": reference.townships.get(h.get("township"), ""),
                        "sector_name": reference.sectors.get(h.get("sector"), "")} for h in row["hazards"]]
    item["hazards_text"] = "；".join(f"{h['enterprise_name']}：{h['description']}" for h in item["hazards"])
    item["signed_text"] = (f"{item['signed_on']} {item['signed_by'] or ''}".strip() if item["signed_on"]
                           else "待签收")
    item["meeting_label"] = f"{row['meeting'][:4]}年{int(row['meeting'][5:7])}月联席会" if row["meeting"] else ""
    return item


def _referrals(activity: View, scope: dict[str, str], reference: ReferenceData, *, start: date, day: date,
               meeting: str | None = None) -> list[dict[str, Any]]:
    """Referred by `day` and unanswered on it or answered in the month; or (`meeting`) the
    decisions of that month's meeting."""
    if meeting is None:
        where = SQL("referred_on <= %(day)s AND (answered_on IS NULL OR answered_on >= %(start)s)")
        params: dict[str, Any] = {"start": start}
    else:
        where, params = SQL("meeting = %(meeting)s"), {"meeting": meeting}
    _, rows = referrals_q.rows(activity, scope=scope, day=day, where=where, params=params)
    names = _enterprise_names(activity, rows)
    return [_referral(r, reference, day, names) for r in rows]


# --- the pack ------------------------------------------------------------------------------------
def _non_reporter(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("enterprise_id", "name", "township", "township_name", "sector",
                                "sector_name", "scale_label", "last_reported_month")}


def gather(ledger: View, activity: View, *, month: str, scope: dict[str, str],
           reference: ReferenceData, today: date, due_on: date) -> dict[str, Any]:
    """Every row of the pack in scope, each once: {month, start, end, as_of, complete, units,
    new_major, overdue, listed, referrals, enforcement, non_reporters, decisions}."""
    start, end = span(month)
    day = min(end, today)
    found = _hazards(ledger, scope, reference, start, day)
    missing = self_reports_q.non_reporters(activity, month, scope=scope, reference=reference,
                                           due_on=due_on)["items"]
    return {"month": month, "start": start, "end": end, "as_of": day, "complete": end < today,
            "units": units(scope, reference), **found,
            "referrals": _referrals(activity, scope, reference, start=start, day=day),
            "enforcement": _enforcement(ledger, scope, reference, start, day),
            "non_reporters": [_non_reporter(r) for r in missing],
            "decisions": _referrals(activity, scope, reference, start=start, day=day, meeting=month)}


def _belongs(unit: Unit, part: str, row: dict[str, Any]) -> bool:
    if part == "referrals":
        return (row["receiver_kind"], row["receiver"]) == (unit.kind, unit.code)
    return row[unit.kind] == unit.code


def _counts(parts: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    states = [r["state"] for r in parts["referrals"]]
    return {"new_major": len(parts["new_major"]), "overdue": len(parts["overdue"]),
            "listed": len(parts["listed"]), "referrals_open": states.count("open"),
            "referrals_overdue": states.count("overdue"), "referrals_answered": states.count("answered"),
            "enforcement": len(parts["enforcement"]), "non_reporters": len(parts["non_reporters"])}


def pack(facts: dict[str, Any]) -> dict[str, Any]:
    """The pack by unit: a summary row per unit in scope (every township, every sector), and a
    section for each unit with anything to show."""
    summary, sections = [], []
    for unit in facts["units"]:
        parts = {part: [r for r in facts[part] if _belongs(unit, part, r)] for part in PARTS}
        counts = _counts(parts)
        head = {"kind": unit.kind, "kind_label": unit.kind_label, "code": unit.code, "name": unit.name}
        summary.append({**head, **counts})
        if any(counts.values()):
            sections.append({**head, "counts": counts, **parts})
    return {k: facts[k] for k in ("month", "start", "end", "as_of", "complete")} | {
        "summary": summary, "sections": sections, "decisions": facts["decisions"]}


# --- columns for people (HTML and XLSX): names, never codes or ids --------------------------------
HAZARD_COLUMNS = [("enterprise_name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
                  ("description", "隐患描述"), ("grade_label", "隐患等级"), ("status_label", "状态"),
                  ("discovered_on", "发现日期"), ("responsible_person", "责任人"), ("deadline", "整改期限")]
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "new_major": HAZARD_COLUMNS,
    "overdue": [*HAZARD_COLUMNS, ("overdue_days", "逾期天数")],
    "listed": [("enterprise_name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
               ("description", "隐患描述"), ("supervision_label", "督办级别"), ("supervision_doc", "督办文号"),
               ("listing_department", "督办部门"), ("listing_state_label", "文书状态"),
               ("listed_on", "下达日期"), ("listing_served_on", "送达日期"), ("listing_signed_on", "签收日期"),
               ("listing_plan_by", "治理方案备案期限"), ("listing_finish_by", "责令治理完毕期限"),
               ("listing_cancelled_on", "撤销日期"), ("status_label", "隐患状态")],
    "referrals": [("receiver_name", "接收单位"), ("document_no", "交办文号"), ("referred_on", "交办日期"),
                  ("due_on", "办理期限"), ("instructions", "交办要求"), ("hazards_text", "涉及隐患"),
                  ("signed_text", "签收"), ("answered_on", "答复日期"), ("answer", "答复内容"),
                  ("state_label", "办理状态"), ("meeting_label", "会议")],
    "enforcement": [("taken_on", "执法日期"), ("enterprise_name", "企业名称"), ("township_name", "乡镇（街道）"),
                    ("sector_name", "行业"), ("description", "隐患描述"), ("kind_label", "执法措施"),
                    ("document_no", "执法文书编号")],
    "non_reporters": [("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
                      ("scale_label", "规模"), ("last_reported_month", "最近自报月份")],
}
SUMMARY_COLUMNS = [("kind_label", "单位类别"), ("name", "单位"),
                   *((key, title) for key, title in COUNT_TITLES.items())]


def sheets(facts: dict[str, Any]) -> list[tuple[list[tuple[str, str]], list[dict[str, Any]], str]]:
    """The pack as worksheets (`projections.export.workbook`): the summary by unit, then each
    part once (a hazard once, with its township and sector), then the meeting's decisions."""
    month = facts["month"]
    return [(SUMMARY_COLUMNS, pack(facts)["summary"], f"{month} 汇总"),
            *((COLUMNS[part], facts[part], PART_TITLES[part]) for part in PARTS),
            (COLUMNS["referrals"], facts["decisions"], "本次联席会交办事项")]
