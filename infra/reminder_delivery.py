"""Delivering reminders (提醒投递): NATS, SMS outbox, webhooks — each delivery's state in PostgreSQL.

`Deliverer.run` loops: it claims due deliveries per channel (`infra.deliveries.DeliveryLog`),
sends them and records the outcome, one delivery at a time:

- `nats`: published to the reminders' stream (`HAZARD_REMINDERS`, subjects
  `hz.*.*.reminder.*`) with `Nats-Msg-Id` = the reminder's id: a republish after a crash (sent,
  not yet marked) is dropped by JetStream's duplicate window. NATS unreachable: nothing is
  claimed; a failed publish backs off and is never given up.
- `sms`: handed to the `SmsGateway` (default: the `sms_outbox` table, once per reminder).
- `webhook`: POSTed, signed, to the subscription (`infra.webhooks`); a failure backs off
  exponentially, and after the policy's attempts the delivery is dead (the dead-letter list).

A deliverer killed in mid-send leaves the claimed delivery to be sent again when its lease runs
out: receivers get every reminder at least once, a repeat with the same `X-Hazard-Reminder-Id`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import nats
import nats.errors
import orjson
from nats.js import api

from infra.deliveries import Delivery
from infra.nats import servers
from infra.publisher import ensure_reminder_stream, splits_streams
from infra.relay_link import safe, sleep
from infra.reminders import ReminderStore
from infra.sms import SmsGateway
from infra.subjects import PREFIX, REMINDER_STREAM, STREAM
from infra.webhooks import DeliveryFailed, WebhookSender

log = logging.getLogger("hazard.reminders")

REMINDER_ID = "X-Hazard-Reminder-Id"
NEVER_DEAD = 1 << 30
CONCURRENT_WEBHOOKS = 8


class Deliverer:
    def __init__(self, store: ReminderStore, *, sms: SmsGateway, webhooks: WebhookSender,
                 nats_address: Callable[[], str] | None = None, stream: str = REMINDER_STREAM,
                 events_stream: str = STREAM, prefix: str = PREFIX, interval: float = 1.0,
                 replicas: int = 1) -> None:
        self.store, self.log = store, store.deliveries
        self.sms, self.webhooks = sms, webhooks
        self._address = nats_address
        self.stream, self.events_stream, self.prefix = stream, events_stream, prefix
        self.replicas = replicas  # JetStream copies of the reminders' stream (HAZARD_NATS_REPLICAS)
        self.interval = interval
        self._nc: Any = None
        self._connected_to = ""
        self._warned = False
        self.sent = {"nats": 0, "sms": 0, "webhook": 0}

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                try:
                    busy = await self.round()
                except Exception as e:  # noqa: BLE001 - a long-running follower goes on
                    log.warning("reminders: delivery round failed: %s: %s", type(e).__name__, e)
                    busy = 0
                if not busy:
                    await sleep(stopping, self.interval)
        finally:
            await self._disconnect()
            await self.webhooks.close()

    async def round(self) -> int:
        """One pass over every channel; answers how many deliveries it handled."""
        return await self._nats() + await self._sms() + await self._webhooks()

    # --- NATS ----------------------------------------------------------------------------------
    async def _js(self) -> Any:
        if self._address is None:
            return None
        url = self._address()
        if self._nc is not None and (self._connected_to != url or not self._nc.is_connected):
            await self._disconnect()
        if self._nc is None:
            try:
                self._nc = await nats.connect(servers(url), name="hazardledger-reminders", connect_timeout=2,
                                              max_reconnect_attempts=0)
                if not splits_streams(self._nc):
                    if not self._warned:
                        log.error("reminders: nats-server %s at %s cannot keep reminders in a stream "
                                  "of their own beside %s (2.10 or later needed); NATS reminders wait",
                                  self._nc.connected_server_version, safe(url), self.events_stream)
                        self._warned = True
                    await self._disconnect()
                    return None
                await ensure_reminder_stream(self._nc.jetstream(), self.stream, self.prefix,
                                             events_stream=self.events_stream, replicas=self.replicas)
                self._connected_to = url
            except Exception as e:  # noqa: BLE001 - NATS down: the deliveries wait in PostgreSQL
                log.warning("reminders: NATS %s unavailable (%s); reminders wait", safe(url), e)
                await self._disconnect()
                return None
        return self._nc.jetstream()

    async def _disconnect(self) -> None:
        nc, self._nc = self._nc, None
        if nc is not None:
            try:
                await asyncio.wait_for(nc.close(), 5)
            except Exception:  # noqa: BLE001 - a connection given up
                pass

    async def _nats(self) -> int:
        js = await self._js()
        if js is None:
            return 0
        claimed = await asyncio.to_thread(self.log.claim, "nats")
        for d in claimed:
            try:
                await js.publish(d.subject, d.payload, timeout=5, stream=self.stream,
                                 headers={api.Header.MSG_ID: d.message_id})
            except Exception as e:  # noqa: BLE001 - backs off, tried again
                await asyncio.to_thread(self.log.failed, d, f"NATS: {e!r}", attempts=NEVER_DEAD)
                await self._disconnect()
                return len(claimed)
            await asyncio.to_thread(self.log.delivered, [d.delivery_id])
            self.sent["nats"] += 1
        return len(claimed)

    # --- SMS -----------------------------------------------------------------------------------
    async def _sms(self) -> int:
        claimed = await asyncio.to_thread(self.log.claim, "sms")
        for d in claimed:
            body = orjson.loads(d.payload)
            recipient = body["recipient"]
            try:
                await asyncio.to_thread(self.sms.send, recipient.get("phone") or "", body["text"],
                                        reference=d.message_id,
                                        party=(recipient["role"], recipient.get("unit")))
            except Exception as e:  # noqa: BLE001
                await asyncio.to_thread(self.log.failed, d, f"SMS: {e!r}")
                continue
            await asyncio.to_thread(self.log.delivered, [d.delivery_id])
            self.sent["sms"] += 1
        return len(claimed)

    # --- webhooks ------------------------------------------------------------------------------
    async def _webhooks(self) -> int:
        claimed = await asyncio.to_thread(self.log.claim, "webhook", topic="reminder")  # events: in order (infra/event_webhooks.py)
        if not claimed:
            return 0
        subscriptions: dict[str, Any] = {}
        for target in {d.target for d in claimed}:
            subscriptions[target] = await asyncio.to_thread(self.store.subscriptions.get, target)
        gate = asyncio.Semaphore(CONCURRENT_WEBHOOKS)

        async def one(d: Delivery) -> None:
            async with gate:
                await self._post(d, subscriptions.get(d.target))

        await asyncio.gather(*(one(d) for d in claimed))
        return len(claimed)

    async def _post(self, d: Delivery, sub: Any) -> None:
        try:
            if sub is None:
                raise DeliveryFailed("订阅已不存在")
            await self.webhooks.post(sub, d.payload, message_id=d.message_id, topic=d.topic,
                                     extra_headers={REMINDER_ID: d.message_id})
        except DeliveryFailed as e:
            state = await asyncio.to_thread(self.log.failed, d, str(e))
            log.log(logging.WARNING if state == "dead" else logging.INFO,
                    "reminders: webhook %s for %s failed (attempt %d): %s%s", d.target,
                    d.message_id, d.attempts, e, "; dead letter" if state == "dead" else "")
            return
        await asyncio.to_thread(self.log.delivered, [d.delivery_id])
        self.sent["webhook"] += 1
