"""Webhooks (回调推送): subscriptions, the signature, the address check and the POST — generic,
for reminders (issue 14) and integrators' events (issue 16) alike.

- A **subscription** (table `webhook_subscriptions`): a URL, a secret, a topic (`reminder`, …),
  the scope it receives (a township and/or a sector; none: the county) and who registered it.
- **Signature**: header `X-Hazard-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by
  the subscription's secret>`; `X-Hazard-Message-Id` (for reminders also `X-Hazard-Reminder-Id`)
  carries the id receivers de-duplicate on — a retry or a redelivery after a crash carries the
  same id.
- **Addresses**: only `http`/`https`, and the host must resolve only into the networks the
  county allows (`HAZARD_WEBHOOK_ALLOW`, default loopback). Checked at registration and again
  before every POST (a name that later resolves elsewhere is refused then).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from infra.deliveries import DeliveryLog
from infra.pg_tables import OwnTables

DEFAULT_ALLOW = ("127.0.0.0/8", "::1/128")
SIGNATURE, MESSAGE_ID, TOPIC = "X-Hazard-Signature", "X-Hazard-Message-Id", "X-Hazard-Topic"
TIMEOUT = 5.0

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.webhook_subscriptions (subscription_id text PRIMARY KEY, "
    "topic text NOT NULL, url text NOT NULL, secret text NOT NULL, township text, sector text, "
    "owner_role text NOT NULL, owner_unit text, created_by jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now(), active boolean NOT NULL DEFAULT true)",
)


class BadUrl(ValueError):
    """The URL is refused (the message is in Chinese, for a 422 naming `url`)."""


def networks(text: str | Iterable[str] | None) -> tuple[Any, ...]:
    """`HAZARD_WEBHOOK_ALLOW`: comma-separated networks (`10.0.0.0/8`, `::1/128`)."""
    items = text.split(",") if isinstance(text, str) else list(text or DEFAULT_ALLOW)
    return tuple(ipaddress.ip_network(i.strip(), strict=False) for i in items if i.strip())


def check_url(url: str, allow: tuple[Any, ...]) -> str:
    """The URL if it is http(s) and its host resolves only into `allow`; else BadUrl."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise BadUrl(f"地址无法解析：{e}") from None
    if parts.scheme not in ("http", "https"):
        raise BadUrl(f"只接受 http 或 https 地址，不接受 {parts.scheme or '无协议'}")
    if not parts.hostname:
        raise BadUrl("地址缺少主机名")
    if parts.username or parts.password:
        raise BadUrl("地址中不能含用户名或密码")
    try:
        found = {info[4][0] for info in socket.getaddrinfo(
            parts.hostname, port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)}
    except OSError:
        raise BadUrl(f"主机 {parts.hostname} 无法解析") from None
    outside = sorted(a for a in found if not any(ipaddress.ip_address(a.split("%")[0]) in n for n in allow))
    if outside or not found:
        allowed = "、".join(str(n) for n in allow)
        raise BadUrl(f"主机 {parts.hostname} 解析到 {'、'.join(outside)}，不在本县允许的地址范围（{allowed}）内")
    return url


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=<hex HMAC-SHA256(secret, body)>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    topic: str
    url: str
    secret: str
    township: str | None
    sector: str | None
    owner_role: str
    owner_unit: str | None

    def covers(self, township: str | None, sector: str | None) -> bool:
        """Whether a message of this place is in the subscription's scope."""
        return ((self.township is None or self.township == township)
                and (self.sector is None or self.sector == sector))

    def public(self) -> dict:
        """As shown over the API (never the secret)."""
        return {"id": self.subscription_id, "topic": self.topic, "url": self.url,
                "scope": {"township": self.township, "sector": self.sector},
                "owner": {"role": self.owner_role, "unit": self.owner_unit}}


