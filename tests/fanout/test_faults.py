"""Faults on real NATS and PostgreSQL: NATS down, the relay killed mid-batch, bad events, a
tracking position left behind beyond the de-duplication window."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from infra.relay import TRACKING_TABLE, running_relay
from infra.subjects import filter_subject
from tests.fanout.conftest import (assert_exactly_once_in_order, bulk_hazards, collect, enterprise,
                                   hazard_steps, stream_info)

ROOT = Path(__file__).resolve().parents[2]


def test_nats_stopped_while_commands_go_on_then_the_relay_catches_up(ledger, log_reader, own_nats):
    ent = enterprise(ledger)
    positions: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def commands() -> None:  # the API's work, going on through the outage
        while not done.is_set():
            try:
                positions.append(hazard_steps(ledger, ent))
            except BaseException as e:  # noqa: BLE001 - every command must succeed
                errors.append(e)
            time.sleep(0.005)

    with running_relay(log_reader, own_nats.url, ack_timeout=1.0, batch_size=50) as relay:
        writer = threading.Thread(target=commands)
        writer.start()
        time.sleep(0.5)
        assert relay.wait_for(1, timeout=20), relay.stats   # relaying (its encoder has started)
        own_nats.stop()                                     # NATS goes away mid-stream
        stopped_at = len(positions)
        time.sleep(1.5)
        behind = relay.stats.position
        own_nats.start()                                    # and comes back on the same port
        time.sleep(0.5)
        done.set()
        writer.join()
        last = ledger.recorder.max_notification_id()
        assert relay.wait_for(last, timeout=20), relay.stats
    assert not errors
    assert len(positions) > stopped_at + 10, "commands went on while NATS was down"
    assert behind < last and relay.stats.restarts >= 1
    received = collect(own_nats.url, "HAZARD_EVENTS", "hz.>", last)
    assert_exactly_once_in_order(received, list(range(1, last + 1)))


def _tracked(database_url: str, schema: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass(%s)", (f'"{schema}".{TRACKING_TABLE}',)).fetchone()[0]:
            return 0  # the relay has not created its table yet
        row = conn.execute(sql.SQL("SELECT max(notification_id) FROM {}.{} WHERE application_name"
                                   " NOT LIKE '\\_\\_%%'").format(
            sql.Identifier(schema), sql.Identifier(TRACKING_TABLE))).fetchone()
    return row[0] or 0


def _relay_process(database_url: str, schema: str, nats_url: str, channel, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "NATS_URL": nats_url, "HAZARD_DATA_DIR": str(tmp), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli.fanout", "relay", "--stream", channel.stream,
         "--prefix", channel.prefix, "--batch-size", "100"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for_stream(nats_url: str, stream: str, count: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    messages = 0
    while time.monotonic() < deadline:
        try:
            messages = stream_info(nats_url, stream).state.messages
        except Exception:  # noqa: BLE001 - the relay has not created the stream yet
            messages = 0
        if messages >= count:
            break
        time.sleep(0.05)
    return messages


def _kill_between_ack_and_tracking(relay: subprocess.Popen, nats_url: str, stream: str,
                                   database_url: str, schema: str, after: int) -> tuple[int, int]:
    """SIGKILL the relay once the stream holds more than `after` messages and more than the
    relay has tracked (acknowledged by JetStream, not yet recorded); answers what the stream
    and the tracking table hold after the kill."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        tracked = _tracked(database_url, schema)
        stored = _wait_for_stream(nats_url, stream, 0, timeout=1)
        if stored > max(after, tracked):
            break
    relay.send_signal(signal.SIGKILL)                        # no goodbye, mid-batch
    relay.wait(5)
    return stream_info(nats_url, stream).state.messages, _tracked(database_url, schema)


