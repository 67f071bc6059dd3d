"""The relay heals itself (issue 10 §8): nats-server SIGKILLed while commands go on and the relay
publishes, then started again — the relay reconnects and catches up by itself, and the stream
holds exactly the log, in order, nothing lost or doubled. Real nats-server processes only."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import nats
import pytest

from infra.nats import Broker, EmbeddedNats, locate
from infra.publisher import StreamPublisher, ensure_stream
from infra.relay import running_relay
from infra.settings import Settings
from tests.fanout.conftest import (assert_exactly_once_in_order, bulk_hazards, collect, enterprise,
                                   hazard_steps, stream_info)


@contextmanager
def commands_going_on(ledger) -> Iterator[Callable[[], int]]:
    """The API's work, in a thread, through every outage; yields 'how many commands so far'.
    Every command must succeed: NATS is never on the command path."""
    ent = enterprise(ledger)
    positions: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def commands() -> None:
        while not done.is_set():
            try:
                positions.append(hazard_steps(ledger, ent))
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
            time.sleep(0.005)

    writer = threading.Thread(target=commands, name="commands")
    writer.start()
    try:
        yield lambda: len(positions)
    finally:
        done.set()
        writer.join()
    assert not errors, errors


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def kill(server: EmbeddedNats) -> None:
    """SIGKILL: no goodbye, no flush, no close; back once the process is gone."""
    os.kill(server.pid, signal.SIGKILL)
    assert wait_until(lambda: not server.running)


def assert_stream_is_the_log(url: str, ledger) -> None:
    last = ledger.recorder.max_notification_id()
    assert stream_info(url, "HAZARD_EVENTS").state.messages == last
    assert_exactly_once_in_order(collect(url, "HAZARD_EVENTS", "hz.>", last), list(range(1, last + 1)))


def test_nats_killed_mid_batch_and_restarted_on_the_same_port_the_relay_heals_by_itself(
        ledger, log_reader, tmp_path):
    """Each time NATS dies while the relay has batches on the wire and stays away longer than
    the acknowledgement timeout: the relay gives the batch up, nats-py still holds part of it in
    its buffer and sends it when NATS is back — the relay must resume exactly after whatever of
    it was stored."""
    backlog = bulk_hazards(ledger, 2500)                     # 5,004 events to relay
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    try:
        with running_relay(log_reader, server.url, ack_timeout=1.0) as relay:
            with commands_going_on(ledger) as done_so_far:
                for _ in range(3):
                    published, restarts = relay.stats.published, relay.stats.restarts
                    assert wait_until(lambda: relay.stats.published > published + 700), relay.stats
                    kill(server)
                    assert wait_until(lambda: relay.stats.restarts > restarts), relay.stats
                    now = done_so_far()
                    assert wait_until(lambda: done_so_far() > now + 20)  # commands go on
                    server.start()                           # same port, same store folder
                now = done_so_far()
                assert wait_until(lambda: done_so_far() > now + 20)
            last = ledger.recorder.max_notification_id()
            assert relay.wait_for(last, timeout=60), relay.stats  # nobody restarted the relay
            assert relay.stats.reconnects >= 3
        assert last > backlog
        assert_stream_is_the_log(server.url, ledger)
    finally:
        server.stop()


@pytest.mark.parametrize("on_disk", ["the first half", "nothing"])
def test_nats_that_lost_acknowledged_messages_in_a_crash_gets_them_again(ledger, log_reader, tmp_path, on_disk):
    """nats-server acknowledges a message before it is on disk (by default it syncs every two
    minutes; nats-io/nats-server#7564), so a crash can take back messages the relay saw
    acknowledged and tracked — or the whole stream, if its folder is lost. After the restart
    the relay republishes from where the stream really ends, not from its tracking."""
    ent = enterprise(ledger)
    server = EmbeddedNats(tmp_path / "nats")
    store = server.folder / "jetstream"
    server.start()
    try:
        with running_relay(log_reader, server.url) as relay:
            first = [hazard_steps(ledger, ent) for _ in range(20)][-1]
            assert relay.wait_for(first)
            server.stop()                                    # the disk holds 1..first
            shutil.copytree(store, tmp_path / "on-disk")
            server.start()
            second = [hazard_steps(ledger, ent) for _ in range(20)][-1]
            assert relay.wait_for(second)                    # acknowledged and tracked
            kill(server)
            shutil.rmtree(store)                             # what had reached the disk
            if on_disk == "the first half":
                shutil.copytree(tmp_path / "on-disk", store)
            server.start()
            last = [hazard_steps(ledger, ent) for _ in range(5)][-1]
            assert relay.wait_for(last), relay.stats
        assert_stream_is_the_log(server.url, ledger)
    finally:
        server.stop()


def test_an_embedded_nats_that_dies_is_started_again_and_the_relay_follows_it(ledger, log_reader, tmp_path):
    """`hazard serve` without NATS_URL: its nats-server SIGKILLed — started again on the same
    port; SIGKILLed again while another program took that port — started on a new one, written
    to <data>/nats/url, and the relay finds it there. Nothing lost or doubled."""
    settings = Settings.from_env({"HAZARD_DATA_DIR": str(tmp_path / "var")})
    with Broker(settings) as broker, running_relay(log_reader, broker.address) as relay:
        with commands_going_on(ledger) as done_so_far:
            first = broker.url
            assert wait_until(lambda: relay.stats.published > 20), relay.stats
            reconnects = relay.stats.reconnects  # before the kill: the relay may be back before the next line
            os.kill(broker.embedded.pid, signal.SIGKILL)
            assert wait_until(lambda: broker.supervisor.restarts == 1)  # nobody but the service
            assert broker.url == first == locate(settings)              # the same port
            assert wait_until(lambda: relay.stats.reconnects > reconnects), relay.stats

            with socket.socket() as squatter:                           # someone takes the port
                with broker.embedded._lock:   # (the supervisor waits while the port is taken)
                    os.kill(broker.embedded.pid, signal.SIGKILL)
                    broker.embedded._process.wait()
                    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    squatter.bind(("127.0.0.1", broker.embedded.port))
                    squatter.listen()
                assert wait_until(lambda: broker.supervisor.restarts == 2)
                assert broker.url != first and locate(settings) == broker.url
                now = done_so_far()
                assert wait_until(lambda: done_so_far() > now + 20)
        last = ledger.recorder.max_notification_id()
        assert relay.wait_for(last, timeout=60), relay.stats
        assert relay.stats.reconnects >= 2
        assert_stream_is_the_log(broker.url, ledger)


def test_the_stream_end_is_read_as_one_message_even_while_jetstream_stores(tmp_path):
    """The relay resumes with the sequence and the position of the stream's last message.
    Read while JetStream is still storing (as it is right after a reconnect, when nats-py sends
    what it buffered), the two must still belong to the same message — else the sequence guard
    lets later events in after a gap."""
    async def check(url: str) -> list[tuple[int, int | None]]:
        writer, reader = await nats.connect(url), await nats.connect(url)
        try:
            js = writer.jetstream(publish_async_max_pending=20_000)
            await ensure_stream(js, "HAZARD_EVENTS", "hz")
            acks = [await js.publish_async("hz._._.hazard.reported", b"{}",
                                           headers={"Nats-Msg-Id": str(i)})
                    for i in range(1, 20_001)]
            publisher = StreamPublisher(reader, "HAZARD_EVENTS", "hz")
            ends = []
            while not all(a.done() for a in acks):
                end = await publisher.sync()
                ends.append((end.last_seq, end.position))
            await asyncio.gather(*acks)
            return ends
        finally:
            await writer.close()
            await reader.close()

    with EmbeddedNats(tmp_path / "nats") as server:
        ends = asyncio.run(check(server.url))
    assert ends, "JetStream stored everything before the first read"
    assert all(position == seq for seq, position in ends if position is not None), ends[:20]