class Subscriptions(OwnTables):
    ddl = DDL

    def add(self, *, topic: str, url: str, township: str | None, sector: str | None,
            owner_role: str, owner_unit: str | None, created_by: dict,
            secret: str | None = None) -> Subscription:
        sub = Subscription(str(uuid.uuid4()), topic, url, secret or secrets.token_urlsafe(32),
                           township, sector, owner_role, owner_unit)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "INSERT INTO {s}.webhook_subscriptions (subscription_id, topic, url, secret, township, "
                "sector, owner_role, owner_unit, created_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"),
                (sub.subscription_id, topic, url, sub.secret, township, sector, owner_role,
                 owner_unit, orjson.dumps(created_by).decode()))
        return sub

    def active(self, topic: str, curs: Any = None) -> list[Subscription]:
        """Active subscriptions of a topic (in the caller's transaction when given `curs`)."""
        query = (f"SELECT {_FIELDS} FROM {{s}}.webhook_subscriptions WHERE active AND topic = %s "
                 "ORDER BY created_at")
        if curs is None:
            return [Subscription(**r) for r in self.fetch(query, (topic,))]
        curs.execute(self.sql(query), (topic,))
        return [Subscription(**r) for r in curs.fetchall()]

    def get_active(self, subscription_id: str) -> Subscription | None:
        """The subscription if it has not been removed."""
        rows = self.fetch(f"SELECT {_FIELDS} FROM {{s}}.webhook_subscriptions WHERE subscription_id = %s "
                          "AND active", (subscription_id,))
        return Subscription(**rows[0]) if rows else None

    def get(self, subscription_id: str) -> Subscription | None:
        rows = self.fetch(f"SELECT {_FIELDS} FROM {{s}}.webhook_subscriptions WHERE subscription_id = %s",
                          (subscription_id,))
        return Subscription(**rows[0]) if rows else None

    def owned_any(self, owner_role: str | None, owner_unit: str | None) -> list[Subscription]:
        """A party's own active subscriptions of every topic (None, None: the county's all)."""
        rows = self.fetch(f"SELECT {_FIELDS} FROM {{s}}.webhook_subscriptions WHERE active "
                          "ORDER BY created_at, subscription_id")
        return [s for s in (Subscription(**r) for r in rows)
                if owner_role is None or (s.owner_role == owner_role and s.owner_unit == owner_unit)]

    def remove(self, subscription_id: str, owner_role: str | None, owner_unit: str | None) -> bool:
        """Deactivate one (a party's own; None, None: any) and cancel its pending deliveries, in
        one transaction; False if there is no such active subscription."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "UPDATE {s}.webhook_subscriptions SET active = false WHERE subscription_id = %(id)s "
                "AND active AND (%(role)s::text IS NULL OR (owner_role = %(role)s "
                "AND owner_unit IS NOT DISTINCT FROM %(unit)s)) RETURNING subscription_id"),
                {"id": subscription_id, "role": owner_role, "unit": owner_unit})
            if curs.fetchone() is None:
                return False
            DeliveryLog.cancel_target(curs, self.schema, subscription_id)
        return True

    def owned(self, topic: str, owner_role: str | None, owner_unit: str | None) -> list[Subscription]:
        """A party's own subscriptions (None, None: every one, for the county)."""
        return [s for s in self.active(topic)
                if owner_role is None or (s.owner_role == owner_role and s.owner_unit == owner_unit)]


_FIELDS = "subscription_id, topic, url, secret, township, sector, owner_role, owner_unit"


class DeliveryFailed(Exception):
    """The receiver did not take it (status, timeout, refused address)."""


class WebhookSender:
    """POSTs a payload to a subscription's URL, signed; a non-2xx answer is a failure."""

    def __init__(self, allow: tuple[Any, ...], *, timeout: float = TIMEOUT) -> None:
        self.allow = allow
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                        headers={"User-Agent": "HazardLedger-webhooks/1"})

    async def post(self, sub: Subscription, body: bytes, *, message_id: str, topic: str,
                   extra_headers: dict[str, str] | None = None) -> int:
        try:
            check_url(sub.url, self.allow)
        except BadUrl as e:
            raise DeliveryFailed(str(e)) from None
        headers = {"Content-Type": "application/json", SIGNATURE: sign(sub.secret, body),
                   MESSAGE_ID: message_id, TOPIC: topic, **(extra_headers or {})}
        try:
            answer = await self.client.post(sub.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise DeliveryFailed(f"{type(e).__name__}: {e}") from None
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"HTTP {answer.status_code}")
        return answer.status_code

    async def close(self) -> None:
        await self.client.aclose()
