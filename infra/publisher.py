"""Publishing to one JetStream stream so that it always holds an exact prefix of the log (发布).

Each message carries `Nats-Msg-Id` = the event's position (JetStream's de-duplication, two
minutes by default) and `Nats-Expected-Last-Sequence` = the stream sequence the relay expects
just before it. Messages go out pipelined — a window of batches in flight, each sent without
waiting for the earlier ones' acknowledgements — so when one is lost (NATS stopped in
mid-batch, say, while later ones were buffered by the client and sent after the reconnect) or
refused, the server refuses every later one instead of storing it out of order or after a gap.
After any failure `sync()` asks the stream where it really ends, so the relay resumes exactly
after the last stored event, even beyond the de-duplication window.

One acknowledgement per batch. Because of that guard, JetStream storing a batch's last message
at the sequence it expects means it stored every earlier message of the batch, in order, at
the sequences before it: so only the last message asks for an acknowledgement (reply subject
`<inbox>.<batch number>`, one inbox subscription of the publisher's own), and a batch is
confirmed — and may be tracked — only once that acknowledgement came. A refusal
(`{"error": …}`) comes back the same way and fails its batch at once; a batch whose
acknowledgement does not come within `ack_timeout` is given up. (nats-py's `publish_async`
would make a future, take a semaphore and draw a random token for every message, and parse
every reply twice.)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nats.errors
import orjson
from nats.js import api
from nats.js.errors import NotFoundError

from infra.envelope import Outgoing
from infra.subjects import (aggregate_of_subject, event_stream_subject,
                            event_stream_subjects, reminder_stream_subject)

MSG_ID, EXPECTED = api.Header.MSG_ID, api.Header.EXPECTED_LAST_SEQUENCE


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


def splits_streams(nc: Any) -> bool:
    """Whether the server lets a consumer's filter overlap a stream's subjects without being a
    subset of one (nats-server 2.10 and later): only then can the events stream be narrowed to
    one subject per aggregate and subscribers keep their `hz.<township>.>` filters. An older
    server keeps `<prefix>.>` for events, and reminders are not published to NATS there."""
    version = nc.connected_server_version
    try:
        return (version.major, version.minor) >= (2, 10)
    except (TypeError, ValueError):
        return False


async def ensure_stream(js: Any, stream: str, prefix: str, duplicate_window: float = 120.0, *,
                        split: bool = False, replicas: int = 1) -> None:
    """Create the events stream (file storage) unless it exists. With `split` (nats-server
    2.10+: `splits_streams`) its subjects are one per aggregate token, `<prefix>.*.*.<aggregate>.*`,
    and a stream made before (subjects `<prefix>.>`) is narrowed to them, keeping its messages —
    so the reminders' stream (`<prefix>.*.*.reminder.*`) does not overlap it (JetStream refuses
    that). Without, `<prefix>.>` as before. `replicas`: copies kept by a JetStream cluster
    (HAZARD_NATS_REPLICAS; issue 18 §3) — set when the stream is created."""
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(api.StreamConfig(
            name=stream, subjects=event_stream_subjects(prefix) if split else [f"{prefix}.>"],
            storage=api.StorageType.FILE, duplicate_window=duplicate_window, num_replicas=replicas,
            description="HazardLedger events, one message per stored event (SPEC §4)"))
        return
    if split:
        await _narrow(js, info.config, prefix)


async def _narrow(js: Any, config: Any, prefix: str, tokens: Iterable[str] = ()) -> list[str]:
    """The events stream's subjects without `<prefix>.>`, with every default token and `tokens`
    (only ever added: a token the relay added is kept); updated when they change."""
    current = list(config.subjects or [])
    wanted = [s for s in current if s != f"{prefix}.>"]
    for subject in event_stream_subjects(prefix) + [event_stream_subject(prefix, t) for t in tokens]:
        if subject not in wanted:
            wanted.append(subject)
    if wanted != current:
        config.subjects = wanted
        await js.update_stream(config)
    return wanted


async def ensure_reminder_stream(js: Any, stream: str, prefix: str, *, events_stream: str,
                                 duplicate_window: float = 600.0, replicas: int = 1) -> None:
    """The reminders' stream (`<prefix>.*.*.reminder.*`, issue 14 §5), after narrowing an old
    events stream that would overlap it. A republish after a crash carries the same
    `Nats-Msg-Id` (the reminder's id) and is dropped within `duplicate_window` seconds.
    `replicas`: copies kept by a JetStream cluster (HAZARD_NATS_REPLICAS), as the events'."""
    try:
        await _narrow(js, (await js.stream_info(events_stream)).config, prefix)
    except NotFoundError:
        pass  # the relay creates it narrow
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(api.StreamConfig(
            name=stream, subjects=[reminder_stream_subject(prefix)], storage=api.StorageType.FILE,
            duplicate_window=duplicate_window, num_replicas=replicas,
            description="HazardLedger reminders, one message per reminder (issue 14)"))


class InFlight:
    """A batch on the wire: its messages and its number (`first`: the acknowledgement of its
    last message comes back as `<inbox>.<first>`); `done` resolves when that came, or it
    failed; then `acked` is all of them, or none."""

    def __init__(self, messages: list[Outgoing], first: int, deadline: float) -> None:
        self.messages = messages
        self.first = first
        self.deadline = deadline
        self.acked = 0
        self.duplicates = 0     # acknowledged as already stored
        self.error: BaseException | str | None = None
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()

    @property
    def last_position(self) -> int:
        return self.messages[-1].position

    def fail(self, cause: BaseException | str) -> None:
        if not self.done.done():
            self.error = cause
            self.done.set_result(None)

    def cancel(self) -> None:
        self.fail("given up")


class StreamPublisher:
    """Sends batches to one stream, each message guarded by the sequence it expects; `confirm`
    waits for a batch's acknowledgements (batches are confirmed in the order they were sent)."""

    def __init__(self, nc: Any, stream: str, prefix: str, *, ack_timeout: float = 5.0) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self.stream = stream
        self.prefix = prefix
        self.ack_timeout = ack_timeout
        self.last_seq = 0       # the stream's last sequence, as confirmed
        self._next_seq = 0      # … including what is in flight
        self._sent = 0          # batches sent (each one's number)
        self._flights: deque[InFlight] = deque()
        self._inbox = ""
        self._sub: Any = None
        self._covered: set[str] = set()  # subjects known to be taken by the stream
        self._tokens: set[str] | None = None  # its aggregate tokens (None: not read yet)

    async def __aenter__(self) -> StreamPublisher:
        self._inbox = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_ack)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.give_up()
        try:
            await asyncio.wait_for(self._sub.unsubscribe(), 2.0)
        except (nats.errors.Error, TimeoutError):
            pass  # the connection is going anyway

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
        msg_id = (last.headers or {}).get(MSG_ID, "").removeprefix("checkpoint-")
        return StreamEnd(self.last_seq, int(msg_id) if msg_id.isdigit() else None)

    async def cover(self, messages: list[Outgoing]) -> None:
        """Make sure the stream takes every message's subject: an aggregate token not among its
        subjects yet (an aggregate newer than this code's list) is added first — otherwise
        JetStream would not store the message and every later one would be refused."""
        subjects = {m.subject for m in messages} - self._covered
        if not subjects:
            return
        tokens = {aggregate_of_subject(s) for s in subjects}
        if self._tokens is None:
            info = await self._js.stream_info(self.stream)
            self._tokens = {s.split(".")[3] for s in info.config.subjects or [] if s.count(".") == 4}
            if f"{self.prefix}.>" in (info.config.subjects or []):
                self._tokens = {"*"}  # a stream taking everything (nats-server < 2.10)
        if "*" not in self._tokens and not tokens <= self._tokens:
            info = await self._js.stream_info(self.stream)
            added = await _narrow(self._js, info.config, self.prefix, sorted(tokens - self._tokens))
            self._tokens = {s.split(".")[3] for s in added if s.count(".") == 4}
        if len(self._covered) > 100_000:
            self._covered.clear()
        self._covered |= subjects

    async def send(self, messages: list[Outgoing]) -> InFlight:
        """Put a batch on the wire (pipelined, no waiting); `confirm` it later, batches in order.
        Later batches may be sent before earlier ones are confirmed: the expected sequences
        continue across them. Only the batch's last message asks for an acknowledgement."""
        flight = InFlight(messages, self._sent, time.monotonic() + self.ack_timeout)
        if not messages:
            flight.done.set_result(None)
            return flight
        self._flights.append(flight)
        publish, seq, last = self._nc.publish, self._next_seq, len(messages) - 1
        try:
            for i, message in enumerate(messages):
                await publish(message.subject, message.body,
                              reply=f"{self._inbox}.{self._sent}" if i == last else "",
                              headers={MSG_ID: message.message_id, EXPECTED: str(seq)})
                seq += 1
        except nats.errors.Error as e:
            self.give_up()
            raise PublishFailed(0, e) from e
        finally:
            self._sent += 1
            self._next_seq = seq
        return flight

    async def confirm(self, flight: InFlight) -> None:
        """Wait for every acknowledgement of a batch; raises PublishFailed at the first message
        that was not stored (the first `acked` were), and gives up every later batch."""
        try:
            await asyncio.wait_for(asyncio.shield(flight.done),
                                   max(0.0, flight.deadline - time.monotonic()))
        except (TimeoutError, asyncio.TimeoutError):
            flight.fail(TimeoutError(f"no acknowledgement within {self.ack_timeout} s"))
        if flight in self._flights:
            self._flights.remove(flight)
        if flight.error is not None:
            self.give_up()
            raise PublishFailed(flight.acked, flight.error)

    def give_up(self) -> None:
        """Fail every batch in flight (after a failure: `sync` finds out what was stored)."""
        while self._flights:
            self._flights.popleft().cancel()

    async def _on_ack(self, msg: Any) -> None:
        n = int(msg.subject.rpartition(".")[2])
        flight = next((f for f in self._flights if f.first == n), None)
        if flight is None or flight.done.done():
            return  # a batch given up already
        try:
            ack = orjson.loads(msg.data)
        except orjson.JSONDecodeError:
            ack = {"error": {"description": msg.data[:200].decode(errors="replace")}}
        error = ack.get("error")
        if error is not None:
            flight.fail(f"JetStream refused it: {error.get('description', error)} "
                        f"(code {error.get('err_code', '?')})")
        elif ack.get("stream") != self.stream:
            flight.fail(f"stored in stream {ack.get('stream')}, not {self.stream}")
        else:
            if ack.get("duplicate"):
                flight.duplicates += 1
            else:
                self.last_seq = ack["seq"]
            flight.acked = len(flight.messages)
            flight.done.set_result(None)
