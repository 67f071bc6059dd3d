"""Raised reminders (已发提醒), stored once, with their deliveries (issue 14 §5).

Table `reminders` (the event store's schema), UNIQUE (subject_kind, subject_id, kind, day): a
sweep inserts what is due with `ON CONFLICT DO NOTHING`, and in the same transaction, for the
reminders it actually inserted, one delivery per channel (`infra.deliveries`): `nats` (subject
`hz.<township>.<sector>.reminder.<kind>`), `sms` (the recipient's phone, or none) and `webhook`
(one per active subscription of topic `reminder` whose scope covers the reminder's township and
sector). So restarts, replays and two sweeps at once store each reminder, and queue its
deliveries, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from infra.deliveries import DeliveryLog
from infra.pg_tables import OwnTables
from infra.webhooks import Subscriptions

TOPIC = "reminder"
CHANNELS = ("nats", "sms", "webhook")

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.reminders (reminder_id text PRIMARY KEY, "
    "subject_kind text NOT NULL, subject_id text NOT NULL, kind text NOT NULL, day date NOT NULL, "
    "township text, sector text, recipient_role text NOT NULL, recipient_unit text, "
    "phone text NOT NULL DEFAULT '', enterprise_id text, text text NOT NULL, "
    "payload bytea NOT NULL, raised_at timestamptz NOT NULL DEFAULT now(), "
    "UNIQUE (subject_kind, subject_id, kind, day))",
    "CREATE INDEX IF NOT EXISTS reminders_day ON {s}.reminders (day DESC, kind)",
)
FIELDS = ("reminder_id", "subject_kind", "subject_id", "kind", "day", "township", "sector",
          "recipient_role", "recipient_unit", "phone", "enterprise_id", "text", "payload")


@dataclass(frozen=True)
class Raised:
    """One reminder ready to store: its fields, its JSON body and its NATS subject."""

    fields: dict[str, Any]  # FIELDS but payload
    payload: bytes  # the JSON published and POSTed (no phone number)
    subject: str
    sms_payload: bytes = b""  # the same with the recipient's phone, for the SMS gateway only

    @property
    def reminder_id(self) -> str:
        return self.fields["reminder_id"]


class ReminderStore(OwnTables):
    ddl = DDL

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore)
        self.deliveries = DeliveryLog(datastore)
        self.subscriptions = Subscriptions(datastore)

    def create_tables(self) -> None:
        from infra.sms import OutboxGateway  # its table sits beside ours
        super().create_tables()
        self.deliveries.create_tables()
        self.subscriptions.create_tables()
        OutboxGateway(self.datastore).create_tables()

    def record(self, raised: list[Raised], channels: tuple[str, ...] = CHANNELS) -> list[str]:
        """Store the reminders not stored yet and queue their deliveries, in one transaction;
        answers the ids stored now."""
        if not raised:
            return []
        by_id = {r.reminder_id: r for r in raised}
        columns = [[r.fields.get(f) for r in by_id.values()] for f in FIELDS[:-1]]
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "INSERT INTO {s}.reminders (" + ", ".join(FIELDS) + ") SELECT * FROM unnest("
                "%s::text[], %s::text[], %s::text[], %s::text[], %s::date[], %s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bytea[]) "
                "ON CONFLICT DO NOTHING RETURNING reminder_id"),
                [*columns, [r.payload for r in by_id.values()]])
            new = [row["reminder_id"] for row in curs.fetchall()]
            subscriptions = self.subscriptions.active(TOPIC, curs) if "webhook" in channels else []
            rows = []
            for reminder_id in new:
                r = by_id[reminder_id]
                if "nats" in channels:
                    rows.append((reminder_id, "nats", "", TOPIC, r.subject, r.payload))
                if "sms" in channels:
                    rows.append((reminder_id, "sms", "", TOPIC, "", r.sms_payload or r.payload))
                rows += [(reminder_id, "webhook", s.subscription_id, TOPIC, "", r.payload)
                         for s in subscriptions if s.covers(r.fields["township"], r.fields["sector"])]
            DeliveryLog.insert(curs, self.schema, rows)
        return new

    def listed(self, *, day: date | None = None, kind: str | None = None,
               filters: dict[str, str] | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
        """Reminders, newest day first; `filters`: equality on township / sector / enterprise_id
        (a token's read scope)."""
        where, params = ["true"], {"limit": limit, "offset": offset}
        if day is not None:
            where.append("day = %(day)s")
            params["day"] = day
        if kind is not None:
            where.append("kind = %(kind)s")
            params["kind"] = kind
        for column, value in (filters or {}).items():
            if column in ("township", "sector", "enterprise_id"):
                where.append(f"{column} = %({column})s")
                params[column] = value
            else:  # a scope this list cannot honour shows nothing rather than everything
                where.append("false")
        return self.fetch(
            "SELECT reminder_id, subject_kind, subject_id, kind, day, township, sector, "
            "recipient_role, recipient_unit, phone, enterprise_id, text, raised_at "
            "FROM {s}.reminders WHERE " + " AND ".join(where) +
            " ORDER BY day DESC, raised_at DESC, reminder_id LIMIT %(limit)s OFFSET %(offset)s", params)
