"""Webhook subscriptions over HTTP (issue 16 §4): bad input refused naming the field, a wider
scope refused, nothing stored; topics `event` and `reminder` in one list; a 500-answering
receiver's events end in the dead-letter list and are retried from there, in order; removing a
subscription (the holder's own only)."""

from __future__ import annotations

import asyncio
from datetime import date

from domain.actor import Role
from infra.deliveries import RetryPolicy
from infra.event_webhooks import EventQueue, EventSender
from infra.log_reader import LogReader
from infra.reminders import ReminderStore
from infra.webhooks import WebhookSender, networks, verify
from tests.conftest import actor, credit_code, one_at_a_time
from tests.e2e.test_reminders_api import refused
from tests.webhook_receiver import Receiver

BUREAU, TOWNSHIP = actor(Role.BUREAU), actor(Role.TOWNSHIP)
API = "/api/v1/webhooks"
HOOK = "http://127.0.0.1:1/hook"


def test_bad_subscriptions_are_refused_and_nothing_is_stored(client, auth) -> None:
    township = auth("township", township="330226011")
    refused(client.post(API, json={"url": "ftp://127.0.0.1/hook"}, headers=township), 422, "url")
    body = refused(client.post(API, json={"url": "http://8.8.8.8/hook"}, headers=township), 422, "url")
    assert "8.8.8.8" in body["message"] and "允许" in body["message"]
    refused(client.post(API, json={"url": "javascript:alert(1)"}, headers=township), 422, "url")
    refused(client.post(API, json={"url": HOOK, "topic": "everything"}, headers=township), 422, "topic")
    # a township may not widen its scope: another township, or the county (a token without one)
    body = refused(client.post(API, json={"url": HOOK, "scope": {"township": "330226005"}}, headers=township), 403)
    assert body["rule"] == "access:webhook.register" and "本乡镇" in body["message"]
    refused(client.post(API, json={"url": HOOK}, headers=auth("township")), 403)
    refused(client.post(API, json={"url": HOOK, "scope": {"sector": "construction"}},
                        headers=auth("regulator", sector="chem")), 403)
    refused(client.post(API, json={"url": HOOK, "scope": {"township": "999999999"}}, headers=auth("bureau")),
            422, "scope.township")
    refused(client.post(API, json={"url": HOOK, "secret": "short"}, headers=township), 422, "secret")
    refused(client.post(API, json={"url": HOOK, "extra": 1}, headers=township), 422)
    assert client.get(API, headers=auth("bureau")).json()["count"] == 0
    assert client.post(API, json={"url": HOOK}, headers=auth("enterprise", enterprise_id="x")).status_code == 403


def test_one_list_of_both_topics_labelled_and_removed_by_the_holder_only(client, auth) -> None:
    township = auth("township", township="330226011")
    made = client.post(API, json={"url": HOOK}, headers=township)
    assert made.status_code == 201, made.text
    event = made.json()
    assert event["topic"] == "event" and event["topic_label"] == "业务事件" and len(event["secret"]) >= 32
    assert event["scope"]["township"] == "330226011" and event["scope"]["label"] == "西店镇"
    reminder = client.post("/api/v1/reminders/webhooks", json={"url": HOOK}, headers=township).json()
    listed = client.get(API, headers=township).json()
    assert [i["topic_label"] for i in listed["items"]] == ["业务事件", "提醒"]
    assert all("secret" not in i for i in listed["items"])
    assert client.get(API, headers=auth("township", township="330226005")).json()["count"] == 0
    assert client.get(API, headers=auth("bureau")).json()["count"] == 2
    # another township cannot remove it; its holder can, once
    assert client.delete(f"{API}/{event['id']}", headers=auth("township", township="330226005")).status_code == 404
    assert client.delete(f"{API}/{event['id']}", headers=township).status_code == 204
    assert client.delete(f"{API}/{event['id']}", headers=township).status_code == 404
    assert [i["id"] for i in client.get(API, headers=township).json()["items"]] == [reminder["id"]]
    # the reminders' own list still shows the reminder subscription
    assert client.get("/api/v1/reminders/webhooks", headers=township).json()["count"] == 1


def test_events_dead_lettered_then_retried_over_the_api(client, auth, ledger, store_env) -> None:
    firm = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="西店五金厂", township="330226011",
                                      sector="chem", scale="small_micro").id
    reader = LogReader.open(one_at_a_time(store_env))
    try:
        ReminderStore(ledger.recorder.datastore).create_tables()
        queue = EventQueue(ledger.recorder.datastore, reader)
        queue.create_tables()
        queue.deliveries.policy = RetryPolicy(attempts=2, base_delay=0.01, lease=5)
        queue.step()
        sender = EventSender(queue.deliveries, queue.subscriptions, WebhookSender(networks(None), timeout=2))
        bureau = auth("bureau")
        with Receiver(status=500) as receiver:
            made = client.post(API, json={"url": receiver.url, "scope": {"sector": "chem"}, "secret": "k" * 20},
                               headers=bureau).json()
            ledger.report_hazard(TOWNSHIP, enterprise_id=firm, source="government_check",
                                 category="unsafe_condition", description="配电箱未接地", level="general",
                                 discovered_on=date(2026, 6, 1))

            async def rounds(n: int) -> None:
                for _ in range(n):
                    queue.step()
                    await sender.round()
                    await asyncio.sleep(0.03)

            asyncio.run(rounds(8))
            assert len(receiver.got) == 2
            assert verify("k" * 20, receiver.got[0].body, receiver.got[0].headers["X-Hazard-Signature"])
            dead = client.get(f"{API}/dead-letters", headers=bureau).json()
            assert dead["count"] == 1
            item = dead["items"][0]
            assert item["subscription_id"] == made["id"] and item["topic_label"] == "业务事件"
            assert item["event_label"] == "隐患上报"  # the step's name in Chinese
            assert item["event_type"] == "Hazard.Reported" and item["position"] == reader.head()
            assert client.get(f"{API}/dead-letters", headers=auth("township", township="330226011")).json()["count"] == 0
            assert client.post(f"{API}/dead-letters/{item['id']}/retry",
                               headers=auth("township", township="330226011")).status_code == 404
            receiver.status = 200
            assert client.post(f"{API}/dead-letters/{item['id']}/retry", headers=bureau).status_code == 200
            asyncio.run(rounds(2))
            assert len(receiver.got) == 3
            assert receiver.got[-1].headers["X-Hazard-Message-Id"] == str(item["position"])
            assert client.get(f"{API}/dead-letters", headers=bureau).json()["count"] == 0
    finally:
        reader.close()