def test_relay_killed_mid_batch_and_restarted_delivers_each_event_exactly_once(
        ledger, database_url, schema, nats_url, channel, tmp_path):
    total = bulk_hazards(ledger, 2500)   # 5,004 events
    kills: list[tuple[int, int]] = []
    while len(kills) < 8 and not any(stored > tracked for stored, tracked in kills):
        relay = _relay_process(database_url, schema, nats_url, channel, tmp_path)
        try:
            after = kills[-1][0] + 200 if kills else 500
            kills.append(_kill_between_ack_and_tracking(relay, nats_url, channel.stream,
                                                        database_url, schema, after))
        finally:
            relay.kill()
    print(f"after each SIGKILL (messages in the stream, position tracked): {kills}")
    assert all(stored < total for stored, _ in kills), "the relay was killed while still relaying"
    assert any(stored > tracked for stored, tracked in kills), \
        "no kill landed between JetStream's acknowledgement and the tracking write"

    restarted = _relay_process(database_url, schema, nats_url, channel, tmp_path)
    try:
        assert _wait_for_stream(nats_url, channel.stream, total, timeout=30) == total
        time.sleep(0.3)
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(10) == 0
    assert stream_info(nats_url, channel.stream).state.messages == total  # nothing stored twice
    assert _tracked(database_url, schema) == total

    everything = collect(nats_url, channel.stream, f"{channel.prefix}.>", total)
    assert_exactly_once_in_order(everything, list(range(1, total + 1)))
    for township, sector in (("330226011", None), (None, "chem")):
        wanted = [r.msg_id for r in everything
                  if (township is None or r.body["township"] == township)
                  and (sector is None or r.body["sector"] == sector)]
        got = collect(nats_url, channel.stream, filter_subject(channel.prefix, township, sector),
                      len(wanted))
        assert_exactly_once_in_order(got, wanted)


def _insert_bad_rows(ledger, database_url: str, schema: str) -> None:
    rows = [("domain.hazard:Hazard.NoSuchEvent", b'{"actor": {"id": "x"}}'),   # unknown event
            ("domain.hazard:Hazard.Reported", b"\x00not json at all"),            # broken body
            ("nowhere.module:Thing.Happened", b"{}")]                             # unknown module
    table = ledger.recorder.events_table_name
    with psycopg.connect(database_url, autocommit=True) as conn:
        for topic, state in rows:
            insert = sql.SQL("INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
                             "VALUES (%s, 1, %s, %s)").format(sql.Identifier(schema), sql.Identifier(table))
            conn.execute(insert, (uuid.uuid4(), topic, state))


def test_a_malformed_or_unknown_event_is_reported_and_does_not_stop_the_relay(
        ledger, log_reader, database_url, schema, nats_url, channel, caplog):
    ent = enterprise(ledger)                                 # position 1
    _insert_bad_rows(ledger, database_url, schema)           # positions 2, 3, 4
    last = hazard_steps(ledger, ent)                         # positions 5, 6
    with caplog.at_level(logging.ERROR, logger="infra.relay"):
        with running_relay(log_reader, nats_url, **channel.options) as relay:
            assert relay.wait_for(last, timeout=10), relay.stats
            assert relay.stats.malformed == 3
            assert list(relay.stats.malformed_positions) == [2, 3, 4]
            later = hazard_steps(ledger, ent)                # and it goes on relaying
            assert relay.wait_for(later, timeout=10)
    reported = [r.getMessage() for r in caplog.records if "cannot be relayed" in r.getMessage()]
    assert len(reported) == 3 and "Hazard.NoSuchEvent" in reported[0]
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", 5)
    assert_exactly_once_in_order(received, [1, 5, 6, 7, 8])


