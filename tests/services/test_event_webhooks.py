"""Events for integrators over webhooks (issue 16 §4) on a real store and a loopback receiver:
each event once, in log order, signed, with the NATS fan-out's envelope; a township's
subscription never gets another township's events; a 500-answering receiver: retries, a dead
letter, retried; a restarted queue and sender deliver nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import orjson
import pytest

from domain.actor import Role
from eventsourcing.postgres import PostgresDatastore
from infra.deliveries import RetryPolicy
from infra.event_webhooks import EventQueue, EventSender
from infra.log_reader import LogReader
from infra.webhooks import WebhookSender, networks, verify
from tests.conftest import actor, credit_code, one_at_a_time
from tests.webhook_receiver import Receiver

BUREAU, TOWNSHIP = actor(Role.BUREAU), actor(Role.TOWNSHIP)
XIDIAN, CHANGJIE = "330226011", "330226005"


@pytest.fixture
def parts(ledger, store_env) -> Iterator[tuple[EventQueue, LogReader]]:
    env = one_at_a_time(store_env)
    reader = LogReader.open(env)
    datastore = ledger.recorder.datastore
    queue = EventQueue(datastore, reader)
    queue.create_tables()
    yield queue, reader
    reader.close()


def firm(ledger, township: str, sector: str = "chem") -> str:
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=f"{township}五金厂",
                                      township=township, sector=sector, scale="small_micro").id


def hazard(ledger, enterprise: str, n: int) -> None:
    h = ledger.report_hazard(TOWNSHIP, enterprise_id=enterprise, source="government_check",
                             category="unsafe_condition", description=f"配电箱未接地{n}",
                             level="general", discovered_on=date(2026, 6, 1))
    ledger.assign_responsibility(BUREAU, h.id, responsible_person="王五", deadline=date(2026, 6, 20),
                                 assigned_on=date(2026, 6, 2))


def subscribe(queue: EventQueue, url: str, township: str | None = None, secret: str = "s" * 24):
    return queue.subscriptions.add(topic="event", url=url, township=township, sector=None,
                                   owner_role="bureau", owner_unit=None, created_by={}, secret=secret)


def drain(queue: EventQueue, sender: EventSender, rounds: int = 20) -> None:
    async def run() -> None:
        for _ in range(rounds):
            queue.step()
            if not await sender.round():
                await asyncio.sleep(0.02)
    asyncio.run(run())


def sender_of(queue: EventQueue) -> EventSender:
    return EventSender(queue.deliveries, queue.subscriptions, WebhookSender(networks(None), timeout=2))


def positions(receiver: Receiver) -> list[int]:
    return [int(r.headers["X-Hazard-Message-Id"]) for r in receiver.got]


def test_events_in_order_signed_in_scope_and_a_restart_sends_nothing_twice(ledger, parts) -> None:
    queue, reader = parts
    queue.step()  # first start: from the head on
    xidian, changjie = firm(ledger, XIDIAN), firm(ledger, CHANGJIE)
    with Receiver() as county, Receiver() as township:
        subscribe(queue, county.url)
        subscribe(queue, township.url, township=XIDIAN, secret="t" * 24)
        for n in range(3):
            hazard(ledger, xidian, n)
            hazard(ledger, changjie, n)
        drain(queue, sender_of(queue))
        head = reader.head()
        got = positions(county)
        assert got == sorted(got) and len(got) == len(set(got)) == 14  # 2 firms, 6 reported, 6 assigned
        assert got[-1] == head
        first = county.got[0]
        assert verify("s" * 24, first.body, first.headers["X-Hazard-Signature"])
        body = orjson.loads(first.body)
        assert body["position"] == got[0] and body["type"] == "Enterprise.Registered"
        assert first.headers["X-Hazard-Topic"] == "event" and first.headers["X-Hazard-Event-Type"] == "Enterprise.Registered"
        # the township's subscription: only 西店镇's events, never 长街镇's
        mine = [orjson.loads(r.body) for r in township.got]
        assert len(mine) == 7 and {b["township"] for b in mine} == {XIDIAN}
        assert all(verify("t" * 24, r.body, r.headers["X-Hazard-Signature"]) for r in township.got)

        # a restart: a new queue and sender on the same tables, more events
        restarted = EventQueue(ledger.recorder.datastore, reader)
        hazard(ledger, xidian, 9)
        drain(restarted, sender_of(restarted))
        again = positions(county)
        assert len(again) == len(set(again)) == 16 and again == sorted(again)
        assert len(township.got) == 9


def test_a_failing_receiver_retries_then_dead_letter_then_retried(ledger, parts) -> None:
    queue, _ = parts
    queue.deliveries.policy = RetryPolicy(attempts=3, base_delay=0.01, lease=5)
    xidian = firm(ledger, XIDIAN)
    queue.step()  # first start: from the head on (after the firm)
    with Receiver(status=500) as receiver:
        sub = subscribe(queue, receiver.url)
        hazard(ledger, xidian, 1)  # two events
        sender = sender_of(queue)
        drain(queue, sender, rounds=30)
        got = positions(receiver)
        first, second = sorted(set(got))
        # the first tried 3 times before the second was ever tried: order kept through back-off
        assert got == [first] * 3 + [second] * 3
        dead = queue.deliveries.dead_letters(channel="webhook", targets=[sub.subscription_id])
        assert [d["message_id"] for d in dead] == [str(second), str(first)]
        assert all(d["attempts"] == 3 and "500" in d["last_error"] for d in dead)
        receiver.status = 200
        assert queue.deliveries.retry(dead[-1]["delivery_id"])
        drain(queue, sender, rounds=3)
        assert positions(receiver)[-1] == first
        assert len(queue.deliveries.dead_letters(channel="webhook")) == 1


def test_a_removed_subscription_gets_nothing_more(ledger, parts) -> None:
    queue, _ = parts
    queue.step()
    xidian = firm(ledger, XIDIAN)
    with Receiver() as receiver:
        sub = subscribe(queue, receiver.url)
        hazard(ledger, xidian, 1)
        queue.step()  # queued, not sent
        assert queue.subscriptions.remove(sub.subscription_id, None, None)
        assert not queue.subscriptions.remove(sub.subscription_id, None, None)
        hazard(ledger, xidian, 2)
        drain(queue, sender_of(queue))
        assert receiver.got == []
        # one ended while its deliveries were already queued (a race): the sender cancels them
        late = subscribe(queue, receiver.url)
        hazard(ledger, xidian, 3)
        queue.step()
        with ledger.recorder.datastore.transaction(commit=True) as curs:
            curs.execute(queue.sql("UPDATE {s}.webhook_subscriptions SET active = false "
                                   "WHERE subscription_id = %s"), (late.subscription_id,))
        drain(queue, sender_of(queue))
        assert receiver.got == []
        states = queue.fetch("SELECT DISTINCT state FROM {s}.deliveries")
        assert {r["state"] for r in states} == {"cancelled"}
