"""Reminders (提醒, issue 14 §5): what the reminder follower raised, its webhooks, dead letters and
the SMS outbox. docs/reminders.md.

- `GET /reminders?day=&kind=` — raised reminders, filtered by the token's read scope;
- `POST /reminders/webhooks` {url, scope, secret?} — a subscription for the holder's own scope
  (a township only its township, a regulator only its sector; the bureau and admin any); the
  URL must be http(s) and resolve into `HAZARD_WEBHOOK_ALLOW` (else 422 naming `url`, nothing
  stored); the secret is answered once; `GET /reminders/webhooks` lists the holder's own;
- `GET /reminders/dead-letters`, `POST /reminders/dead-letters/{id}/retry` — webhook deliveries
  given up after the policy's attempts (the holder's own subscriptions; the county all);
- `GET /reminders/sms-outbox` — the text messages queued (bureau, admin).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from domain.actor import ROLE_NAMES_ZH, Role
from domain.errors import InvalidValue
from domain.reminders import KINDS, RECIPIENT_LABELS, SUBJECT_LABELS, kind_label
from infra.auth import Principal
from infra.reminders import TOPIC, ReminderStore
from infra.sms import OutboxGateway
from infra.webhooks import BadUrl, check_url, networks
from services.access import COUNTY_WIDE, check_role, read_scope
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api import vocabularies as vocab  # issue 17 §6
from services.errors import NotFound

router = APIRouter(prefix="/reminders", tags=["reminders"])
_lock = threading.Lock()


def reminder_store(request: Request, app=Depends(ledger)) -> ReminderStore:
    """The reminders' tables beside the store (created on first use)."""
    store = getattr(request.app.state, "reminders", None)
    if store is None:
        with _lock:
            store = getattr(request.app.state, "reminders", None)
            if store is None:
                store = ReminderStore(app.recorder.datastore)
                store.create_tables()
                request.app.state.reminders = store
    return store


def owner_of(who: Principal) -> tuple[str | None, str | None]:
    """Whose subscriptions a holder handles (reminders' and events' alike): (None, None) for
    the county-wide roles."""
    if who.role in COUNTY_WIDE:
        return None, None
    return str(who.role), who.township if who.role == Role.TOWNSHIP else who.sector


def _shown(row: dict) -> dict:
    return {"id": row["reminder_id"], "kind": row["kind"], "kind_label": kind_label(row["kind"]),
            "day": row["day"], "subject": {"kind": row["subject_kind"], "id": row["subject_id"],
                                           "kind_label": SUBJECT_LABELS.get(row["subject_kind"], "")},
            "township": row["township"], "sector": row["sector"], "enterprise_id": row["enterprise_id"],
            "recipient": {"role": row["recipient_role"], "unit": row["recipient_unit"],
                          "role_label": RECIPIENT_LABELS.get(row["recipient_role"], "")},
            "text": row["text"], "raised_at": row["raised_at"]}


@router.get("", summary="提醒列表", name="reminder.list")
def reminders(day: date | None = Query(None, description="提醒所属日期（业务日期）"),
              kind: vocab.ReminderKind | None = Query(None, description="提醒种类：" + "、".join(f"{k} {kind_label(k)}" for k in KINDS)),
              page: int = Query(1, ge=1, le=100_000), page_size: int = Query(100, ge=1, le=1000),
              who: Principal = Depends(principal), store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "reminder.list")
    if kind is not None and kind not in KINDS:
        raise InvalidValue("kind", f"未知的提醒种类 {kind!r}，可选：{'、'.join(KINDS)}")
    rows = store.listed(day=day, kind=kind, filters=read_scope(who).as_filters(),
                        limit=page_size, offset=(page - 1) * page_size)
    sent = store.deliveries.states([r["reminder_id"] for r in rows]) if rows else {}
    return {"day": day, "kind": kind, "kind_label": kind_label(kind) if kind else None,
            "page": page, "count": len(rows),
            "items": [{**_shown(r), "deliveries": _deliveries(r["reminder_id"], sent)} for r in rows]}


CHANNEL_LABELS = {"nats": "消息总线", "sms": "短信", "webhook": "回调推送"}
STATE_LABELS = {"pending": "待投递", "delivered": "已投递", "dead": "投递失败",
                "cancelled": "已取消"}  # subscription ended (issue 16 §4: DELETE /webhooks/{id})


def _deliveries(reminder_id: str, sent: dict) -> list[dict]:
    """Per channel, how many deliveries are in each state (webhooks: one per subscription)."""
    counts: dict[tuple[str, str], int] = {}
    for (message_id, channel, _), row in sent.items():
        if message_id == reminder_id:
            counts[(channel, row["state"])] = counts.get((channel, row["state"]), 0) + 1
    return [{"channel": c, "channel_label": CHANNEL_LABELS.get(c, c), "state": st,
             "state_label": STATE_LABELS.get(st, st), "count": n} for (c, st), n in sorted(counts.items())]


