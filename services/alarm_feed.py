"""Alarms over NATS (智慧用电, issue 15 §4, docs/electricity.md): another door to `POST /alarms`.

A device (or the vendor's gateway) sends a NATS *request* on `hz-alarms.<enterprise id>`:

    {"token": "<the device's bearer token>", "alarm": {<the body of POST /api/v1/alarms>}}

and gets a reply `{"status": <HTTP status>, "body": <the HTTP answer>}` — 201 and the alarm's
answer, or the refusal exactly as HTTP words it (401, 403 `access:alarm.post`, 409 `alarm-id-reused`,
422 naming the field). The subscriber hands each message to the API application itself, in
process, as `POST /api/v1/alarms` with the token as its bearer credential: the same validation,
access check, revocation list, idempotency by alarm id and error words, nothing written twice.
A subject whose enterprise is not the body's is 422 naming `subject`.

Subscribers join the queue group `hazard-alarms`, so several processes share the messages; each
message is answered once. Delivery is core NATS (at most once): a device that gets no reply (no
subscriber: "no responders", or a timeout) sends the same alarm again, which the alarm id makes safe.

It runs beside an application (it commands), never in the followers process (which only reads the
log): every API process of `hazard serve` answers alarms (`answering_alarms`: it keeps trying while
NATS is away, and HTTP never waits for it); `hazard alarms listen` (services/cli/electricity.py) is
the same subscriber as a process of its own; `running_alarm_feed` in tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import nats
import orjson

from infra.async_thread import AsyncThread
from infra.nats import servers

log = logging.getLogger("hazard.alarms")

PREFIX = "hz-alarms"
QUEUE = "hazard-alarms"
PATH = "/api/v1/alarms"
MAX_MESSAGE = 64 * 1024


def subject_for(enterprise_id: str, prefix: str = PREFIX) -> str:
    return f"{prefix}.{enterprise_id}"


def _reply(status: int, body: Any) -> bytes:
    return orjson.dumps({"status": status, "body": body})


def _refused(field: str, message: str) -> bytes:
    return _reply(422, {"error": "invalid_input", "field": field, "message": f"{field}: {message}",
                        "errors": [{"field": field, "message": message}]})


async def post_in_process(app: Any, path: str, token: str, body: bytes) -> tuple[int, bytes]:
    """One `POST path` through the ASGI application, in this process: (status, body)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("nats", 0), "server": ("nats", 0), "state": {},
             "headers": [(b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()),
                         (b"authorization", f"Bearer {token}".encode("latin-1", "replace"))]}
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    status, chunks = 500, []

    async def receive() -> dict:
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # never a disconnect while the answer is written
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def answer(app: Any, subject: str, data: bytes, prefix: str = PREFIX) -> bytes:
    """The reply to one message on `<prefix>.<enterprise id>`."""
    if len(data) > MAX_MESSAGE:
        return _refused("message", f"消息超过 {MAX_MESSAGE} 字节")
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _refused("message", "消息须为 JSON：{\"token\": …, \"alarm\": {…}}")
    if not isinstance(message, dict) or not isinstance(message.get("alarm"), dict):
        return _refused("alarm", "缺少告警内容 alarm（POST /api/v1/alarms 的请求体）")
    token = message.get("token")
    if not isinstance(token, str) or not token.strip():
        return _reply(401, {"error": "unauthorised", "message": "缺少设备令牌 token"})
    enterprise = subject[len(prefix) + 1:] if subject.startswith(prefix + ".") else ""
    if message["alarm"].get("enterprise_id") != enterprise:
        return _refused("subject", f"主题 {subject} 的企业与告警的 enterprise_id 不一致")
    status, body = await post_in_process(app, PATH, token.strip(), orjson.dumps(message["alarm"]))
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        parsed = body.decode("utf-8", "replace")
    return _reply(status, parsed)


async def serve(app: Any, url: str, stopping: asyncio.Event, *, prefix: str = PREFIX,
                ready: Any = None) -> None:
    """Answer alarm requests until `stopping` is set."""
    async def quiet(e: Exception) -> None:  # one line, not nats-py's traceback, when NATS goes away
        log.warning("alarms: NATS: %s: %s", type(e).__name__, e)

    nc = await nats.connect(servers(url), name="hazardledger-alarms", allow_reconnect=True,
                            max_reconnect_attempts=-1, reconnect_time_wait=0.5, error_cb=quiet)

    async def handle(msg: Any) -> None:
        try:
            reply = await answer(app, msg.subject, msg.data, prefix)
        except Exception:  # noqa: BLE001 - one bad message never stops the feed
            log.exception("alarm on %s: unexpected error", msg.subject)
            reply = _reply(500, {"error": "internal", "message": "内部错误，本次未保存，请重发"})
        if msg.reply:
            await msg.respond(reply)

    subscription = await nc.subscribe(f"{prefix}.*", queue=QUEUE, cb=handle)
    await nc.flush()
    log.info("alarms: answering %s.* (queue %s)", prefix, QUEUE)
    if ready is not None:
        ready.set()
    try:
        await stopping.wait()
    finally:
        await subscription.drain()
        await nc.close()


@contextmanager
def running_alarm_feed(app: Any, url: str, *, prefix: str = PREFIX, timeout: float = 15.0) -> Iterator[AsyncThread]:
    """The subscriber in a thread of its own (its own event loop), subscribed when this yields."""
    import threading

    ready = threading.Event()
    thread = AsyncThread("hz-alarms", lambda stopping: serve(app, url, stopping, prefix=prefix, ready=ready))
    thread.start()
    try:
        if not ready.wait(timeout):
            raise RuntimeError(f"alarms: could not subscribe on NATS within {timeout:.0f} s")
        yield thread
    finally:
        thread.stop()


RETRY_SECONDS = 5.0


async def keep_answering(app: Any, address: Callable[[], str], stopping: asyncio.Event, *,
                         prefix: str = PREFIX) -> None:
    """`serve` until `stopping` is set, connecting again (every RETRY_SECONDS) while NATS is
    away: an API process starts and answers HTTP whether or not NATS is there."""
    while not stopping.is_set():
        try:
            await serve(app, address(), stopping, prefix=prefix)
        except Exception as e:  # noqa: BLE001 - NATS unreachable or gone: try again later
            log.warning("alarms: NATS unavailable (%s: %s); retrying in %.0f s", type(e).__name__, e,
                        RETRY_SECONDS)
            try:
                await asyncio.wait_for(stopping.wait(), RETRY_SECONDS)
            except TimeoutError:
                pass


@contextmanager
def answering_alarms(app: Any, address: Callable[[], str], *, prefix: str = PREFIX) -> Iterator[AsyncThread]:
    """`keep_answering` in a thread of its own while the block runs (an API process of `hazard serve`)."""
    thread = AsyncThread("hz-alarms", lambda stopping: keep_answering(app, address, stopping, prefix=prefix))
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()
