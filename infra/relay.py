"""The relay (转发): every stored event, in log order, exactly once, to NATS JetStream (SPEC §4).

It follows the notification log through the one reader of the log (`infra.log_reader.LogReader`;
woken by `infra.log_feed`), turns each event into a message on
`<prefix>.<township>.<sector>.<aggregate>.<event>` (`infra.relay_encoder`), publishes it to
stream `HAZARD_EVENTS` (`infra.publisher`) and records how far it got in PostgreSQL with the
library's `PostgresTrackingRecorder` — only after JetStream acknowledged. On start, after any
failure and whenever NATS comes back (`infra.relay_link`) it asks the stream where it really
ends and resumes right after that: a crash between the acknowledgement and the tracking write
repeats nothing, however long the relay was down, and messages a crashed nats-server
acknowledged but never wrote to its disk are published again.

The pump (`infra.relay_pump`) keeps a window of batches in flight: while JetStream stores the
batches sent, the next ones are read and encoded in a process of the relay's own
(`infra.relay_worker`, a reader of its own on the same store), so that this Python work runs
beside the publishing instead of taking turns with it under one interpreter lock.

A watchdog starts it over, too, when it is connected, behind the log and has not moved for
`stall_after` seconds (an await on a cluster that lost a node can wait for ever).

An event that cannot be decoded (unknown topic, broken JSON) is logged, counted in
`stats.malformed` and skipped; it does not stop the relay. When NATS is down the relay
reconnects by itself (for ever; to a new address when the embedded server moved) and catches
up; commands never depend on it.

Use `running_relay(reader, url)` to run it in a thread of its own (its own asyncio loop; the
`eventsourcing` library is called from worker threads), or `await Relay(...).run(stopping)`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import nats.errors
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder

from infra.async_thread import AsyncThread
from infra.log_feed import LogFeed
from infra.log_reader import LogReader
from infra.placement import TRANSIENT
from infra.publisher import PublishFailed, StreamEnd, StreamPublisher, ensure_stream, splits_streams
from infra.relay_encoder import RelayStats
from infra.relay_link import Link, NatsBack, NatsMoved, safe, sleep
from infra.relay_pump import Pump
from infra.subjects import PREFIX, STREAM, valid_name

log = logging.getLogger(__name__)

TRACKING_TABLE = "hazardrelay_tracking"


class Stalled(Exception):
    """Connected to NATS, behind the log, and not moving: the relay starts over."""


RETRY = (PublishFailed, nats.errors.Error, OSError, TimeoutError, Stalled, *TRANSIENT)


def open_reader(env: Mapping[str, str]) -> LogReader:
    """A reader of the log for a relay (close it): two connections — one LISTENs, one reads,
    tracks and loads aggregates (shared with the chain keeper in `hazard serve`: they take turns)."""
    return LogReader.open({**env, "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "0"})


def tracking_recorder(reader: LogReader) -> PostgresTrackingRecorder:
    """The relay's tracking store: the library's recorder, in the event store's schema."""
    recorder = PostgresTrackingRecorder(reader.recorder.datastore, tracking_table_name=TRACKING_TABLE)
    recorder.create_table()
    return recorder


