"""The relay's pump (泵): read → encode → send → confirm → track, with a window of batches in
flight.

Batches of the log are read and encoded in the relay's encoding process
(`infra.relay_worker`; in a thread of the relay while that process starts), `AHEAD` of them
requested at a time, while JetStream stores the batches
already sent; the pump sends each batch as soon as it arrives, without waiting for the earlier
ones' acknowledgements, as long as no more than `window` batches are unconfirmed. A confirmer
task takes the batches in the order they were sent, waits for their acknowledgements and
tracks each one's last position — never a position whose message JetStream has not
acknowledged. The first failure ends the start (the relay gives the rest up and resumes from
where the stream ends).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from infra.envelope import Outgoing, checkpoint
from infra.log_feed import LogFeed
from infra.publisher import InFlight, PublishFailed, StreamPublisher
from infra.relay_encoder import Reporter
from infra.relay_link import Link
from infra.relay_worker import EncodingWorker, LocalSource, Prepared

if TYPE_CHECKING:
    from infra.relay import Relay

Sent = tuple[InFlight | None, int]  # a batch on the wire (None: nothing to send) and its last position
AHEAD = 2  # batches requested from the encoding process before the first one arrives


class Pump:
    def __init__(self, relay: Relay, link: Link) -> None:
        self.relay = relay
        self.link = link
        self.worker = EncodingWorker(relay.reader.app.env, relay.prefix, relay.batch_size)
        self.local = LocalSource(relay.reader, relay.prefix, relay.batch_size)
        self.reporter = Reporter(relay.stats)
        self._checkpointed: tuple[int, float] = (0, 0.0)  # chain position, monotonic time

    def close(self) -> None:
        self.worker.close()

    async def run(self, feed: LogFeed, publisher: StreamPublisher, start: int,
                  stopping: asyncio.Event) -> None:
        """Pump from `start` until stopping (then wait for what is in flight) or a failure."""
        window: asyncio.Queue[Sent | None] = asyncio.Queue(maxsize=self.relay.window)
        confirmer = asyncio.ensure_future(self._confirm_all(publisher, window))
        broken = asyncio.Event()
        confirmer.add_done_callback(lambda _: broken.set())
        worker = self.worker
        worker.start()
        source: EncodingWorker | LocalSource = worker if worker.ready.is_set() else self.local
        feed.rearm()
        source.seek(start, AHEAD)
        sent_up_to = start
        try:
            while not stopping.is_set():
                self.link.check()
                if confirmer.done():
                    return confirmer.result()  # its failure ends this start
                if source is self.local and worker.ready.is_set():  # the process is up: over to it
                    source = worker
                    worker.teach(self.local.known())
                    source.seek(sent_up_to, AHEAD)
                prepared = await self._take(source, stopping)
                if prepared is None:
                    break  # stopping
                self.reporter.report(prepared.bad)
                last = prepared.last
                if last is not None:
                    feed.rearm()  # a NOTIFY from now on may be about events this request misses
                    source.more()
                sent_up_to = last or sent_up_to
                outgoing = prepared.messages + await self._checkpoint_due(sent_up_to)
                if outgoing or last is not None:
                    if outgoing:
                        await publisher.cover(outgoing)  # a new aggregate's subject added first
                    flight = await publisher.send(outgoing) if outgoing else None
                    await self._put(window, (flight, sent_up_to), confirmer)
                if last is None and source.outstanding == 0:  # caught up: wait for news
                    await feed.wait(1.0, stopping, self.link.back, broken)
                    feed.rearm()
                    source.more()
            await self._put(window, None, confirmer)
            await confirmer
        finally:
            if not confirmer.done():
                confirmer.cancel()
                await asyncio.gather(confirmer, return_exceptions=True)

    @staticmethod
    async def _take(source: EncodingWorker | LocalSource, stopping: asyncio.Event) -> Prepared | None:
        """The next batch from the encoding process; None if stopping meanwhile."""
        take = asyncio.ensure_future(source.take())
        stop = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait([take, stop], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not take.done():
                take.cancel()
        return take.result() if take.done() and not take.cancelled() else None

    @staticmethod
    async def _put(window: asyncio.Queue, item: Sent | None, confirmer: asyncio.Future) -> None:
        """Into the window; waits while it is full, and raises the confirmer's failure."""
        if not window.full():
            window.put_nowait(item)
            return
        put = asyncio.ensure_future(window.put(item))
        await asyncio.wait([put, confirmer], return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()
            confirmer.result()
            raise RuntimeError("the relay's confirmer stopped")

    async def _confirm_all(self, publisher: StreamPublisher, window: asyncio.Queue) -> None:
        """Batches in the order they were sent: acknowledged, then tracked."""
        while (item := await window.get()) is not None:
            flight, last = item
            if flight is not None:
                await self._confirm(publisher, flight)
            await self.relay.track(last)  # may be beyond the last message: skipped bad events

    async def _confirm(self, publisher: StreamPublisher, flight: InFlight) -> None:
        """Count a batch once JetStream acknowledged it; on a failure track what was
        acknowledged and raise."""
        stats = self.relay.stats
        try:
            await publisher.confirm(flight)
        except PublishFailed as failed:
            if failed.acked:
                stats.published += events(flight.messages[:failed.acked])
                await self.relay.track(flight.messages[failed.acked - 1].position)
            raise
        finally:
            stats.duplicates += flight.duplicates
        stats.published += events(flight.messages)

    async def _checkpoint_due(self, after: int) -> list[Outgoing]:
        """The audit chain's head, once every `checkpoint_every` seconds when it has moved."""
        relay = self.relay
        position, at = self._checkpointed
        if relay.chain_head is None or time.monotonic() - at < relay.checkpoint_every:
            return []
        head = await asyncio.to_thread(relay.chain_head)
        if head is None or head[0] <= position:
            return []
        self._checkpointed = (head[0], time.monotonic())
        return [checkpoint(relay.prefix, after, (head[0], head[1].hex()))]


def events(messages: Sequence[Outgoing]) -> int:
    """How many of `messages` are events (not audit checkpoints)."""
    return sum(1 for m in messages if not m.msg_id)

