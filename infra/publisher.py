"""Publishing to one JetStream stream so that it always holds an exact prefix of the log.

Each message carries `Nats-Msg-Id` = the event's position (JetStream's de-duplication, two
minutes by default) and `Nats-Expected-Last-Sequence` = the stream sequence the relay expects
just before it. Messages go out pipelined (`publish_async`, acknowledgements awaited per batch),
so when one is lost — NATS stopped in mid-batch, say, while later ones were buffered by the
client and sent after the reconnect — the server refuses every later one instead of storing it
out of order or after a gap. After any failure `sync()` asks the stream where it really ends,
so the relay resumes exactly after the last stored event, even beyond the de-duplication window.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import nats.errors
from nats.js import api
from nats.js.errors import NotFoundError

from infra.envelope import Outgoing


class PublishFailed(RuntimeError):
    """JetStream did not acknowledge a message; the first `acked` of the batch are stored."""

    def __init__(self, acked: int, cause: BaseException | str) -> None:
        super().__init__(f"JetStream did not acknowledge message {acked + 1} of the batch: {cause!r}")
        self.acked = acked


@dataclass
class StreamEnd:
    """Where the stream ends: its last sequence and the position in its last message (if any)."""

    last_seq: int
    position: int | None


async def ensure_stream(js: Any, stream: str, prefix: str, duplicate_window: float = 120.0) -> None:
    """Create the stream (file storage, subjects `<prefix>.>`) unless it exists."""
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(api.StreamConfig(
            name=stream, subjects=[f"{prefix}.>"], storage=api.StorageType.FILE,
            duplicate_window=duplicate_window,
            description="HazardLedger events, one message per stored event (SPEC §4)"))


class StreamPublisher:
    def __init__(self, js: Any, stream: str, prefix: str, *, ack_timeout: float = 5.0) -> None:
        self._js = js
        self.stream = stream
        self.prefix = prefix
        self.ack_timeout = ack_timeout
        self.last_seq = 0       # the stream's last sequence, as confirmed
        self._next_seq = 0      # … including what is in flight
        self.duplicates = 0
        self._in_flight: set[InFlight] = set()
        self._refusal: BaseException | None = None

    def refused(self, error: BaseException) -> None:
        """JetStream refused a publish (a wrong expected sequence, say). nats-py 2.16 does not
        put that error on the publish's future — it raises it in its reply handler and hands it
        to the connection's error callback, and the future never resolves (nats-io/nats.py#985).
        The relay's error callback passes it here: every unacknowledged message in flight is
        given up at once, instead of waiting out the acknowledgement timeout."""
        self._refusal = error
        for flight in self._in_flight:
            flight.cancel()

    async def sync(self) -> StreamEnd:
        """Read where the stream ends; later publishes expect exactly that.

        The sequence and the position come from the same (last) message. Asked separately,
        they may disagree: after a reconnect nats-py sends what it buffered during the outage,
        and JetStream may still be storing it while it answers — a sequence read before a
        position would make the relay expect too little, and once the stream caught up with
        that expectation it would store later events after a gap."""
        info = await self._js.stream_info(self.stream)  # first: only used if the stream is empty
        try:
            last = await self._js.get_last_msg(self.stream, f"{self.prefix}.>")
        except NotFoundError:  # empty now, so it was empty (or emptied by hand) before
            self.last_seq = self._next_seq = info.state.last_seq
            return StreamEnd(self.last_seq, None)
        self.last_seq = self._next_seq = last.seq
        msg_id = (last.headers or {}).get(api.Header.MSG_ID, "").removeprefix("checkpoint-")
        return StreamEnd(self.last_seq, int(msg_id) if msg_id.isdigit() else None)

    async def send(self, messages: list[Outgoing]) -> InFlight:
        """Put a batch on the wire (pipelined, no waiting); `confirm` it later, batches in order.
        Later batches may be sent before earlier ones are confirmed: the expected sequences
        continue across them."""
        flight = InFlight(messages)
        self._in_flight.add(flight)
        try:
            for message in messages:
                headers = {api.Header.MSG_ID: message.message_id,
                           api.Header.EXPECTED_LAST_SEQUENCE: str(self._next_seq)}
                flight.futures.append(await self._js.publish_async(message.subject, message.body,
                                                                   headers=headers))
                self._next_seq += 1
        except nats.errors.Error as e:
            flight.cancel()
            raise PublishFailed(0, e) from e
        return flight

    async def confirm(self, flight: InFlight) -> None:
        """Wait for every acknowledgement of a batch, in order; raises PublishFailed at the
        first message that was not stored (the first `acked` were)."""
        deadline = time.monotonic() + self.ack_timeout
        try:
            for i, future in enumerate(flight.futures):
                self._acknowledged(i, await self._ack(i, future, deadline))
        except PublishFailed:
            flight.cancel()  # the rest are given up; `sync` finds out what was stored
            raise
        finally:
            self._in_flight.discard(flight)

    async def _ack(self, i: int, future: asyncio.Future, deadline: float) -> Any:
        try:
            return await asyncio.wait_for(future, max(0.0, deadline - time.monotonic()))
        except (TimeoutError, asyncio.TimeoutError, nats.errors.Error) as e:
            raise PublishFailed(i, e) from e
        except asyncio.CancelledError:
            ours = asyncio.current_task().cancelling()  # this task itself is being cancelled
            if future.cancelled() and self._refusal is not None and not ours:
                raise PublishFailed(i, self._refusal) from None
            raise

    def _acknowledged(self, i: int, ack: Any) -> None:
        if ack.stream != self.stream:
            raise PublishFailed(i, f"stored in stream {ack.stream}, not {self.stream}")
        if ack.duplicate:
            self.duplicates += 1
        else:
            self.last_seq = ack.seq


class InFlight:
    """A batch sent and not yet confirmed: its messages and their acknowledgement futures."""

    def __init__(self, messages: list[Outgoing]) -> None:
        self.messages = messages
        self.futures: list[asyncio.Future] = []

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()


