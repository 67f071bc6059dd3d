"""Reminders on real NATS, PostgreSQL and HTTP (issue 14 §5).

- The reminders' own stream: an events stream made before (subjects `hz.>`) is narrowed to one
  subject per aggregate (nats-server 2.10+, the embedded one), `HAZARD_REMINDERS` takes
  `hz.*.*.reminder.*`, and the relay goes on relaying into the narrowed stream.
- Exactly once across a crash: the followers (views, relay, chain keeper, reminders) run in a
  child process; a loopback receiver slows down after a few requests, the child is SIGKILLed in
  mid-delivery and started again; then the `reminders` table holds each (subject, kind, day) once,
  the receiver got every reminder at least once (repeats carry the same id), and the NATS
  stream holds each reminder once — even when every NATS delivery is sent again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import nats
import psycopg
import pytest
from nats.js import api
from psycopg import sql

from domain.actor import Role
from infra.reminders import ReminderStore
from infra.subjects import REMINDER_STREAM, STREAM
from tests.conftest import actor, credit_code
from tests.fanout.conftest import stream_info
from tests.webhook_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
BUREAU, TOWNSHIP = actor(Role.BUREAU), actor(Role.TOWNSHIP)
COUNT = 12


def overdue_hazards(ledger, count: int) -> None:
    """`count` hazards past their deadline (overdue today, whatever today is), in 西店镇 · chem."""
    firm = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="西店五金厂",
                                      township="330226011", sector="chem", scale="small_micro").id
    for i in range(count):
        h = ledger.report_hazard(TOWNSHIP, enterprise_id=firm, source="government_check",
                                 category="unsafe_condition", description=f"隐患{i}：配电箱未接地",
                                 level="general", discovered_on=date(2026, 6, 1))
        ledger.assign_responsibility(BUREAU, h.id, responsible_person="王五", deadline=date(2026, 6, 10),
                                     assigned_on=date(2026, 6, 2), responsible_phone="13800000000")


def followers(database_url: str, schema: str, nats_url: str, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "NATS_URL": nats_url, "HAZARD_DATA_DIR": str(tmp), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.fanout.followers_child"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def query(database_url: str, schema: str, statement: str) -> list[tuple]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema))).fetchall()


def reminder_messages(url: str) -> list[tuple[str, str]]:
    """(subject, Nats-Msg-Id) of every message of the reminders' stream."""
    async def read() -> list[tuple[str, str]]:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            js = nc.jetstream()
            info = await js.stream_info(REMINDER_STREAM)
            out = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(REMINDER_STREAM, seq)
                out.append((msg.subject, msg.headers["Nats-Msg-Id"]))
            return out
        finally:
            await nc.close()

    return asyncio.run(read())


