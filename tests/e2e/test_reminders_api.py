"""Reminders over HTTP (issue 14 §5): the list by scope, webhook registration and its bad input
(nothing stored), delivery to a loopback receiver — signed, retried with back-off, then a dead
letter visible over the API and retried from there — and the SMS outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import orjson
import pytest

from domain.actor import Role
from domain.reminders import ReminderPolicy
from infra.deliveries import RetryPolicy
from infra.log_reader import LogReader
from infra.reference import ReferenceData
from infra.reminder_delivery import Deliverer
from infra.reminders import ReminderStore
from infra.sms import OutboxGateway
from infra.webhooks import WebhookSender, networks, verify
from projections.reminder_sweep import ReminderFollower, open_reminder_view
from tests.conftest import actor, credit_code, one_at_a_time
from tests.webhook_receiver import Receiver

BUREAU, TOWNSHIP = actor(Role.BUREAU), actor(Role.TOWNSHIP)
API = "/api/v1/reminders"


@pytest.fixture
def raised(ledger, store_env) -> Iterator[tuple]:
    """Two overdue hazards, in 西店镇 (chem) and 长街镇 (trade); the follower's parts."""
    for township, sector, name in (("330226011", "chem", "西店五金厂"), ("330226005", "trade", "长街纸箱厂")):
        firm = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=name, township=township,
                                          sector=sector, scale="small_micro").id
        h = ledger.report_hazard(TOWNSHIP, enterprise_id=firm, source="government_check",
                                 category="unsafe_condition", description=f"{name}配电箱未接地",
                                 level="general", discovered_on=date(2026, 6, 1))
        ledger.assign_responsibility(BUREAU, h.id, responsible_person="王五", deadline=date(2026, 6, 20),
                                     assigned_on=date(2026, 6, 2))
    env = one_at_a_time(store_env)
    view, reader = open_reminder_view(env), LogReader.open(env)
    store = ReminderStore(view.datastore)
    store.create_tables()
    follower = ReminderFollower(view, store, policy=ReminderPolicy(), reference=ReferenceData.load())
    yield follower, reader, store
    reader.close()
    view.datastore.close()


def refused(answer, status: int, field: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    if field is not None:
        assert body["field"] == field and body["message"]
    return body


def test_bad_webhooks_are_refused_naming_the_field_and_nothing_is_stored(client, auth) -> None:
    township = auth("township", township="330226011")
    refused(client.post(f"{API}/webhooks", json={"url": "ftp://127.0.0.1/hook"}, headers=township), 422, "url")
    body = refused(client.post(f"{API}/webhooks", json={"url": "http://8.8.8.8/hook"}, headers=township), 422, "url")
    assert "8.8.8.8" in body["message"] and "允许" in body["message"]
    refused(client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:1/hook",
                                                 "scope": {"township": "330226005"}}, headers=township), 403)
    refused(client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:1/hook",
                                                 "scope": {"township": "999999999"}}, headers=auth("bureau")),
            422, "scope.township")
    refused(client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:1/hook",
                                                 "scope": {"sector": "construction"}},
                        headers=auth("regulator", sector="chem")), 403)
    # a township token naming no township cannot get the county's reminders either
    refused(client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:1/hook"}, headers=auth("township")), 403)
    refused(client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:1/hook", "secret": "short"},
                        headers=township), 422, "secret")
    assert client.get(f"{API}/webhooks", headers=auth("bureau")).json()["count"] == 0


def test_a_township_registers_for_its_own_township_and_sees_the_secret_once(client, auth) -> None:
    township = auth("township", township="330226011")
    answer = client.post(f"{API}/webhooks", json={"url": "http://localhost:1/hook"}, headers=township)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["scope"] == {"township": "330226011", "sector": None} and len(made["secret"]) >= 32
    listed = client.get(f"{API}/webhooks", headers=township).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    assert client.get(f"{API}/webhooks", headers=auth("township", township="330226005")).json()["count"] == 0


