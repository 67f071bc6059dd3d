"""Events of the log into messages (事件编码): decoded by the one reader of the log
(`infra.log_reader.LogReader.decode`, which also names the aggregate and the event), placed in
their township and sector (`infra.placement`), addressed (`infra.subjects`) and encoded
(`infra.envelope`). An event that cannot be decoded — an unknown topic, a broken body — is
skipped and handed back (`Bad`); the relay logs it at ERROR with its position and counts it
(`Reporter`); it never stops the relay.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

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
    # time.perf_counter() when the relay first held its NATS connection and its stream (the
    # benchmark times the relay from there, as nats-py's own publish is timed from after
    # `nats.connect` and `add_stream`); None before
    stream_ready_at: float | None = None


class Bad(NamedTuple):
    """An event that cannot be relayed, as the encoder met it."""

    position: int
    topic: str
    aggregate_id: str
    version: int
    error: str


class Encoder:
    """Messages for pages of the log. Keeps nothing per event but the places of recent
    aggregates (bounded: `Locator`)."""

    def __init__(self, reader: LogReader, prefix: str) -> None:
        self.reader = reader
        self.prefix = prefix
        self.locator = Locator(reader.repository)

    def messages(self, batch: Sequence[Notification]) -> tuple[list[Outgoing], list[Bad]]:
        """The batch's messages, in order, and the events that cannot be relayed."""
        decode, message = self.reader.decode, self._message
        outgoing: list[Outgoing] = []
        bad: list[Bad] = []
        for notification in batch:
            logged = decode(notification)
            error = logged.error
            if error is None:
                try:
                    outgoing.append(message(logged))
                    continue
                except TRANSIENT:
                    raise  # the database, not the event: the relay retries the batch
                except Exception as e:  # noqa: BLE001 - a bad event is reported, never fatal
                    error = e
            bad.append(Bad(logged.position, notification.topic, str(notification.originator_id),
                           notification.originator_version, repr(error)))
        return outgoing, bad

    def _message(self, logged: Logged) -> Outgoing:
        place = self.locator.place_of(logged.event)
        subject = event_subject(self.prefix, place.township, place.sector, logged.aggregate,
                                logged.name)
        return Outgoing(logged.position, subject,
                        envelope(logged.event, logged.position, place, (logged.aggregate, logged.name)))


class Reporter:
    """Says once (at ERROR, counted in `stats`) that an event cannot be relayed and is skipped.
    Bad events are met in log order, so one read again after a restart is one not beyond the
    highest reported: nothing is kept per event."""

    def __init__(self, stats: RelayStats) -> None:
        self.stats = stats
        self._reported_up_to = 0

    def report(self, bad: Sequence[Bad]) -> None:
        for event in bad:
            if event.position <= self._reported_up_to:
                continue
            self._reported_up_to = event.position
            self.stats.malformed += 1
            self.stats.malformed_positions.append(event.position)
            log.error("relay: event at position %d (topic %r, aggregate %s v%s) cannot be "
                      "relayed and is skipped: %s", event.position, event.topic,
                      event.aggregate_id, event.version, event.error)
