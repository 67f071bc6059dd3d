"""Notifications into messages (事件编码): decoded with the application's mapper, placed in their
township and sector (`infra.placement`), addressed (`infra.subjects`) and encoded
(`infra.envelope`). An event that cannot be decoded — an unknown topic, a broken body — is
logged at ERROR with its position, counted, and skipped; it never stops the relay.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification

from infra.envelope import Outgoing, envelope
from infra.placement import TRANSIENT, Locator
from infra.subjects import event_subject

log = logging.getLogger("infra.relay")


@dataclass
class RelayStats:
    """What the relay did since it started (for logs, tests and the benchmark)."""

    position: int = 0          # last position tracked: acknowledged by JetStream
    published: int = 0         # messages acknowledged
    duplicates: int = 0        # acknowledged as already stored (de-duplicated by JetStream)
    malformed: int = 0         # events skipped because they cannot be decoded
    malformed_positions: deque[int] = field(default_factory=lambda: deque(maxlen=100))
    restarts: int = 0          # times the relay started over after a failure
    last_error: str = ""
    reconnects: int = 0        # times NATS came back after the connection was lost
    connected: bool = False    # connected to NATS right now


class Encoder:
    def __init__(self, app: Any, prefix: str, stats: RelayStats) -> None:
        self.app = app
        self.prefix = prefix
        self.stats = stats
        self.locator = Locator(app.repository)
        self._reported: set[int] = set()
        self._lock = threading.Lock()

    def messages(self, batch: list[Notification]) -> list[Outgoing]:
        """The batch's messages, in order, without the events that cannot be relayed."""
        outgoing = []
        for notification in batch:
            message = self._message(notification)
            if message is not None:
                outgoing.append(message)
        return outgoing

    def _message(self, notification: Notification) -> Outgoing | None:
        try:
            event = self.app.mapper.to_domain_event(notification)
            place = self.locator.place_of(event)
            aggregate, kind = class_names(event)
            subject = event_subject(self.prefix, place.township, place.sector, aggregate, kind)
            return Outgoing(notification.id, subject, envelope(event, notification.id, place))
        except TRANSIENT:
            raise  # the database, not the event: the relay retries the batch
        except Exception as e:  # noqa: BLE001 - a bad event is reported, never fatal
            self._report(notification, e)
            return None

    def _report(self, notification: Notification, error: Exception) -> None:
        with self._lock:
            if notification.id in self._reported:  # read again after a restart: said already
                return
            self._reported.add(notification.id)
            self.stats.malformed += 1
            self.stats.malformed_positions.append(notification.id)
        log.error("relay: event at position %d (topic %r, aggregate %s v%s) cannot be relayed "
                  "and is skipped: %r", notification.id, notification.topic,
                  notification.originator_id, notification.originator_version, error)


def class_names(event: Any) -> tuple[str, str]:
    """("Hazard", "Reported") for an event of class Hazard.Reported."""
    parts = type(event).__qualname__.split(".")
    return (parts[-2] if len(parts) > 1 else parts[-1]), parts[-1]
