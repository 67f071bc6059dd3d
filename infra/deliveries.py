"""Outgoing deliveries (投递记录): one row per (message, channel, target), its state in PostgreSQL.

Generic — a reminder (issue 14) or an integrator's event (issue 16) alike: a message id the
receiver de-duplicates on, a channel (`nats`, `webhook`, `sms`), a target (a webhook
subscription's id; empty for the others), a topic, a subject and the payload's bytes.

States: `pending` → `delivered`, or after `attempts` failures `dead` (the dead-letter list;
`retry` makes one pending again; `cancelled` when its subscription was removed). A sender
**claims** due rows (`FOR UPDATE SKIP LOCKED`): the
claim counts the attempt and holds the row for `lease` seconds, so a sender killed in mid-send
leaves it to be sent again once the lease ran out — the same message id, at least once. A
failure sets the next attempt `base_delay · 2^(attempts-1)` seconds later (exponential back-off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from infra.pg_tables import OwnTables

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.deliveries (delivery_id bigserial PRIMARY KEY, "
    "message_id text NOT NULL, channel text NOT NULL, target text NOT NULL DEFAULT '', "
    "topic text NOT NULL, subject text NOT NULL DEFAULT '', payload bytea NOT NULL, "
    "state text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0, "
    "next_attempt_at timestamptz NOT NULL DEFAULT now(), claimed_until timestamptz, "
    "last_error text, created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz, "
    "UNIQUE (message_id, channel, target))",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON {s}.deliveries (channel, next_attempt_at) "
    "WHERE state = 'pending'",
)
COLUMNS = ("message_id", "channel", "target", "topic", "subject", "payload")


@dataclass(frozen=True)
class Delivery:
    delivery_id: int
    message_id: str
    channel: str
    target: str
    topic: str
    subject: str
    payload: bytes
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts before a delivery is dead, the first back-off, and how long a claim holds."""

    attempts: int = 5
    base_delay: float = 2.0
    lease: float = 15.0
    max_delay: float = 300.0


