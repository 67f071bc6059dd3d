"""The relay (转发): every stored event, in log order, exactly once, to NATS JetStream (SPEC §4).

It follows the application's notification log from its tracked position (`infra.log_feed`),
turns each event into a message on `<prefix>.<township>.<sector>.<aggregate>.<event>`
(`infra.relay_encoder`), publishes it to stream `HAZARD_EVENTS` (`infra.publisher`), and records how far it got in PostgreSQL with the
library's `PostgresTrackingRecorder` — only after JetStream acknowledged. On start, after any
failure and whenever NATS comes back it asks the stream where it really ends
(`infra.publisher`) and resumes right after that: a crash between the acknowledgement and the
tracking write repeats nothing, however long the relay was down, and messages a crashed
nats-server acknowledged but never wrote to its disk are published again.

An event that cannot be decoded (unknown topic, broken JSON) is logged, counted in
`stats.malformed` and skipped; it does not stop the relay. When NATS is down the relay
reconnects by itself (for ever; to a new address when the embedded server moved) and catches
up; commands never depend on it.

Use `running_relay(app, url)` to run it in a thread of its own (its own asyncio loop; the
`eventsourcing` library is called from worker threads), or `await Relay(...).run(stopping)`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import nats
import nats.errors
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from nats.js.errors import APIError

from infra.envelope import Outgoing, checkpoint
from infra.log_feed import LogFeed
from infra.placement import TRANSIENT
from infra.publisher import InFlight, PublishFailed, StreamEnd, StreamPublisher, ensure_stream
from infra.relay_encoder import Encoder, RelayStats
from infra.subjects import PREFIX, STREAM, valid_name

log = logging.getLogger(__name__)

TRACKING_TABLE = "hazardrelay_tracking"
RETRY = (PublishFailed, nats.errors.Error, OSError, TimeoutError, *TRANSIENT)


def tracking_recorder(app: Any) -> PostgresTrackingRecorder:
    """The relay's tracking store: the library's recorder, in the event store's schema."""
    recorder = PostgresTrackingRecorder(app.recorder.datastore, tracking_table_name=TRACKING_TABLE)
    recorder.create_table()
    return recorder


class NatsBack(Exception):
    """NATS came back after the connection was lost: start over from where the stream ends."""


class NatsMoved(Exception):
    """NATS's address changed (an embedded server restarted on another port)."""


