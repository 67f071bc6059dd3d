"""Events for integrators through `hazard serve`'s real followers (issue 16 §4): the followers run in
a child process (`tests.fanout.followers_child`, as `runtime.followers` composes them); a
county-wide and a township subscription on loopback receivers get every event once, in log order,
signed — the township only its own township's — across a stop and a start of the child with
events written while it was down."""

from __future__ import annotations

import signal
from datetime import date

import orjson

from infra.event_webhooks import EventQueue
from infra.log_reader import LogReader
from infra.webhooks import verify
from tests.conftest import credit_code, one_at_a_time
from tests.fanout.test_reminders import BUREAU, TOWNSHIP, followers, query, wait_until
from tests.webhook_receiver import Receiver

XIDIAN, CHANGJIE = "330226011", "330226005"


def write(ledger, firms: list[str], n: int) -> None:
    for firm in firms:
        ledger.report_hazard(TOWNSHIP, enterprise_id=firm, source="government_check",
                             category="unsafe_condition", description=f"配电箱未接地{n}", level="general",
                             discovered_on=date(2026, 6, 1))


def ids(receiver: Receiver) -> list[int]:
    return [int(r.headers["X-Hazard-Message-Id"]) for r in receiver.got]


def test_the_followers_deliver_each_event_once_in_order_across_a_restart(
        ledger, store_env, database_url, schema, own_nats, tmp_path) -> None:
    firms = [ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=f"{t}厂", township=t,
                                        sector="chem", scale="small_micro").id for t in (XIDIAN, CHANGJIE)]
    reader = LogReader.open(one_at_a_time(store_env))
    queue = EventQueue(ledger.recorder.datastore, reader)
    queue.create_tables()
    with Receiver() as county, Receiver() as township:
        queue.subscriptions.add(topic="event", url=county.url, township=None, sector=None,
                                owner_role="bureau", owner_unit=None, created_by={}, secret="c" * 32)
        queue.subscriptions.add(topic="event", url=township.url, township=XIDIAN, sector=None,
                                owner_role="township", owner_unit=XIDIAN, created_by={}, secret="t" * 32)
        child = followers(database_url, schema, own_nats.url, tmp_path)
        try:
            wait_until(lambda: queue.position() is not None, 60, "the followers to start")
            start = queue.position()
            write(ledger, firms, 1)
            wait_until(lambda: len(county.got) >= 2, 60, "the first events")
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(30)
        write(ledger, firms, 2)  # while the followers are down
        child = followers(database_url, schema, own_nats.url, tmp_path)
        try:
            write(ledger, firms, 3)
            head = reader.head()
            wait_until(lambda: len(county.got) >= head - start, 60, "every event at the county's receiver")
            wait_until(lambda: query(database_url, schema, "SELECT count(*) FROM {s}.deliveries "
                                                           "WHERE topic = 'event' AND state <> 'delivered'")[0][0] == 0,
                       60, "every delivery done")
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(30)
    reader.close()
    got = ids(county)
    assert got == list(range(start + 1, head + 1))  # each once, in log order, none before the start
    assert all(verify("c" * 32, r.body, r.headers["X-Hazard-Signature"]) for r in county.got)
    mine = [orjson.loads(r.body) for r in township.got]
    assert [b["position"] for b in mine] == sorted(b["position"] for b in mine) and len(mine) == 3
    assert {b["township"] for b in mine} == {XIDIAN}
    assert all(verify("t" * 32, r.body, r.headers["X-Hazard-Signature"]) for r in township.got)