def test_tracking_left_behind_repeats_nothing_even_beyond_the_dedup_window(
        ledger, log_reader, database_url, schema, nats_url, channel, caplog):
    first = bulk_hazards(ledger, 50)
    options = dict(channel.options, duplicate_window=1.0)
    with running_relay(log_reader, nats_url, **options) as relay:
        assert relay.wait_for(first)
    # as if the relay died after JetStream acknowledged and before it tracked the position
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("UPDATE {}.{} SET notification_id = 3 WHERE application_name = %s")
                     .format(sql.Identifier(schema), sql.Identifier(TRACKING_TABLE)),
                     (f"HazardLedger:{channel.stream}",))
    time.sleep(1.5)                                          # JetStream's de-duplication has forgotten
    last = hazard_steps(ledger, enterprise(ledger))
    with caplog.at_level(logging.INFO, logger="infra.relay"):
        with running_relay(log_reader, nats_url, **options) as relay:
            assert relay.wait_for(last)
            assert relay.stats.duplicates == 0
    assert any("already holds up to position" in r.getMessage() for r in caplog.records)
    assert stream_info(nats_url, channel.stream).state.messages == last
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", last)
    assert_exactly_once_in_order(received, list(range(1, last + 1)))


def test_the_encoding_process_killed_is_started_again_and_nothing_is_lost_or_doubled(
        ledger, log_reader, nats_url, channel, caplog):
    """The relay reads and encodes the log in a process of its own; SIGKILLed, it is started
    again (the relay encodes in a thread of its own meanwhile) and the stream still holds
    every event once, in order."""
    ent = enterprise(ledger)
    first = bulk_hazards(ledger, 500)
    with caplog.at_level(logging.ERROR, logger="infra.relay"):
        with running_relay(log_reader, nats_url, batch_size=50, **channel.options) as relay:
            assert relay.wait_for(first, timeout=30), relay.stats
            assert relay.pump.worker.ready.wait(30)          # the encoding process is up
            assert relay.wait_for(hazard_steps(ledger, ent), timeout=30)  # and answers
            killed = relay.pump.worker.pid
            os.kill(killed, signal.SIGKILL)
            last = bulk_hazards(ledger, 500)
            assert relay.wait_for(last, timeout=30), relay.stats
            assert relay.stats.restarts >= 1
            assert relay.pump.worker.ready.wait(30)
            assert relay.pump.worker.pid not in (None, killed)  # a new one
    assert any("encoding process is gone" in r.getMessage() for r in caplog.records)
    assert stream_info(nats_url, channel.stream).state.messages == last
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", last)
    assert_exactly_once_in_order(received, list(range(1, last + 1)))


def test_a_relay_stuck_on_an_await_starts_over_and_misses_nothing(ledger, log_reader, nats_url, channel,
                                                                   monkeypatch):
    """An acknowledgement that never comes and never times out (a cluster that lost a node
    can leave a request waiting): the watchdog starts the relay over from the stream's end."""
    from infra.publisher import StreamPublisher

    confirm, hung = StreamPublisher.confirm, []

    async def first_hangs(self, flight):
        if not hung:
            hung.append(flight)
            await asyncio.Event().wait()  # for ever
        return await confirm(self, flight)

    monkeypatch.setattr(StreamPublisher, "confirm", first_hangs)
    with running_relay(log_reader, nats_url, stall_after=1.5, **channel.options) as relay:
        last = bulk_hazards(ledger, 30)
        assert relay.wait_for(last, timeout=30), relay.stats
    assert hung and relay.stats.restarts >= 1 and "Stalled" in relay.stats.last_error
    assert_exactly_once_in_order(collect(nats_url, channel.stream, f"{channel.prefix}.>", last),
                                 list(range(1, last + 1)))


def test_stopping_a_coroutine_that_never_returns_cancels_it(monkeypatch):
    from infra import async_thread

    monkeypatch.setattr(async_thread, "GRACE", 0.5)
    cancelled = threading.Event()

    async def deaf(stopping):  # ignores `stopping`
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    thread = async_thread.AsyncThread("deaf", deaf)
    thread.start()
    time.sleep(0.1)
    thread.stop(timeout=5)
    assert cancelled.is_set() and not thread.is_alive()
