"""Events of the log into messages (事件编码): decoded by the one reader of the log
(`infra.log_reader.LogReader.decode`, which also names the aggregate and the event), placed in
their township and sector (`infra.placement`), addressed (`infra.subjects`) and encoded
(`infra.envelope`). An event that cannot be decoded — an unknown topic, a broken body — is
logged at ERROR with its position, counted, and skipped; it never stops the relay.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from eventsourcing.persistence import Notification

from infra.envelope import Outgoing, envelope
from infra.log_reader import Logged, LogReader
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
    """Messages for pages of the log. Keeps nothing per event: the places of recent aggregates
    (bounded, `Locator`) and the highest position reported as malformed."""

    def __init__(self, reader: LogReader, prefix: str, stats: RelayStats) -> None:
        self.reader = reader
        self.prefix = prefix
        self.stats = stats
        self.locator = Locator(reader.repository)
        self._reported_up_to = 0  # bad events are met in log order: said already if not beyond
        self._lock = threading.Lock()

    def messages(self, batch: Sequence[Notification]) -> list[Outgoing]:
        """The batch's messages, in order, without the events that cannot be relayed."""
        decode, message = self.reader.decode, self._message
        return [m for m in (message(decode(n)) for n in batch) if m is not None]

    def _message(self, logged: Logged) -> Outgoing | None:
        if logged.error is not None:
            self._report(logged, logged.error)
            return None
        try:
            place = self.locator.place_of(logged.event)
            subject = event_subject(self.prefix, place.township, place.sector, logged.aggregate,
                                    logged.name)
            return Outgoing(logged.position, subject,
                            envelope(logged.event, logged.position, place,
                                     (logged.aggregate, logged.name)))
        except TRANSIENT:
            raise  # the database, not the event: the relay retries the batch
        except Exception as e:  # noqa: BLE001 - a bad event is reported, never fatal
            self._report(logged, e)
            return None

    def _report(self, logged: Logged, error: Exception) -> None:
        notification = logged.notification
        with self._lock:
            if logged.position <= self._reported_up_to:  # read again after a restart: said already
                return
            self._reported_up_to = logged.position
            self.stats.malformed += 1
            self.stats.malformed_positions.append(logged.position)
        log.error("relay: event at position %d (topic %r, aggregate %s v%s) cannot be relayed "
                  "and is skipped: %r", logged.position, notification.topic,
                  notification.originator_id, notification.originator_version, error)
