"""Events for integrators over webhooks (事件回调推送, issue 16 §4; docs/webhooks.md).

Two parts, on the reminders' machinery (`infra.webhooks`: subscriptions of topic `event`, the
signed POST; `infra.deliveries`: the generic delivery table, back-off, dead letters):

- **`EventQueue.step()`** follows the log through the one reader (`infra.log_reader.LogReader`)
  from a position kept in PostgreSQL (`webhook_event_position`). For each event it finds the
  place (`infra.placement.Locator`, as the relay does) and, for every active subscription whose
  scope covers it, queues one delivery — the body is the NATS fan-out's envelope
  (`infra.envelope.envelope`), the message id the event's position. The deliveries and the new
  position commit in one transaction, after checking the position still is where the page
  started (`FOR UPDATE`): a restart, a crash or a second queue queues nothing twice.
  With no subscription the position simply moves to the head; on its first start it begins at
  the head (a subscription receives the events stored after it).
- **`EventSender.run()`** sends them in order per subscription (`DeliveryLog.claim_in_order`):
  one subscription's events go one after another, a later one never before an earlier one,
  which waits while that one backs off; once it is dead (the dead-letter list) the next go on.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from infra.async_thread import AsyncThread
from infra.deliveries import DeliveryLog, RetryPolicy
from infra.envelope import envelope
from infra.log_reader import LogReader
from infra.pg_tables import OwnTables
from infra.placement import Locator, Place
from infra.relay_link import sleep
from infra.webhooks import DeliveryFailed, Subscriptions, WebhookSender

log = logging.getLogger("hazard.event_webhooks")

TOPIC = "event"
CHANNEL = "webhook"
POSITION = "X-Hazard-Event-Position"
EVENT_TYPE = "X-Hazard-Event-Type"
PAGE = 500

DDL = ("CREATE TABLE IF NOT EXISTS {s}.webhook_event_position (name text PRIMARY KEY, "
       "position bigint NOT NULL)",)


class EventQueue(OwnTables):
    """Queues one delivery per (event, subscription in scope), exactly once."""

    ddl = DDL
    NAME = "events"

    def __init__(self, datastore: PostgresDatastore, reader: LogReader) -> None:
        super().__init__(datastore)
        self.reader = reader
        self.subscriptions = Subscriptions(datastore)
        self.deliveries = DeliveryLog(datastore)
        self.locator = Locator(reader.repository)

    def create_tables(self) -> None:
        super().create_tables()
        self.deliveries.create_tables()
        self.subscriptions.create_tables()

    def position(self) -> int | None:
        rows = self.fetch("SELECT position FROM {s}.webhook_event_position WHERE name = %s", (self.NAME,))
        return rows[0]["position"] if rows else None

    def step(self) -> int:
        """Queue the next page; answers how many deliveries it queued (0 also when idle)."""
        after = self.position()
        if after is None:  # the first start: subscriptions get what is stored from now on
            self._move(None, self.reader.head(), [])
            return 0
        if not self.subscriptions.active(TOPIC):
            head = self.reader.head()
            if head > after:
                self._move(after, head, [])
            return 0
        page = self.reader.page(after, PAGE)
        if not page:
            return 0
        return self._move(after, page[-1].position, self._placed(page))

    def _placed(self, page: list[Any]) -> list[tuple[Any, Place]]:
        """The page's events with their places (looked up before the transaction: a miss loads
        the aggregate through the reader's own pool)."""
        placed = []
        for logged in page:
            if logged.event is None:
                log.error("event webhooks: event at position %d cannot be decoded and is skipped: %r",
                          logged.position, logged.error)
                continue
            placed.append((logged, self.locator.place_of(logged.event)))
        return placed

    def _move(self, after: int | None, to: int, page: list[tuple[Any, Place]]) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql("SELECT position FROM {s}.webhook_event_position WHERE name = %s "
                                  "FOR UPDATE"), (self.NAME,))
            row = curs.fetchone()
            if (row["position"] if row else None) != after:
                return 0  # another queue moved it meanwhile: read again next round
            rows = self._rows(page, self.subscriptions.active(TOPIC, curs)) if page else []
            DeliveryLog.insert(curs, self.schema, rows)
            curs.execute(self.sql(
                "INSERT INTO {s}.webhook_event_position (name, position) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position"), (self.NAME, to))
        return len(rows)

    @staticmethod
    def _rows(page: list[tuple[Any, Place]], subscriptions: list[Any]) -> list[tuple]:
        rows: list[tuple] = []
        for logged, place in page:
            targets = [s.subscription_id for s in subscriptions if s.covers(place.township, place.sector)]
            if not targets:
                continue
            body = envelope(logged.event, logged.position, place, (logged.aggregate, logged.name))
            rows += [(str(logged.position), CHANNEL, target, TOPIC, logged.kind, body) for target in targets]
        return rows


