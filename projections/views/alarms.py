"""The alarms table of the activity view (智慧用电告警, issue 15 §4): one row per device alarm.

`activity_alarms` is kept by the activity view's transactions (same tracking position, exactly
once; merged into `ActivityView` as `referrals.py` is — no follower of its own, for the same
reason: connections). Fed by `Alarm.Posted` (the enterprise, its township and sector, device,
kind, reading, time and the month of that time in Asia/Shanghai) and `Alarm.Linked` (the hazard
the alarm raised, or the episode's hazard it joined). A store whose activity view was built
before this table needs `hazard projections rebuild activity` once for alarms stored earlier.
"""

from __future__ import annotations

from typing import Any

from infra.clock import SHANGHAI
from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

ALARMS = "activity_alarms"

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_alarms (alarm_key text PRIMARY KEY, "
    "alarm_id text NOT NULL, enterprise_id text NOT NULL, township text NOT NULL, "
    "sector text NOT NULL, device_id text NOT NULL, kind text NOT NULL, reading numeric NOT NULL, "
    "occurred_at timestamptz NOT NULL, month text NOT NULL, hazard_id text, "
    "raised boolean NOT NULL DEFAULT false)",
    "CREATE INDEX IF NOT EXISTS activity_alarms_month ON {schema}.activity_alarms (month, township, kind)",
    "CREATE INDEX IF NOT EXISTS activity_alarms_enterprise ON {schema}.activity_alarms (enterprise_id, month)",
)

LAYOUT = (
    Table(ALARMS, ("alarm_key", "alarm_id", "enterprise_id", "township", "sector", "device_id", "kind",
                   "reading", "occurred_at", "month", "hazard_id", "raised"), key="alarm_key"),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _posted(fold: Fold, e: Any, position: int) -> None:
    local = e.occurred_at.astimezone(SHANGHAI)
    fold.put(ALARMS, _id(e), {
        "alarm_key": _id(e), "alarm_id": e.alarm_id, "enterprise_id": e.enterprise_id,
        "township": e.township, "sector": e.sector, "device_id": e.device_id, "kind": e.kind,
        "reading": e.reading, "occurred_at": e.occurred_at, "month": f"{local.year:04d}-{local.month:02d}",
        "hazard_id": None, "raised": False})


@changing(ALARMS, _id)
def _linked(row: dict, e: Any, position: int) -> None:
    row.update(hazard_id=e.hazard_id, raised=e.raised)


HANDLERS = {"Alarm.Posted": _posted, "Alarm.Linked": _linked}
CHANGES = {"Alarm.Linked": (ALARMS, _id)}
