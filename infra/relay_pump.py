"""The relay's pump (泵): read → encode → send → confirm → track, with a window of batches in
flight.

The pump reads the next batch of the log and encodes it in a worker thread (the `eventsourcing`
library is synchronous) while JetStream stores the batches already sent; it sends each batch as
soon as it is encoded, without waiting for the earlier ones' acknowledgements, as long as no
more than `window` batches are unconfirmed. A confirmer task takes the batches in the order they
were sent, waits for their acknowledgements and tracks each one's last position — never a
position whose message JetStream has not acknowledged. The first failure ends the start (the
relay gives the rest up and resumes from where the stream ends).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from infra.envelope import Outgoing, checkpoint
from infra.log_feed import LogFeed
from infra.publisher import InFlight, PublishFailed, StreamPublisher
from infra.relay_link import Link

if TYPE_CHECKING:
    from infra.relay import Relay

Sent = tuple[InFlight | None, int]  # a batch on the wire (None: nothing to send) and its last position


class Pump:
    def __init__(self, relay: Relay, link: Link) -> None:
        self.relay = relay
        self.link = link
        self._checkpointed: tuple[int, float] = (0, 0.0)  # chain position, monotonic time

    async def run(self, feed: LogFeed, publisher: StreamPublisher, start: int,
                  stopping: asyncio.Event) -> None:
        """Pump from `start` until stopping (then wait for what is in flight) or a failure."""
        window: asyncio.Queue[Sent | None] = asyncio.Queue(maxsize=self.relay.window)
        confirmer = asyncio.ensure_future(self._confirm_all(publisher, window))
        broken = asyncio.Event()
        confirmer.add_done_callback(lambda _: broken.set())
        sent_up_to = start
        try:
            while not stopping.is_set():
                self.link.check()
                if confirmer.done():
                    return confirmer.result()  # its failure ends this start
                feed.rearm()
                outgoing, last = await asyncio.to_thread(self._prepare, feed)
                sent_up_to = last or sent_up_to
                outgoing += await self._checkpoint_due(sent_up_to)
                if outgoing or last is not None:
                    flight = await publisher.send(outgoing) if outgoing else None
                    await self._put(window, (flight, sent_up_to), confirmer)
                if last is None:
                    await feed.wait(1.0, stopping, self.link.back, broken)
            await self._put(window, None, confirmer)
            await confirmer
        finally:
            if not confirmer.done():
                confirmer.cancel()
                await asyncio.gather(confirmer, return_exceptions=True)

    def _prepare(self, feed: LogFeed) -> tuple[list[Outgoing], int | None]:
        """The next batch: read and encoded (a worker thread)."""
        batch = feed.read(self.relay.batch_size)
        return self.relay.encoder.messages(batch), (batch[-1].id if batch else None)

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

