"""Webhook subscriptions (回调订阅) for integrators (issue 16 §4) and for reminders: one model,
a subscription's `topic` says what it receives — `event` (every stored event in its scope, the
NATS fan-out's envelope) or `reminder` (issue 14 §5). docs/webhooks.md.

- `POST /webhooks` {url, scope, topic?, secret?} — for the holder's own scope only (a township
  its township, a regulator its sector; the bureau and admin any; wider: 403); the URL http(s)
  and inside `HAZARD_WEBHOOK_ALLOW` (else 422 naming `url`, nothing stored); the secret answered
  once;
- `GET /webhooks` — the holder's own subscriptions, every topic (the county's roles: all);
- `DELETE /webhooks/{id}` — ends one (its pending deliveries are cancelled; another's: 404);
- `GET /webhooks/dead-letters`, `POST /webhooks/dead-letters/{id}/retry` — deliveries given up
  after the policy's attempts, of the holder's own subscriptions.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from domain.actor import ROLE_NAMES_ZH, Role
from domain.errors import InvalidValue
from infra.auth import Principal
from infra.reminders import ReminderStore
from infra.webhooks import BadUrl, Subscription, check_url, networks
from projections.labels import event_label
from services.access import Forbidden, check_role
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.routes.reminders import owner_of, reminder_store, retry_dead_letter
from services.errors import NotFound

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

TOPICS = {"event": "业务事件", "reminder": "提醒"}


def subscription_scope(who: Principal, scope: s.WebhookScope, reference: Any, action: str,
                       what: str) -> tuple[str | None, str | None]:
    """The scope a holder may subscribe to: never wider than its own (403 `access:<action>`);
    unknown codes are 422 naming `scope.township` / `scope.sector`. `what`: 提醒, 事件 …"""
    township, sector = scope.township, scope.sector
    if township is not None and township not in reference.townships:
        raise InvalidValue("scope.township", f"未知的乡镇（街道）代码 {township}")
    if sector is not None and sector not in reference.sectors:
        raise InvalidValue("scope.sector", f"未知的行业代码 {sector}")
    if who.role == Role.TOWNSHIP:
        if not who.township or township not in (None, who.township):
            raise Forbidden(action, f"乡镇（街道）只能订阅本乡镇（街道）的{what}")
        township = who.township
    elif who.role == Role.REGULATOR:
        if not who.sector or sector not in (None, who.sector):
            raise Forbidden(action, f"行业主管部门只能订阅本行业的{what}")
        sector = who.sector
    return township, sector


def shown(sub: Subscription, reference: Any) -> dict:
    """A subscription with Chinese labels (never its secret)."""
    public = sub.public()
    return {**public, "topic_label": TOPICS.get(sub.topic, sub.topic),
            "scope": {**public["scope"], "township_name": reference.townships.get(sub.township or ""),
                      "sector_name": reference.sectors.get(sub.sector or ""),
                      "label": _scope_label(sub, reference)},
            "owner": {**public["owner"], "role_label": ROLE_NAMES_ZH.get(sub.owner_role, "")}}


def _scope_label(sub: Subscription, reference: Any) -> str:
    parts = [reference.townships.get(sub.township, sub.township) if sub.township else "",
             f"{reference.sectors.get(sub.sector, sub.sector)}行业" if sub.sector else ""]
    return "".join(parts) or "全县"


@router.post("", status_code=201, summary="登记回调订阅（业务事件或提醒）", name="webhook.register",
             description="回调密钥只在本次应答中返回一次：接收方用它校验 `X-Hazard-Signature` 签名。")
def register(body: s.NewSubscription, who: Principal = Depends(principal), app=Depends(ledger),
             store: ReminderStore = Depends(reminder_store)) -> dict:
    """The secret is answered once: the receiver checks `X-Hazard-Signature` with it."""
    check_role(who, "webhook.register")
    if body.topic not in TOPICS:
        raise InvalidValue("topic", f"未知的订阅内容 {body.topic!r}，可选：event（业务事件）、reminder（提醒）")
    township, sector = subscription_scope(who, body.scope, app.reference, "webhook.register",
                                          TOPICS[body.topic])
    try:
        url = check_url(body.url, getattr(app, "webhook_allow", None) or networks(None))
    except BadUrl as e:
        raise InvalidValue("url", str(e)) from None
    role, unit = owner_of(who)
    sub = store.subscriptions.add(topic=body.topic, url=url, township=township, sector=sector,
                                  owner_role=str(who.role), owner_unit=unit if role else None,
                                  created_by=who.actor.record(), secret=body.secret)
    return {**shown(sub, app.reference), "secret": sub.secret,
            "note": "密钥只显示这一次；接收方用它校验 X-Hazard-Signature（sha256=HMAC-SHA256(密钥, 请求体)）"}


@router.get("", summary="回调订阅列表", name="webhook.list")
def subscriptions(who: Principal = Depends(principal), app=Depends(ledger),
                  store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "webhook.list")
    items = [shown(sub, app.reference) for sub in store.subscriptions.owned_any(*owner_of(who))]
    return {"count": len(items), "items": items}


def _targets(who: Principal, store: ReminderStore) -> list[str] | None:
    role, unit = owner_of(who)
    if role is None:
        return None
    return [sub.subscription_id for sub in store.subscriptions.owned_any(role, unit)]


@router.get("/dead-letters", summary="回调投递失败（死信）列表", name="webhook.dead-letter.list")
def dead_letters(who: Principal = Depends(principal), store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "webhook.dead-letter.list")
    rows = store.deliveries.dead_letters(channel="webhook", targets=_targets(who, store))
    items = [_dead(r) for r in rows]
    return {"count": len(items), "items": items}


def _dead(r: dict) -> dict:
    item = {"id": r["delivery_id"], "topic": r["topic"], "topic_label": TOPICS.get(r["topic"], r["topic"]),
            "message_id": r["message_id"], "subscription_id": r["target"], "attempts": r["attempts"],
            "last_error": r["last_error"], "created_at": r["created_at"]}
    if r["topic"] == "event":
        aggregate, _, name = r["subject"].partition(".")
        item |= {"position": int(r["message_id"]), "event_type": r["subject"],
                 "event_label": event_label(aggregate, name)}
    return item


@router.post("/dead-letters/{delivery_id}/retry", summary="重新投递一条死信", name="webhook.dead-letter.retry")
def retry(delivery_id: int, who: Principal = Depends(principal),
          store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "webhook.dead-letter.retry")
    return retry_dead_letter(store, delivery_id, _targets(who, store))


@router.delete("/{subscription_id}", status_code=204, summary="取消回调订阅", name="webhook.delete",
               description="结束该订阅；尚在等待投递的消息一并取消。")
def remove(subscription_id: str, who: Principal = Depends(principal),
           store: ReminderStore = Depends(reminder_store)) -> Response:
    """Ends the subscription; deliveries still waiting for it are cancelled."""
    check_role(who, "webhook.delete")
    if not store.subscriptions.remove(subscription_id, *owner_of(who)):
        raise NotFound("回调订阅", subscription_id)
    return Response(status_code=204)