def _scope(who: Principal, scope: s.WebhookScope, reference: Any) -> tuple[str | None, str | None]:
    """The scope a holder may subscribe to: never wider than its own (403 otherwise)."""
    from services.api.routes.webhooks import subscription_scope  # one check for every topic (issue 16 §4)
    return subscription_scope(who, scope, reference, "reminder.webhook.register", "提醒")


@router.post("/webhooks", status_code=201, summary="登记提醒回调地址", name="reminder.webhook.register",
             description="回调密钥只在本次应答中返回一次：接收方用它校验 `X-Hazard-Signature` 签名。")
def register(body: s.NewWebhook, who: Principal = Depends(principal), app=Depends(ledger),
             store: ReminderStore = Depends(reminder_store)) -> dict:
    """The secret is answered once: the receiver checks `X-Hazard-Signature` with it."""
    check_role(who, "reminder.webhook.register")
    township, sector = _scope(who, body.scope, app.reference)
    try:
        url = check_url(body.url, getattr(app, "webhook_allow", None) or networks(None))
    except BadUrl as e:
        raise InvalidValue("url", str(e)) from None
    role, unit = str(who.role), who.township if who.role == Role.TOWNSHIP else who.sector
    sub = store.subscriptions.add(topic=TOPIC, url=url, township=township, sector=sector,
                                  owner_role=role, owner_unit=unit if who.role not in COUNTY_WIDE else None,
                                  created_by=who.actor.record(), secret=body.secret)
    return {**sub.public(), "secret": sub.secret,
            "note": "密钥只显示这一次；接收方用它校验 X-Hazard-Signature（sha256=HMAC-SHA256(密钥, 请求体)）"}


@router.get("/webhooks", summary="提醒回调地址列表", name="reminder.webhook.list")
def webhooks(who: Principal = Depends(principal), store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "reminder.webhook.list")
    items = [sub.public() for sub in store.subscriptions.owned(TOPIC, *owner_of(who))]
    return {"count": len(items), "items": items}


def _targets(who: Principal, store: ReminderStore) -> list[str] | None:
    """The subscriptions whose dead letters a holder handles (None: every one)."""
    role, unit = owner_of(who)
    if role is None:
        return None
    return [sub.subscription_id for sub in store.subscriptions.owned(TOPIC, role, unit)]


@router.get("/dead-letters", summary="投递失败（死信）列表", name="reminder.dead-letter.list")
def dead_letters(who: Principal = Depends(principal), store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "reminder.dead-letter.list")
    rows = store.deliveries.dead_letters(channel="webhook", targets=_targets(who, store))
    items = [{"id": r["delivery_id"], "reminder_id": r["message_id"], "channel": r["channel"],
              "channel_label": CHANNEL_LABELS["webhook"], "subscription_id": r["target"], "attempts": r["attempts"],
              "last_error": r["last_error"], "created_at": r["created_at"]} for r in rows]
    return {"count": len(items), "items": items}


@router.post("/dead-letters/{delivery_id}/retry", summary="重新投递一条死信", name="reminder.dead-letter.retry")
def retry(delivery_id: int, who: Principal = Depends(principal),
          store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "reminder.dead-letter.retry")
    return retry_dead_letter(store, delivery_id, _targets(who, store))


def retry_dead_letter(store: ReminderStore, delivery_id: int, targets: list[str] | None) -> dict:
    """Put a dead letter of one of `targets` (None: any) back in the queue; 404 otherwise."""
    if not store.deliveries.retry(delivery_id, targets=targets):
        raise NotFound("死信", str(delivery_id))
    return {"id": delivery_id, "state": "pending", "state_label": "待重新投递"}


@router.get("/sms-outbox", summary="短信待发列表", name="reminder.sms-outbox")
def sms_outbox(page: int = Query(1, ge=1, le=100_000), page_size: int = Query(100, ge=1, le=1000),
               who: Principal = Depends(principal), store: ReminderStore = Depends(reminder_store)) -> dict:
    check_role(who, "reminder.sms-outbox")
    rows = OutboxGateway(store.datastore).outbox(limit=page_size, offset=(page - 1) * page_size)
    items = [{"reminder_id": r["reference"], "phone": r["phone"],
              "party": {"role": r["party_role"], "unit": r["party_unit"],
                        "role_label": RECIPIENT_LABELS.get(r["party_role"], ROLE_NAMES_ZH.get(r["party_role"], ""))},
              "text": r["text"], "created_at": r["created_at"]} for r in rows]
    return {"page": page, "count": len(items), "items": items}
