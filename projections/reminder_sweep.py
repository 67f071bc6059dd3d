"""The reminder follower's two steps (提醒跟随): bring the facts up to the log, then sweep a day.

1. `catch_up`: the `reminders` view (`projections/views/reminders.py`) applies the events it has
   not applied yet, read through the one reader of the log (`projections.replay.replay`): each
   event once — the view's rows and its tracking position commit together.
2. `sweep(today)`: the facts as the view holds them → `domain.reminders.due(…)` → the store
   (`infra.reminders.ReminderStore.record`): each (subject, kind, day) stored once, with its
   deliveries queued in the same transaction.

`ReminderFollower.step(today)` does both, and skips the sweep when neither the day nor the
view's position moved since the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import orjson

from domain.reminders import (RECIPIENT_LABELS, SUBJECT_LABELS, EnterpriseFacts, HazardFacts,
                              Reminder, ReminderPolicy, ReferralFacts, due, kind_label,
                              last_day_of_month, weekdays)
from infra.log_reader import LogReader
from infra.reference import ReferenceData
from infra.reminders import Raised, ReminderStore
from infra.subjects import PREFIX, reminder_subject
from projections.replay import replay
from projections.views.reminders import ENTERPRISES, HAZARDS, REFERRALS, REPORTS, ReminderView

WorkingDay = Callable[[date], bool]


class ReminderFollower:
    def __init__(self, view: ReminderView, store: ReminderStore, *, policy: ReminderPolicy,
                 reference: ReferenceData, working: WorkingDay = weekdays,
                 prefix: str = PREFIX) -> None:
        self.view, self.store = view, store
        self.policy, self.reference, self.working, self.prefix = policy, reference, working, prefix
        self._swept: tuple[date, int] | None = None

    def catch_up(self, reader: LogReader) -> int:
        """Apply the events the view has not applied yet; answers its position."""
        return replay(self.view, reader, after=self.view.position(), batch_size=2000)

    def step(self, reader: LogReader, today: date) -> list[str]:
        """Catch up, then sweep `today` unless nothing moved since the last sweep."""
        position = self.catch_up(reader)
        if self._swept == (today, position):
            return []
        stored = self.sweep(today)
        self._swept = (today, position)
        return stored

    def sweep(self, today: date) -> list[str]:
        """Store every reminder due on `today` not stored yet; answers the ids stored now."""
        reminders = due(**self.facts(today), today=today, policy=self.policy, working=self.working)
        return self.store.record([self.raised(r) for r in reminders])

    # --- facts ---------------------------------------------------------------------------------
    def facts(self, today: date) -> dict[str, list[Any]]:
        with self.view.datastore.transaction(commit=False) as curs:
            curs.execute(self.view.sql(
                "SELECT h.hazard_id, h.enterprise_id, coalesce(e.name, '') AS enterprise_name, "
                "h.township, h.sector, h.level, h.supervision_level IS NOT NULL AS supervised, "
                "h.description, h.status, h.deadline, h.assigned_on, h.responsible_person, "
                "coalesce(h.responsible_phone, '') AS responsible_phone, h.extension_requested_on "
                "FROM {schema}.{h} h LEFT JOIN {schema}.{e} e USING (enterprise_id) "
                "WHERE h.status = 'assigned' AND h.deadline IS NOT NULL ORDER BY h.hazard_id",
                h=HAZARDS, e=ENTERPRISES))
            hazards = [HazardFacts(id=r.pop("hazard_id"), **r) for r in curs.fetchall()]
            curs.execute(self.view.sql(
                "SELECT referral_id, receiver_kind, receiver, referred_on, due_on, answered_on, "
                "document_no, hazards FROM {schema}.{r} WHERE answered_on IS NULL "
                "ORDER BY referral_id", r=REFERRALS))
            referrals = curs.fetchall()
            names = self._names(curs, {h.get("enterprise_id") for r in referrals for h in r["hazards"]})
            enterprises: list[EnterpriseFacts] = []
            if (last_day_of_month(today) - today).days < self.policy.self_report_last_days:
                curs.execute(self.view.sql(
                    "SELECT enterprise_id, name, township, sector FROM {schema}.{e} e "
                    "WHERE NOT EXISTS (SELECT FROM {schema}.{r} r WHERE r.enterprise_id = "
                    "e.enterprise_id AND r.month = %s) ORDER BY enterprise_id", e=ENTERPRISES,
                    r=REPORTS), (f"{today.year:04d}-{today.month:02d}",))
                enterprises = [EnterpriseFacts(id=r["enterprise_id"], name=r["name"],
                                               township=r["township"], sector=r["sector"])
                               for r in curs.fetchall()]
        return {"hazards": hazards, "referrals": [self._referral(r, names) for r in referrals],
                "enterprises": enterprises}

    def _names(self, curs: Any, ids: Iterable[str | None]) -> dict[str, str]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        curs.execute(self.view.sql("SELECT enterprise_id, name FROM {schema}.{e} "
                                   "WHERE enterprise_id = ANY(%s)", e=ENTERPRISES), (wanted,))
        return {r["enterprise_id"]: r["name"] for r in curs.fetchall()}

    def _referral(self, r: dict, names: dict[str, str]) -> ReferralFacts:
        receiver_name = (self.reference.townships.get(r["receiver"], r["receiver"])
                         if r["receiver_kind"] == "township"
                         else f"{self.reference.sectors.get(r['receiver'], r['receiver'])}行业主管部门")
        hazards = tuple((names.get(h.get("enterprise_id") or "", "企业"), h.get("description", ""))
                        for h in r["hazards"])
        return ReferralFacts(id=r["referral_id"], receiver_kind=r["receiver_kind"],
                             receiver=r["receiver"], receiver_name=receiver_name,
                             referred_on=r["referred_on"], due_on=r["due_on"],
                             answered_on=r["answered_on"], hazards=hazards,
                             document_no=r["document_no"])

    # --- what is stored and sent ---------------------------------------------------------------
    def raised(self, r: Reminder) -> Raised:
        fields = {"reminder_id": r.id, "subject_kind": r.subject_kind, "subject_id": r.subject_id,
                  "kind": r.kind, "day": r.day, "township": r.township, "sector": r.sector,
                  "recipient_role": r.recipient_role, "recipient_unit": r.recipient_unit,
                  "phone": r.phone, "enterprise_id": r.enterprise_id, "text": r.text}
        body = self.body(r)
        private = {**body, "recipient": {**body["recipient"], "phone": r.phone}}
        return Raised(fields, orjson.dumps(body), reminder_subject(self.prefix, r.township, r.sector, r.kind),
                      orjson.dumps(private))

    def body(self, r: Reminder) -> dict:
        """The reminder as published and POSTed (JSON; no phone number)."""
        return {
            "id": r.id, "kind": r.kind, "kind_label": kind_label(r.kind), "day": r.day.isoformat(),
            "subject": {"kind": r.subject_kind, "kind_label": SUBJECT_LABELS.get(r.subject_kind, ""),
                        "id": r.subject_id},
            "township": r.township, "township_name": self.reference.townships.get(r.township or ""),
            "sector": r.sector, "sector_name": self.reference.sectors.get(r.sector or ""),
            "enterprise_id": r.enterprise_id,
            "recipient": {"role": r.recipient_role, "role_label": RECIPIENT_LABELS.get(r.recipient_role, ""),
                          "unit": r.recipient_unit},
            "text": r.text,
        }


def working_days(calendar: Any) -> WorkingDay:
    """A calendar's working days where it covers the year, Monday–Friday elsewhere."""
    def working(day: date) -> bool:
        return calendar.is_working_day(day) if calendar.covers(day) else weekdays(day)
    return working


def open_reminder_view(env: dict[str, str]) -> ReminderView:
    """The view's recorder (creating its tables if missing) on a pool of its own: one
    connection — the sweep and the deliveries take turns on it (a connection more would take
    `hazard serve` past the test suite's budget; `REMINDERS_POSTGRES_…` keys configure it)."""
    from eventsourcing.persistence import InfrastructureFactory
    from eventsourcing.utils import Environment

    env = {**env, "REMINDERS_POSTGRES_POOL_SIZE": "1", "REMINDERS_POSTGRES_MAX_OVERFLOW": "0"}
    factory = InfrastructureFactory.construct(env=Environment("reminders", env))
    return factory.tracking_recorder(ReminderView)