class EventSender:
    """Sends the queued events, signed, in order per subscription (`infra.webhooks.WebhookSender`)."""

    def __init__(self, deliveries: DeliveryLog, subscriptions: Subscriptions, webhooks: WebhookSender,
                 *, interval: float = 1.0) -> None:
        self.log, self.subscriptions, self.webhooks = deliveries, subscriptions, webhooks
        self.interval = interval
        self.sent = 0

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                try:
                    busy = await self.round()
                except Exception as e:  # noqa: BLE001 - the store may be down: next round
                    log.warning("event webhooks: delivery round failed: %s: %s", type(e).__name__, e)
                    busy = 0
                if not busy:
                    await sleep(stopping, self.interval)
        finally:
            await self.webhooks.close()

    async def round(self) -> int:
        """One pass: each subscription's next events, one after another; subscriptions side by side."""
        claimed = await asyncio.to_thread(self.log.claim_in_order, CHANNEL, TOPIC)
        by_target: dict[str, list[Any]] = {}
        for d in claimed:
            by_target.setdefault(d.target, []).append(d)
        await asyncio.gather(*(self._target(t, ds) for t, ds in by_target.items()))
        return len(claimed)

    async def _target(self, target: str, queue: list[Any]) -> None:
        sub = await asyncio.to_thread(self.subscriptions.get_active, target)
        if sub is None:  # removed meanwhile: nothing more goes to it
            await asyncio.to_thread(self.log.cancel, [d.delivery_id for d in queue])
            return
        for i, d in enumerate(queue):
            try:
                await self.webhooks.post(sub, d.payload, message_id=d.message_id, topic=TOPIC,
                                         extra_headers={POSITION: d.message_id, EVENT_TYPE: d.subject})
            except DeliveryFailed as e:
                state = await asyncio.to_thread(self.log.failed, d, str(e))
                log.log(logging.WARNING if state == "dead" else logging.INFO,
                        "event webhooks: %s, position %s failed (attempt %d): %s%s", target,
                        d.message_id, d.attempts, e, "; dead letter" if state == "dead" else "")
                rest = [x.delivery_id for x in queue[i + 1:]]
                await asyncio.to_thread(self.log.release, rest)  # they wait behind it
                return
            await asyncio.to_thread(self.log.delivered, [d.delivery_id])
            self.sent += 1


class QueueThread(threading.Thread):
    def __init__(self, queue: EventQueue, interval: float) -> None:
        super().__init__(name="hazard-event-webhooks", daemon=True)
        self.queue, self.interval = queue, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                queued = self.queue.step()
            except Exception as e:  # noqa: BLE001 - the store may be down: next round
                log.warning("event webhooks: queueing failed: %s: %s", type(e).__name__, e)
                queued = 0
            if not queued:
                self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(15)


@contextmanager
def running_event_webhooks(datastore: PostgresDatastore, reader: LogReader, allow: tuple[Any, ...],
                           retries: RetryPolicy | None = None, *,
                           interval: float = 1.0) -> Iterator[tuple[EventQueue, EventSender]]:
    """Queue and send while the block runs, on `datastore` (in `hazard serve`: the reminders'
    one connection, shared) and `reader` (the followers' one reader of the log)."""
    queue = EventQueue(datastore, reader)
    queue.create_tables()
    if retries is not None:
        queue.deliveries.policy = retries
    sender = EventSender(queue.deliveries, queue.subscriptions, WebhookSender(allow), interval=interval)
    queuing, sending = QueueThread(queue, interval), AsyncThread("hazard-event-webhook-delivery", sender.run)
    queuing.start()
    sending.start()
    try:
        yield queue, sender
    finally:
        queuing.stop()
        sending.stop()
