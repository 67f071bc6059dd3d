"""One enterprise's records: which aggregates are its (found via the views), and their stored
events with positions, decoded — what the investigator's trace and the auditor's export read.

`store` is anything with the application's `recorder` (events table) and `mapper` (decoding):
the `HazardLedger` itself. The events are read by their aggregates' ids (not pages of the log)
but decoded and named by the one reader of the log (`infra.log_reader.LogReader.decode`).
Nothing here writes to the event store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from psycopg.sql import SQL, Identifier

from infra.log_reader import Logged, LogReader
from projections.queries.oversight import select
from projections.readmodels import ReadModels

KINDS = ("enterprise", "contracts", "inspections", "hazards", "accidents")


@dataclass(frozen=True)
class Recorded:
    """A stored event: its position in the store's total order, its stored form, the event,
    and its name "Hazard.Reported" (the log reader's `Logged.kind`)."""

    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes
    event: Any
    name: str

    @classmethod
    def of(cls, logged: Logged) -> Recorded:
        """The decoded event; an event that cannot be decoded fails the whole read (a record
        with a hole in it is not a record)."""
        if logged.error is not None:
            raise logged.error
        n = logged.notification
        return cls(logged.position, str(n.originator_id), n.originator_version, n.topic, n.state,
                   logged.event, logged.kind)


def aggregate_ids(rm: ReadModels, enterprise_id: str) -> dict[str, list[str]]:
    """The enterprise's own aggregates by kind: itself, its contracts, inspections, hazards
    and accidents (agreements and agencies serve many enterprises and are not its own)."""
    p = {"e": enterprise_id}
    ids = {"enterprise": [enterprise_id]}
    for kind, view, table, column in (("contracts", rm.activity, "activity_contracts", "contract_id"),
                                      ("inspections", rm.activity, "activity_inspections", "inspection_id"),
                                      ("hazards", rm.ledger, "ledger_hazards", "hazard_id"),
                                      ("accidents", rm.activity, "activity_accidents", "accident_id")):
        rows = select(view, f"SELECT {column} AS id FROM {{t}} WHERE enterprise_id = %(e)s "
                      "ORDER BY 1", p, t=table)
        ids[kind] = [r["id"] for r in rows]
    return ids


def stored_events(store: Any, ids: list[str]) -> list[Recorded]:
    """Every stored event of these aggregates, in the store's order (position)."""
    reader = LogReader(store)
    datastore = reader.recorder.datastore
    table = Identifier(datastore.schema, reader.recorder.events_table_name)
    query = SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                "WHERE originator_id = ANY(%s) ORDER BY notification_id").format(table)
    with datastore.transaction(commit=False) as curs:
        curs.execute(query, ([UUID(i) for i in ids],))
        rows = curs.fetchall()
    return [Recorded.of(reader.decode(Notification(
        id=r["notification_id"], originator_id=r["originator_id"], originator_version=r["originator_version"],
        topic=r["topic"], state=bytes(r["state"])))) for r in rows]


def enterprise_events(store: Any, rm: ReadModels, enterprise_id: str
                      ) -> tuple[dict[str, list[str]], list[Recorded]]:
    ids = aggregate_ids(rm, enterprise_id)
    return ids, stored_events(store, [i for kind in KINDS for i in ids[kind]])