def test_followers_killed_mid_delivery_store_and_send_each_reminder_once(
        ledger, database_url, schema, own_nats, tmp_path) -> None:
    overdue_hazards(ledger, COUNT)
    store = ReminderStore(ledger.recorder.datastore)
    store.create_tables()
    with Receiver(slow_after=4, delay=60) as receiver:
        store.subscriptions.add(topic="reminder", url=receiver.url, township="330226011", sector=None,
                                owner_role="township", owner_unit="330226011",
                                created_by={"role": "township"}, secret="k" * 32)
        child = followers(database_url, schema, own_nats.url, tmp_path)
        try:
            wait_until(lambda: len(receiver.got) > 4, 60, "the receiver to slow down")
        finally:
            child.send_signal(signal.SIGKILL)  # in mid-delivery: requests are hanging
            child.wait(10)
        hanging = len(receiver.got)
        receiver.delay = 0.0
        stored = query(database_url, schema, "SELECT reminder_id FROM {s}.reminders")
        assert len(stored) == COUNT
        # as if the child had died after publishing to NATS and before marking it sent
        query(database_url, schema, "UPDATE {s}.deliveries SET state = 'pending', claimed_until = NULL "
                                    "WHERE channel = 'nats' RETURNING delivery_id")
        child = followers(database_url, schema, own_nats.url, tmp_path)
        try:
            ids = {r[0] for r in stored}
            wait_until(lambda: set(receiver.ids()) >= ids, 90, "every reminder at the receiver")
            wait_until(lambda: query(database_url, schema,
                                     "SELECT count(*) FROM {s}.deliveries WHERE state <> 'delivered'")[0][0] == 0,
                       60, "every delivery done")
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(20)
    rows = query(database_url, schema, "SELECT subject_kind, subject_id, kind, day FROM {s}.reminders")
    assert len(rows) == len(set(rows)) == COUNT
    repeats = len(receiver.got) - len(set(receiver.ids()))
    print(f"webhook requests {len(receiver.got)} for {COUNT} reminders: {repeats} repeats "
          f"({hanging} had arrived when the followers were killed)")
    assert set(receiver.ids()) == ids and all(receiver.ids())
    messages = reminder_messages(own_nats.url)
    assert sorted(m[1] for m in messages) == sorted(ids)  # each once, though all were sent again
    assert {m[0] for m in messages} == {"hz.330226011.chem.reminder.overdue"}
    outbox = query(database_url, schema, "SELECT reference, phone FROM {s}.sms_outbox")
    assert len(outbox) == COUNT and {p for _, p in outbox} == {"13800000000"}
    # the events went to their own stream meanwhile, narrowed, none of them a reminder
    info = stream_info(own_nats.url, STREAM)
    assert "hz.>" not in info.config.subjects and "hz.*.*.hazard.*" in info.config.subjects
    assert info.state.messages >= 1 + 2 * COUNT


def test_an_events_stream_made_before_is_narrowed_and_keeps_its_messages(own_nats) -> None:
    from infra.publisher import ensure_reminder_stream, ensure_stream

    async def run() -> tuple[list[str], int, list[str]]:
        nc = await nats.connect(own_nats.url)
        try:
            js = nc.jetstream()
            await js.add_stream(api.StreamConfig(name=STREAM, subjects=["hz.>"]))  # as deployed before
            await js.publish("hz.330226011.chem.hazard.reported", b"{}", headers={"Nats-Msg-Id": "1"})
            with pytest.raises(Exception):  # noqa: B017 - JetStream refuses an overlapping stream
                await js.add_stream(api.StreamConfig(name="OVERLAP", subjects=["hz.*.*.reminder.*"]))
            await ensure_reminder_stream(js, REMINDER_STREAM, "hz", events_stream=STREAM)
            await ensure_stream(js, STREAM, "hz", split=True)  # the relay's start: nothing more to do
            events = await js.stream_info(STREAM)
            reminders = await js.stream_info(REMINDER_STREAM)
            # a township's consumer keeps its filter on both streams (nats-server 2.10+)
            for stream in (STREAM, REMINDER_STREAM):
                await js.add_consumer(stream, api.ConsumerConfig(durable_name="township_330226011",
                                                                 filter_subject="hz.330226011.>"))
            return events.config.subjects, events.state.messages, reminders.config.subjects
        finally:
            await nc.close()

    events, kept, reminders = asyncio.run(run())
    assert "hz.>" not in events and "hz.*.*.hazard.*" in events and "hz.*.*.audit.*" in events
    assert kept == 1 and reminders == ["hz.*.*.reminder.*"]


def test_a_new_aggregate_is_added_to_the_events_stream_before_its_event_is_published(own_nats) -> None:
    from infra.envelope import Outgoing
    from infra.publisher import StreamPublisher, ensure_stream

    async def run() -> list[str]:
        nc = await nats.connect(own_nats.url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, "HZ_NEW", "hzn", split=True)
            async with StreamPublisher(nc, "HZ_NEW", "hzn") as publisher:
                await publisher.sync()
                batch = [Outgoing(1, "hzn.330226011.chem.meeting.held", b"{}")]
                await publisher.cover(batch)
                await publisher.confirm(await publisher.send(batch))
            info = await js.stream_info("HZ_NEW")
            await js.delete_stream("HZ_NEW")
            return info.config.subjects
        finally:
            await nc.close()

    assert "hzn.*.*.meeting.*" in asyncio.run(run())