class Relay:
    """Relays what `reader` reads. `nats_url` is an address, or a function answering the
    current one (an embedded server that is restarted on another port moves: `Broker.address`)."""

    def __init__(self, reader: LogReader, nats_url: str | Callable[[], str], *, stream: str = STREAM,
                 prefix: str = PREFIX, batch_size: int = 500, window: int = 4,
                 ack_timeout: float = 5.0, duplicate_window: float = 120.0,
                 chain_head: Callable[[], tuple[int, bytes] | None] | None = None,
                 checkpoint_every: float = 60.0, replicas: int = 1, stall_after: float = 30.0) -> None:
        if not (valid_name(stream) and valid_name(prefix)):
            raise ValueError(f"bad stream {stream!r} or subject prefix {prefix!r}")
        self.reader = reader
        self._address = nats_url if callable(nats_url) else (lambda: nats_url)
        self.stream, self.prefix = stream, prefix
        self.batch_size, self.window, self.ack_timeout = batch_size, window, ack_timeout
        self.duplicate_window = duplicate_window
        self.replicas = replicas  # the events stream's copies on a JetStream cluster (issue 18 §3)
        self.tracking = tracking_recorder(reader)
        self.tracking_name = f"{reader.app.name}:{stream}"  # one row per store and stream
        self.stats = RelayStats()
        self.chain_head, self.checkpoint_every = chain_head, checkpoint_every
        self.stall_after = stall_after  # connected, behind the log and not moving for this long: start over
        self._tracked = 0
        self.link: Link | None = None
        self.pump: Pump | None = None

    @property
    def nats_url(self) -> str:
        return self._address()

    # --- running ------------------------------------------------------------------------
    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until `stopping` is set: connect, relay, and when NATS moves connect again."""
        link = self.link = Link(self._address, self.stats, lambda: self.stats.position, self.stream)
        pump = self.pump = Pump(self, link)
        pump.worker.start()  # it gets ready while the relay connects
        try:
            while not stopping.is_set():
                nc = await link.connect(stopping)
                if nc is None:
                    return
                try:
                    await self._follow(nc, pump, stopping)
                finally:
                    await link.close(nc)
        finally:
            pump.close()

    async def _follow(self, nc: Any, pump: Pump, stopping: asyncio.Event) -> None:
        """Relay over one connection; after any failure wait a little and start over (from
        where the stream ends). Returns when stopping, or when NATS moved elsewhere."""
        pause = 0.2
        while not stopping.is_set():
            progress = self.stats.position
            try:
                await self._watched(nc, pump, stopping)
            except NatsMoved as e:
                log.warning("relay: %s; connecting there", e)
                return
            except NatsBack:
                pause = 0.2  # at once: nothing failed, the relay only re-reads the stream's end
            except Exception as e:  # noqa: BLE001 - a long-running service starts over
                if self.stats.position > progress:
                    pause = 0.2  # it got somewhere since the last failure: no long wait
                self.stats.restarts += 1
                self.stats.last_error = repr(e)
                log.log(logging.WARNING if isinstance(e, RETRY) else logging.ERROR,
                        "relay: %s: %s; starting over from the stream's end in %.1f s",
                        type(e).__name__, e, pause, exc_info=not isinstance(e, RETRY))
                await sleep(stopping, pause)
                pause = min(pause * 2, 5.0)
            else:
                pause = 0.2

    async def _watched(self, nc: Any, pump: Pump, stopping: asyncio.Event) -> None:
        """`_relay`, cancelled (raising `Stalled`, so the relay starts over from the stream's end)
        when, connected to NATS, it is behind the log and its position has not moved for
        `stall_after` seconds: a request to a cluster that lost a node can wait for ever."""
        relaying = asyncio.ensure_future(self._relay(nc, pump, stopping))
        position, since = self.stats.position, time.monotonic()
        try:
            while not (await asyncio.wait([relaying], timeout=min(self.stall_after / 3, 5.0)))[0]:
                if self.stats.position != position or not nc.is_connected:
                    position, since = self.stats.position, time.monotonic()
                elif time.monotonic() - since > self.stall_after and await asyncio.to_thread(self.reader.head) > position:
                    raise Stalled(f"no progress for {self.stall_after:.0f} s at position {position}")
            relaying.result()
        finally:
            if not relaying.done():
                relaying.cancel()
                await asyncio.gather(relaying, return_exceptions=True)

    async def _relay(self, nc: Any, pump: Pump, stopping: asyncio.Event) -> None:
        """One start: the stream, where it ends, then the pump until something fails."""
        assert self.link is not None
        while not nc.is_connected and not stopping.is_set():
            self.link.check()
            await sleep(stopping, 0.1)
        if stopping.is_set():
            return
        self.link.back.clear()  # this start reads the stream's end anyway
        await ensure_stream(nc.jetstream(), self.stream, self.prefix, self.duplicate_window,
                            split=splits_streams(nc), replicas=self.replicas)
        if self.stats.stream_ready_at is None:
            self.stats.stream_ready_at = time.perf_counter()
        async with StreamPublisher(nc, self.stream, self.prefix,
                                   ack_timeout=self.ack_timeout) as publisher:
            start = await self._start_position(publisher)
            with LogFeed(self.reader) as feed:
                await pump.run(feed, publisher, start, stopping)

    async def _start_position(self, publisher: StreamPublisher) -> int:
        """Resume after the last event the stream holds: further than the tracking when the
        relay died between JetStream's acknowledgement and the tracking write; short of it when
        NATS lost messages it had acknowledged (a crash before they reached its disk)."""
        tracked = await asyncio.to_thread(self.tracking.max_tracking_id, self.tracking_name) or 0
        end = await publisher.sync()
        newest = await asyncio.to_thread(self.reader.head)
        self._tracked = tracked
        start = self._resume_point(end, tracked, newest)
        await self.track(start)  # the tracking row only ever moves forward
        self._tracked = self.stats.position = start
        log.info("relay: %s → NATS %s, stream %s (%s.>), from position %d", self.reader.app.name,
                 safe(self.link.connected_to if self.link else ""), self.stream, self.prefix, start)
        return start

    def _resume_point(self, end: StreamEnd, tracked: int, newest: int) -> int:
        if end.position is None:
            if end.last_seq == 0 and tracked:
                log.warning("relay: stream %s is empty (new, or NATS lost its data) though "
                            "position %d was acknowledged; relaying the whole log again",
                            self.stream, tracked)
                return 0
            return 0 if end.last_seq == 0 else tracked  # emptied by hand: follow the tracking
        if end.position > newest:
            log.error("relay: stream %s holds position %d beyond the store's last %d — "
                      "another store's events? following the tracking (%d)",
                      self.stream, end.position, newest, tracked)
            return tracked
        if end.position > tracked:
            log.info("relay: stream %s already holds up to position %d (tracked %d)",
                     self.stream, end.position, tracked)
        elif end.position < tracked:
            log.warning("relay: stream %s ends at position %d though %d was acknowledged — NATS "
                        "lost messages it had acknowledged (a crash before they reached its "
                        "disk); publishing them again", self.stream, end.position, tracked)
        return end.position

    async def track(self, position: int) -> None:
        """Record `position` as relayed (JetStream acknowledged everything up to it)."""
        if position > self._tracked:
            await asyncio.to_thread(self.tracking.insert_tracking,
                                    Tracking(self.tracking_name, position))
            self._tracked = position
        self.stats.position = self._tracked

    def wait_for(self, position: int, timeout: float = 10.0) -> bool:
        """Block (another thread) until the relay has tracked `position`; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.stats.position < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


class RelayThread(AsyncThread):
    """The relay in a thread of its own, with its own asyncio loop (never FastAPI's)."""

    def __init__(self, relay: Relay) -> None:
        super().__init__("hazard-relay", relay.run)
        self.relay = relay


@contextmanager
def running_relay(reader: LogReader, nats_url: str | Callable[[], str],
                  **options: Any) -> Iterator[Relay]:
    """Run a relay of what `reader` reads in a background thread while the block runs; stop it
    after (the reader stays open: its owner closes it). `nats_url`: an address, or a function
    answering the current one (`Broker.address`)."""
    relay = Relay(reader, nats_url, **options)
    thread = RelayThread(relay)
    thread.start()
    try:
        yield relay
    finally:
        thread.stop()
