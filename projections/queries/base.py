"""What every ledger-based read shares: the moment it is read at, filters, the hazard set.

Time travel (SPEC §3, issue 4 decision):
- `as_of` (a business date D): each hazard as its latest change whose business date is on
  or before D — a hazard closed in June is open as of May; hazards found after D are absent;
- `known_at` (a record time T): only changes recorded by T — what the ledger said then;
- both combine; neither reads the current table `ledger_hazards` directly.
Overdue (逾期) is judged on D (today in Asia/Shanghai when no `as_of` is given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from psycopg.sql import SQL, Composed, Identifier

from infra.clock import today
from projections.views.base import View
from projections.views.hazard_rows import COLUMNS

RECTIFIED = ("rectified", "closed")  # 已整改: rectification reported and not sent back


@dataclass(frozen=True)
class Moment:
    as_of: date | None = None        # business date
    known_at: datetime | None = None  # record time (UTC)

    @property
    def day(self) -> date:
        """The date overdue and time limits are judged on."""
        return self.as_of or today()

    @property
    def travels(self) -> bool:
        return self.as_of is not None or self.known_at is not None

    def describe(self) -> dict[str, Any]:
        return {"as_of": self.day.isoformat(),
                "known_at": self.known_at.isoformat() if self.known_at else None}


EQUALS = ("township", "sector", "enterprise_id", "agency_id", "inspection_id", "source",
          "category", "supervision_level", "responsible_person")
SCOPE_COLUMNS = ("township", "sector", "enterprise_id", "agency_id")
RANGES = ("discovered_on", "deadline", "rectified_on", "closed_on")


@dataclass
class Filters:
    """Row filters on the ledger; `scope` holds the token's constraints (always applied)."""

    equals: dict[str, str] = field(default_factory=dict)
    grade: str | None = None                 # general / major / supervised (挂牌督办)
    status: tuple[str, ...] = ()
    overdue: bool | None = None
    enterprise_name: str | None = None       # contains
    ranges: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    scope: dict[str, str] = field(default_factory=dict)
    search: str | None = None                # 企业名称 or 信用代码 or 隐患编号 contains (issue 17 §4)

    def clause(self) -> tuple[Composed, dict[str, Any]]:
        """A boolean SQL expression (no WHERE) and its parameters."""
        parts: list[Composed] = []
        params: dict[str, Any] = {}
        for i, (column, value) in enumerate([*self.equals.items(), *self.scope.items()]):
            parts.append(SQL("{} = %({})s").format(Identifier(column), SQL(f"eq{i}")))
            params[f"eq{i}"] = value
        if self.grade:
            parts.append(SQL("grade = %(grade)s"))
            params["grade"] = self.grade
        if self.status:
            parts.append(SQL("status = ANY(%(status)s)"))
            params["status"] = list(self.status)
        if self.overdue is not None:
            parts.append(SQL("overdue = %(overdue)s"))
            params["overdue"] = self.overdue
        if self.enterprise_name:
            parts.append(SQL("enterprise_name ILIKE %(ename)s"))
            params["ename"] = f"%{self.enterprise_name}%"
        if self.search:
            parts.append(SQL("(enterprise_name ILIKE %(q)s OR credit_code ILIKE %(q)s "
                             "OR hazard_no ILIKE %(q_no)s)"))
            params["q"], params["q_no"] = like(self.search), like(number_part(self.search))
        for column, (low, high) in self.ranges.items():
            for bound, op, value in (("lo", ">=", low), ("hi", "<=", high)):
                if value is not None:
                    parts.append(SQL("{} {} %({})s").format(Identifier(column), SQL(op),
                                                           SQL(f"{column}_{bound}")))
                    params[f"{column}_{bound}"] = value
        clause = SQL(" AND ").join(parts) if parts else SQL("TRUE")
        return clause, params


def like(text: str) -> str:
    """`%text%` for ILIKE, the pattern characters in the text taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def number_part(text: str) -> str:
    """What of a searched hazard number is stored: "宁海-2026-000123" → "2026-000123" (the
    county's short name is only put in front when shown)."""
    text = text.strip()
    head, dash, rest = text.partition("-")
    return rest if dash and head and not head.isdigit() else text


_SNAP_COLS = SQL(", ").join(Identifier(c) for c in ["hazard_id", *COLUMNS, "recorded_at", "position"])


def snapshot(view: View, moment: Moment) -> tuple[Composed, dict[str, Any]]:
    """The hazard rows as they stood at the moment: one row per hazard."""
    if not moment.travels:
        return SQL("SELECT {} FROM {}").format(_SNAP_COLS, view.table("ledger_hazards")), {}
    conditions, params = [], {}
    if moment.as_of is not None:
        conditions.append(SQL("business_date <= %(as_of)s"))
        params["as_of"] = moment.as_of
    if moment.known_at is not None:
        conditions.append(SQL("recorded_at <= %(known_at)s"))
        params["known_at"] = moment.known_at
    return SQL("SELECT DISTINCT ON (hazard_id) {} FROM {} WHERE {} "
               "ORDER BY hazard_id, position DESC").format(
        _SNAP_COLS, view.table("ledger_hazard_changes"), SQL(" AND ").join(conditions)), params


def hazards(view: View, moment: Moment) -> tuple[Composed, dict[str, Any]]:
    """`WITH base AS (…)`: the snapshot with names, grade (等级) and overdue (逾期) on the day."""
    snap, params = snapshot(view, moment)
    params["day"] = moment.day
    cte = SQL(
        "WITH snap AS ({snap}), base AS ("
        "SELECT snap.*, e.name AS enterprise_name, e.credit_code, a.name AS agency_name, "
        "CASE WHEN snap.supervision_level IS NOT NULL THEN 'supervised' ELSE snap.level END AS grade, "
        "(snap.status = 'assigned' AND snap.deadline < %(day)s) AS overdue "
        "FROM snap LEFT JOIN {ent} e ON e.enterprise_id = snap.enterprise_id "
        "LEFT JOIN {ag} a ON a.agency_id = snap.agency_id) ").format(
        snap=snap, ent=view.table("ledger_enterprises"), ag=view.table("ledger_agencies"))
    return cte, params


def fetch(view: View, query: Composed, params: dict[str, Any]) -> list[dict[str, Any]]:
    with view.datastore.transaction(commit=False) as curs:
        curs.execute(query, params)
        return list(curs.fetchall())