class Relay:
    """`nats_url` is an address, or a function answering the current one (an embedded server
    that is restarted on another port moves: `Broker.address`)."""

    def __init__(self, app: Any, nats_url: str | Callable[[], str], *, stream: str = STREAM,
                 prefix: str = PREFIX, batch_size: int = 500, ack_timeout: float = 5.0,
                 duplicate_window: float = 120.0,
                 chain_head: Callable[[], tuple[int, bytes] | None] | None = None,
                 checkpoint_every: float = 60.0) -> None:
        if not (valid_name(stream) and valid_name(prefix)):
            raise ValueError(f"bad stream {stream!r} or subject prefix {prefix!r}")
        self.app = app
        self._address = nats_url if callable(nats_url) else (lambda: nats_url)
        self.stream, self.prefix = stream, prefix
        self.batch_size, self.ack_timeout = batch_size, ack_timeout
        self.duplicate_window = duplicate_window
        self.tracking = tracking_recorder(app)
        self.tracking_name = f"{app.name}:{stream}"  # one row per store and stream
        self.stats = RelayStats()
        self.encoder = Encoder(app, prefix, self.stats)
        self._tracked = 0
        self._closing = False
        self._last_nats_error = ""
        self._publisher: StreamPublisher | None = None
        self._connected_to = ""
        self._lost: tuple[float, int] | None = None  # when the connection was lost, at what position
        self._nats_back: asyncio.Event | None = None
        self.chain_head, self.checkpoint_every = chain_head, checkpoint_every
        self._checkpointed: tuple[int, float] = (0, 0.0)  # chain position, monotonic time

    @property
    def nats_url(self) -> str:
        return self._address()

    # --- running ------------------------------------------------------------------------
    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until `stopping` is set: connect, relay, and when NATS moves connect again."""
        self._nats_back = asyncio.Event()
        while not stopping.is_set():
            nc = await self._connect(stopping)
            if nc is None:
                return
            try:
                await self._follow(nc, stopping)
            finally:
                self._closing = True
                self.stats.connected = False
                try:
                    await asyncio.wait_for(nc.close(), 5)
                except Exception as e:  # noqa: BLE001 - a connection being given up
                    log.debug("relay: closing the NATS connection: %r", e)
                self._closing = False

    async def _follow(self, nc: Any, stopping: asyncio.Event) -> None:
        """Relay over one connection; after any failure wait a little and start over (from
        where the stream ends). Returns when stopping, or when NATS moved elsewhere."""
        pause = 0.2
        while not stopping.is_set():
            progress = self.stats.position
            try:
                await self._relay(nc, stopping)
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
                await _sleep(stopping, pause)
                pause = min(pause * 2, 5.0)
            else:
                pause = 0.2

    async def _connect(self, stopping: asyncio.Event) -> Any:
        """A connection that reconnects by itself for ever; None if stopped before it came.
        (nats-py keeps trying the first connect too, so the attempt races `stopping` and a
        change of address.)"""
        pause = 0.2
        while not stopping.is_set():
            url = self.nats_url
            attempt = asyncio.ensure_future(nats.connect(
                url, name="hazardledger-relay", connect_timeout=2,
                allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                error_cb=self._nats_error, disconnected_cb=self._disconnected,
                reconnected_cb=self._reconnected))
            while not (attempt.done() or stopping.is_set() or self.nats_url != url):
                await asyncio.wait([attempt], timeout=0.25)
            if not attempt.done():
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
                continue  # stopping, or NATS moved: try the new address
            try:
                nc = attempt.result()
            except (nats.errors.Error, OSError, TimeoutError) as e:
                log.warning("relay: NATS %s unreachable (%r); retrying", _safe(url), e)
                await _sleep(stopping, pause)
                pause = min(pause * 2, 5.0)
                continue
            self._connected_to, self.stats.connected = url, True
            if self._lost is not None:  # a new connection after NATS moved
                await self._reconnected()
            return nc
        return None

    async def _nats_error(self, e: Exception) -> None:
        if isinstance(e, APIError):  # a refused publish_async (see StreamPublisher.refused)
            log.info("relay: JetStream refused a publish: %s", e)
            if self._publisher is not None:
                self._publisher.refused(e)
            return
        # while NATS is down every reconnect attempt fails the same way: say it once
        level = logging.DEBUG if repr(e) == self._last_nats_error else logging.WARNING
        self._last_nats_error = repr(e)
        log.log(level, "relay: NATS error: %r", e)

    async def _disconnected(self) -> None:
        self.stats.connected = False
        if self._closing or self._lost is not None:
            return
        self._lost = (time.monotonic(), self.stats.position)
        log.warning("relay: lost NATS %s at position %d; commands go on, the relay reconnects "
                    "by itself and then catches up", _safe(self._connected_to), self.stats.position)

    async def _reconnected(self) -> None:
        self._last_nats_error = ""
        self.stats.connected = True
        self.stats.reconnects += 1
        lost_at, position = self._lost or (time.monotonic(), self.stats.position)
        self._lost = None
        log.warning("relay: NATS %s is back after %.1f s (lost at position %d); resuming from "
                    "where stream %s ends", _safe(self._connected_to), time.monotonic() - lost_at,
                    position, self.stream)
        if self._nats_back is not None:
            self._nats_back.set()

    def _check_connection(self, nc: Any) -> None:
        """Between batches: start over when NATS came back (it may have lost messages it had
        acknowledged, or stored some the client buffered); give up this connection when the
        address changed (whatever now answers on the old port is not our server)."""
        if self._nats_back is not None and self._nats_back.is_set():
            self._nats_back.clear()
            raise NatsBack()
        if self.nats_url != self._connected_to:
            raise NatsMoved(f"NATS moved from {_safe(self._connected_to)} to {_safe(self.nats_url)}")

    async def _relay(self, nc: Any, stopping: asyncio.Event) -> None:
        while not nc.is_connected and not stopping.is_set():
            self._check_connection(nc)
            await _sleep(stopping, 0.1)
        if stopping.is_set():
            return
        if self._nats_back is not None:
            self._nats_back.clear()  # this start reads the stream's end anyway
        js = nc.jetstream(publish_async_max_pending=4 * self.batch_size)
        await ensure_stream(js, self.stream, self.prefix, self.duplicate_window)
        publisher = self._publisher = StreamPublisher(js, self.stream, self.prefix,
                                                      ack_timeout=self.ack_timeout)
        start = await self._start_position(publisher)
        with LogFeed(self.app.recorder, after=start) as feed:
            await self._pump(nc, feed, publisher, stopping)

    async def _pump(self, nc: Any, feed: LogFeed, publisher: StreamPublisher,
                    stopping: asyncio.Event) -> None:
        """A three-stage pipeline: while JetStream stores batch N (its acknowledgements are
        awaited and its position tracked), batch N+1 is read and encoded in a worker thread;
        then N+1 goes on the wire."""
        sent: tuple[InFlight, int] | None = None
        try:
            while not stopping.is_set():
                self._check_connection(nc)
                feed.rearm()
                reading = asyncio.ensure_future(asyncio.to_thread(self._read_and_prepare, feed))
                try:
                    if sent is not None:
                        await self._confirm(publisher, *sent)
                        sent = None
                finally:
                    outgoing, last = await reading
                outgoing += await self._checkpoint_due(last or self._tracked)
                if outgoing:
                    sent = (await publisher.send(outgoing), last or self._tracked)
                if last is None:
                    await feed.wait(1.0, stopping, self._nats_back)
            if sent is not None:
                await self._confirm(publisher, *sent)
                sent = None
        finally:
            if sent is not None:
                sent[0].cancel()

    async def _checkpoint_due(self, after: int) -> list[Outgoing]:
        """The audit chain's head, once every `checkpoint_every` seconds when it has moved."""
        position, at = self._checkpointed
        if self.chain_head is None or time.monotonic() - at < self.checkpoint_every:
            return []
        head = await asyncio.to_thread(self.chain_head)
        if head is None or head[0] <= position:
            return []
        self._checkpointed = (head[0], time.monotonic())
        return [checkpoint(self.prefix, after, (head[0], head[1].hex()))]

    async def _start_position(self, publisher: StreamPublisher) -> int:
        """Resume after the last event the stream holds: further than the tracking when the
        relay died between JetStream's acknowledgement and the tracking write; short of it when
        NATS lost messages it had acknowledged (a crash before they reached its disk)."""
        tracked = await asyncio.to_thread(self.tracking.max_tracking_id, self.tracking_name) or 0
        end = await publisher.sync()
        newest = await asyncio.to_thread(self.app.recorder.max_notification_id) or 0
        self._tracked = tracked
        start = self._resume_point(end, tracked, newest)
        await self._track(start)  # the tracking row only ever moves forward
        self._tracked = self.stats.position = start
        log.info("relay: %s → NATS %s, stream %s (%s.>), from position %d", self.app.name,
                 _safe(self._connected_to), self.stream, self.prefix, start)
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

    async def _confirm(self, publisher: StreamPublisher, flight: InFlight, last: int) -> None:
        """Track a batch once JetStream acknowledged it (up to its last position, which may be
        a skipped malformed event); on a failure track what was acknowledged and raise."""
        before = publisher.duplicates
        try:
            await publisher.confirm(flight)
        except PublishFailed as failed:
            if failed.acked:
                self.stats.published += failed.acked
                await self._track(flight.messages[failed.acked - 1].position)
            raise
        finally:
            self.stats.duplicates += publisher.duplicates - before
        self.stats.published += sum(1 for m in flight.messages if not m.msg_id)  # events only
        await self._track(last)

    async def _track(self, position: int) -> None:
        if position > self._tracked:
            await asyncio.to_thread(self.tracking.insert_tracking,
                                    Tracking(self.tracking_name, position))
            self._tracked = position
        self.stats.position = self._tracked

    # --- one batch: read, decode, place, encode (a worker thread: the library is synchronous) ---
    def _read_and_prepare(self, feed: LogFeed) -> tuple[list[Outgoing], int | None]:
        batch = feed.read(self.batch_size)
        return self.encoder.messages(batch), (batch[-1].id if batch else None)

    def wait_for(self, position: int, timeout: float = 10.0) -> bool:
        """Block (another thread) until the relay has tracked `position`; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.stats.position < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


async def _sleep(stopping: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except (TimeoutError, asyncio.TimeoutError):
        pass


def _safe(url: str) -> str:
    return url.split("@", 1)[-1]


class RelayThread(threading.Thread):
    """The relay in a thread of its own, with its own asyncio loop (never FastAPI's)."""

    def __init__(self, relay: Relay) -> None:
        super().__init__(name="hazard-relay", daemon=True)
        self.relay = relay
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._stop_requested = threading.Event()
        self._ready = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        if self._stop_requested.is_set():
            return
        try:
            await self.relay.run(self._stopping)
        except Exception:  # pragma: no cover - logged; the service goes on without fan-out
            log.exception("relay: stopped by an unexpected error")

    def stop(self, timeout: float = 15.0) -> None:
        self._stop_requested.set()
        if self._ready.wait(timeout) and self._loop is not None and self._stopping is not None:
            try:
                self._loop.call_soon_threadsafe(self._stopping.set)
            except RuntimeError:
                pass  # the loop already finished
        self.join(timeout)
        if self.is_alive():
            log.warning("relay: thread did not stop within %.0f s", timeout)


@contextmanager
def running_relay(app: Any, nats_url: str | Callable[[], str], **options: Any) -> Iterator[Relay]:
    """Run a relay for `app` in a background thread while the block runs; stop it after.
    `nats_url`: an address, or a function answering the current one (`Broker.address`)."""
    relay = Relay(app, nats_url, **options)
    thread = RelayThread(relay)
    thread.start()
    try:
        yield relay
    finally:
        thread.stop()
