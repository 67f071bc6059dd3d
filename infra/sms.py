"""Text messages (短信): the gateway interface and its default, an outbox table.

No SMS provider is reachable here, so `OutboxGateway` writes each message to `sms_outbox`
(what a provider's adapter would send). A gateway is anything with `send(phone, text, *,
reference, party)`; `reference` (the reminder's id) makes a repeated send store nothing twice.
A message without a phone number (the record holds none) is kept with its party and no phone.
"""

from __future__ import annotations

from typing import Protocol

from infra.pg_tables import OwnTables

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.sms_outbox (reference text PRIMARY KEY, phone text, "
    "party_role text NOT NULL, party_unit text, text text NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())",
)


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, reference: str, party: tuple[str, str | None]) -> None:
        """Send (or queue) one message; the same `reference` twice sends it once."""


class OutboxGateway(OwnTables):
    """The default gateway: a row in `sms_outbox` per message."""

    ddl = DDL

    def send(self, phone: str, text: str, *, reference: str, party: tuple[str, str | None]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "INSERT INTO {s}.sms_outbox (reference, phone, party_role, party_unit, text) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (reference) DO NOTHING"),
                (reference, phone or None, party[0], party[1], text))

    def outbox(self, *, limit: int = 500, offset: int = 0) -> list[dict]:
        return self.fetch("SELECT reference, phone, party_role, party_unit, text, created_at "
                          "FROM {s}.sms_outbox ORDER BY created_at DESC, reference LIMIT %s OFFSET %s",
                          (limit, offset))
