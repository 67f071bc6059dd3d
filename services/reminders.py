"""The reminder follower (提醒跟随者, issue 14 §5), composed for `services.runtime.followers`.

Two threads beside the views, the relay and the chain keeper, on the store without the
application (they read the log, never command):
- the **sweeper**: every `interval` seconds it brings the `reminders` view up to the log through
  the followers' one reader of the log, then stores the reminders due today (Asia/Shanghai,
  `infra.clock.today`, injectable) — each (subject, kind, day) once, its deliveries queued in
  the same transaction (`projections.reminder_sweep.ReminderFollower`);
- the **deliverer**: sends what is queued — NATS, the SMS outbox, webhooks
  (`infra.reminder_delivery.Deliverer`).
Both take turns on one connection of the view's own pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from infra import clock
from infra.log_reader import LogReader
from infra.async_thread import AsyncThread
from infra.reminder_delivery import Deliverer
from infra.reminders import ReminderStore
from infra.sms import OutboxGateway, SmsGateway
from infra.subjects import PREFIX, REMINDER_STREAM, STREAM
from infra.webhooks import WebhookSender
from projections.reminder_sweep import ReminderFollower, open_reminder_view, working_days

log = logging.getLogger("hazard.reminders")

SWEEP_EVERY = 2.0  # seconds between two looks at the log and the day


@dataclass
class Reminders:
    follower: ReminderFollower
    store: ReminderStore
    deliverer: Deliverer


class Sweeper(threading.Thread):
    def __init__(self, follower: ReminderFollower, reader: LogReader, today: Callable[[], date],
                 interval: float) -> None:
        super().__init__(name="hazard-reminders", daemon=True)
        self.follower, self.reader, self.today, self.interval = follower, reader, today, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                stored = self.follower.step(self.reader, self.today())
                if stored:
                    log.info("reminders: %d raised", len(stored))
            except Exception as e:  # noqa: BLE001 - the store may be down: next round
                log.warning("reminders: sweep failed: %s: %s", type(e).__name__, e)
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(15)


@contextmanager
def running_reminders(config: Any, env: dict[str, str], reader: LogReader,
                      nats_address: str | Callable[[], str] | None, *,
                      today: Callable[[], date] = clock.today, interval: float = SWEEP_EVERY,
                      sms: SmsGateway | None = None, stream: str = REMINDER_STREAM,
                      events_stream: str = STREAM, prefix: str = PREFIX) -> Iterator[Reminders]:
    """Run the sweeper and the deliverer while the block runs (`config`: `services.runtime.Config`)."""
    view = open_reminder_view(env)
    try:
        store = ReminderStore(view.datastore)
        store.create_tables()
        store.deliveries.policy = config.webhook_retries
        follower = ReminderFollower(view, store, policy=config.reminder_policy,
                                    reference=config.reference, working=working_days(config.calendar),
                                    prefix=prefix)
        address = nats_address if callable(nats_address) or nats_address is None else (lambda: nats_address)
        deliverer = Deliverer(store, sms=sms or OutboxGateway(view.datastore),
                              webhooks=WebhookSender(config.webhook_allow), nats_address=address,
                              stream=stream, events_stream=events_stream, prefix=prefix,
                              replicas=config.settings.nats_replicas)
        sweeper = Sweeper(follower, reader, today, interval)
        sending = AsyncThread("hazard-reminder-delivery", deliverer.run)
        sweeper.start()
        sending.start()
        try:
            yield Reminders(follower, store, deliverer)
        finally:
            sweeper.stop()
            sending.stop()
    finally:
        view.datastore.close()