def test_the_list_is_filtered_by_scope_with_chinese_labels(client, auth, raised) -> None:
    follower, reader, _ = raised
    follower.step(reader, date(2026, 7, 1))
    everything = client.get(API, headers=auth("bureau")).json()
    assert everything["count"] == 2
    mine = client.get(API, params={"kind": "overdue", "day": "2026-06-28"},
                      headers=auth("township", township="330226011")).json()
    assert mine["count"] == 1 and mine["kind_label"] == "逾期未整改"
    item = mine["items"][0]
    assert item["kind_label"] == "逾期未整改" and "西店五金厂" in item["text"]
    assert item["recipient"]["role_label"] == "企业"
    assert {(d["channel_label"], d["state_label"]) for d in item["deliveries"]} == {("消息总线", "待投递"), ("短信", "待投递")}
    assert client.get(API, headers=auth("regulator", sector="construction")).json()["count"] == 0
    refused(client.get(API, params={"kind": "nope"}, headers=auth("bureau")), 422, "kind")
    assert client.get(API, headers=auth("agency", agency_id="x")).status_code == 403


def test_webhook_signed_retried_dead_lettered_then_retried_over_the_api(client, auth, raised) -> None:
    follower, reader, store = raised
    store.deliveries.policy = RetryPolicy(attempts=3, base_delay=0.01, lease=5)
    bureau = auth("bureau")
    with Receiver(status=500) as receiver:
        made = client.post(f"{API}/webhooks", json={"url": receiver.url, "scope": {"sector": "chem"},
                                                    "secret": "s" * 24}, headers=bureau).json()
        follower.step(reader, date(2026, 7, 1))
        deliverer = Deliverer(store, sms=OutboxGateway(store.datastore),
                              webhooks=WebhookSender(networks(None), timeout=2))

        async def rounds(n: int) -> None:
            for _ in range(n):
                await deliverer._webhooks()
                await asyncio.sleep(0.05)

        asyncio.run(rounds(6))
        assert len(receiver.got) == 3  # the policy's attempts, then given up
        assert len(set(receiver.ids())) == 1  # every attempt carries the same reminder id
        first = receiver.got[0]
        assert verify("s" * 24, first.body, first.headers["X-Hazard-Signature"])
        assert not verify("t" * 24, first.body, first.headers["X-Hazard-Signature"])
        body = orjson.loads(first.body)
        assert body["id"] == first.headers["X-Hazard-Reminder-Id"] and body["sector"] == "chem"
        assert "phone" not in body["recipient"] and body["kind_label"] == "逾期未整改"
        dead = client.get(f"{API}/dead-letters", headers=bureau).json()
        assert dead["count"] == 1 and dead["items"][0]["attempts"] == 3
        assert dead["items"][0]["subscription_id"] == made["id"] and "500" in dead["items"][0]["last_error"]
        # a township's own dead letters: none of the bureau's subscription
        assert client.get(f"{API}/dead-letters", headers=auth("township", township="330226011")).json()["count"] == 0
        assert client.post(f"{API}/dead-letters/{dead['items'][0]['id']}/retry",
                           headers=auth("township", township="330226011")).status_code == 404
        receiver.status = 200
        again = client.post(f"{API}/dead-letters/{dead['items'][0]['id']}/retry", headers=bureau)
        assert again.status_code == 200 and again.json()["state_label"]
        asyncio.run(rounds(1))
        assert len(receiver.got) == 4 and receiver.ids()[-1] == receiver.ids()[0]
        assert client.get(f"{API}/dead-letters", headers=bureau).json()["count"] == 0


def test_the_sms_outbox_is_read_by_the_bureau_only(client, auth, raised) -> None:
    follower, reader, store = raised
    follower.step(reader, date(2026, 7, 1))
    deliverer = Deliverer(store, sms=OutboxGateway(store.datastore), webhooks=WebhookSender(networks(None)))
    assert asyncio.run(deliverer._sms()) == 2
    outbox = client.get(f"{API}/sms-outbox", headers=auth("bureau")).json()
    assert outbox["count"] == 2 and {i["party"]["role_label"] for i in outbox["items"]} == {"企业"}
    assert all(i["phone"] is None for i in outbox["items"])  # the hazards name no phone
    assert client.get(f"{API}/sms-outbox", headers=auth("township", township="330226011")).status_code == 403