class DeliveryLog(OwnTables):
    ddl = DDL

    def __init__(self, datastore: PostgresDatastore, policy: RetryPolicy | None = None) -> None:
        super().__init__(datastore)
        self.policy = policy or RetryPolicy()

    @staticmethod
    def insert(curs: Any, schema: str, rows: list[tuple]) -> None:
        """Add deliveries (tuples in `COLUMNS` order) in the caller's transaction; one that
        exists already (same message, channel, target) is left as it is."""
        if not rows:
            return
        columns = list(zip(*rows))
        curs.execute(SQL(
            "INSERT INTO {s}.deliveries (message_id, channel, target, topic, subject, payload) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::bytea[]) ON CONFLICT DO NOTHING").format(s=Identifier(schema)),
            [list(c) for c in columns])

    def claim(self, channel: str, limit: int = 100, *, topic: str | None = None) -> list[Delivery]:
        """Due pending deliveries of a channel (of one topic when given), held for the lease;
        the attempt is counted."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "UPDATE {s}.deliveries SET attempts = attempts + 1, "
                "claimed_until = now() + make_interval(secs => %s) "
                "WHERE delivery_id IN (SELECT delivery_id FROM {s}.deliveries "
                "WHERE state = 'pending' AND channel = %s AND next_attempt_at <= now() "
                "AND (%s::text IS NULL OR topic = %s) "
                "AND (claimed_until IS NULL OR claimed_until < now()) "
                "ORDER BY delivery_id LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING delivery_id, message_id, channel, target, topic, subject, payload, attempts"),
                (self.policy.lease, channel, topic, topic, limit))
            rows = curs.fetchall()
        return sorted((Delivery(**{**r, "payload": bytes(r["payload"])}) for r in rows),
                      key=lambda d: d.delivery_id)

    # --- in order per target (issue 16 §4: integrators' events, docs/webhooks.md) -------------
    def claim_in_order(self, channel: str, topic: str, *, per_target: int = 50,
                       limit: int = 1000) -> list[Delivery]:
        """The first `per_target` pending deliveries of each target whose oldest pending one is
        due and not held: a target's later messages never overtake an earlier one (it waits
        while that one backs off). Claimed like `claim` (attempt counted, lease); hand back the
        ones not sent with `release`."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "WITH pending AS (SELECT delivery_id, target, next_attempt_at, claimed_until, "
                "row_number() OVER (PARTITION BY target ORDER BY delivery_id) AS rn "
                "FROM {s}.deliveries WHERE state = 'pending' AND channel = %(channel)s "
                "AND topic = %(topic)s), "
                "heads AS (SELECT target FROM pending WHERE rn = 1 AND next_attempt_at <= now() "
                "AND (claimed_until IS NULL OR claimed_until < now())) "
                "UPDATE {s}.deliveries d SET attempts = attempts + 1, "
                "claimed_until = now() + make_interval(secs => %(lease)s) "
                "WHERE d.delivery_id IN (SELECT p.delivery_id FROM pending p JOIN heads USING (target) "
                "WHERE p.rn <= %(per_target)s ORDER BY p.delivery_id LIMIT %(limit)s) "
                "AND d.state = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until < now()) "
                "RETURNING delivery_id, message_id, channel, target, topic, subject, payload, attempts"),
                {"channel": channel, "topic": topic, "lease": self.policy.lease,
                 "per_target": per_target, "limit": limit})
            rows = curs.fetchall()
        return sorted((Delivery(**{**r, "payload": bytes(r["payload"])}) for r in rows),
                      key=lambda d: d.delivery_id)

    def release(self, ids: list[int]) -> None:
        """Hand back claimed deliveries not tried (the attempt is not counted)."""
        if ids:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(self.sql(
                    "UPDATE {s}.deliveries SET attempts = greatest(attempts - 1, 0), claimed_until = NULL "
                    "WHERE delivery_id = ANY(%s) AND state = 'pending'"), (ids,))

    @staticmethod
    def cancel_target(curs: Any, schema: str, target: str) -> None:
        """A subscription removed: its pending and dead deliveries are cancelled (caller's
        transaction): nothing more is sent to it, nor listed as a dead letter."""
        curs.execute(SQL("UPDATE {s}.deliveries SET state = 'cancelled', claimed_until = NULL "
                         "WHERE target = %s AND state IN ('pending', 'dead')").format(s=Identifier(schema)),
                     (target,))

    def cancel(self, ids: list[int]) -> None:
        """Claimed deliveries whose subscription is gone: cancelled, not sent."""
        if ids:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(self.sql("UPDATE {s}.deliveries SET state = 'cancelled', claimed_until = NULL "
                                      "WHERE delivery_id = ANY(%s)"), (ids,))

    def delivered(self, ids: list[int]) -> None:
        if ids:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(self.sql(
                    "UPDATE {s}.deliveries SET state = 'delivered', delivered_at = now(), "
                    "claimed_until = NULL, last_error = NULL WHERE delivery_id = ANY(%s)"), (ids,))

    def failed(self, delivery: Delivery, error: str, *, attempts: int | None = None) -> str:
        """Back off, or dead after the last attempt (`attempts`: this channel's own limit);
        answers the new state."""
        dead = delivery.attempts >= (attempts or self.policy.attempts)
        delay = min(self.policy.max_delay, self.policy.base_delay * 2 ** min(30, max(0, delivery.attempts - 1)))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "UPDATE {s}.deliveries SET state = %s, claimed_until = NULL, last_error = %s, "
                "next_attempt_at = now() + make_interval(secs => %s) WHERE delivery_id = %s"),
                ("dead" if dead else "pending", error[:1000], delay, delivery.delivery_id))
        return "dead" if dead else "pending"

    def dead_letters(self, *, channel: str | None = None, targets: list[str] | None = None,
                     limit: int = 500, topic: str | None = None) -> list[dict]:
        """Dead deliveries, newest first (only to `targets`, of `topic`, when given)."""
        return self.fetch(
            "SELECT delivery_id, message_id, channel, target, topic, subject, attempts, "
            "last_error, created_at FROM {s}.deliveries WHERE state = 'dead' "
            "AND (%(channel)s::text IS NULL OR channel = %(channel)s) "
            "AND (%(topic)s::text IS NULL OR topic = %(topic)s) "
            "AND (%(targets)s::text[] IS NULL OR target = ANY(%(targets)s)) "
            "ORDER BY delivery_id DESC LIMIT %(limit)s",
            {"channel": channel, "targets": targets, "limit": limit, "topic": topic})

    def retry(self, delivery_id: int, *, targets: list[str] | None = None) -> bool:
        """Make a dead delivery pending again, attempts from zero; False if there is no such
        dead delivery (within `targets` when given)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "UPDATE {s}.deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), "
                "claimed_until = NULL WHERE delivery_id = %(id)s AND state = 'dead' "
                "AND (%(targets)s::text[] IS NULL OR target = ANY(%(targets)s)) RETURNING delivery_id"),
                {"id": delivery_id, "targets": targets})
            return curs.fetchone() is not None

    def states(self, message_ids: list[str]) -> dict[tuple[str, str, str], dict]:
        """(message id, channel, target) → its state, attempts, delivered_at (for the API)."""
        rows = self.fetch("SELECT message_id, channel, target, state, attempts, delivered_at "
                          "FROM {s}.deliveries WHERE message_id = ANY(%s)", (message_ids,))
        return {(r["message_id"], r["channel"], r["target"]): r for r in rows}

