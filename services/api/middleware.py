"""ASGI middleware: a bounded request body (413), and idempotent retries of writes.

A POST with an `Idempotency-Key` whose first answer is stored gets it back (`Idempotent-Replayed:
true`); otherwise it runs with the key named (`infra.idempotency.keyed`), and its write stores
the key and the answer in the transaction of its events. Nothing is claimed before the write, so
nothing is left half-done by a crash: a key is either answered or free.

Uploads (`POST` to a path in `streamed`, e.g. /api/v1/files) are the one exception to reading
the body whole: their body streams to the route, bounded by the path's own limit (413 beyond
it), so a 10 MiB photo neither sits in memory here nor opens other routes to big bodies. They
run outside the unit of work and without idempotent replay: they store no event, and storing
content-addressed bytes again changes nothing and answers the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager

import orjson
from eventsourcing.persistence import PersistenceError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.idempotency import IdempotencyStore, KeyedRequest, KeyTaken, keyed
from services.api.deps import Unauthorised, verified

MAX_KEY_LENGTH = 200


async def _respond(send: Send, status: int, content: dict | bytes, extra: list | None = None) -> None:
    body = content if isinstance(content, bytes) else orjson.dumps(content)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


class TooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _bounded(receive: Receive, limit: int) -> Receive:
    """The client's messages, TooLarge once their bodies pass `limit` bytes."""
    size = 0

    async def bounded() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise TooLarge
        return message

    return bounded


async def _streamed(app: ASGIApp, scope: Scope, receive: Receive, send: Send, headers: dict,
                    limit: int) -> None:
    """An upload: its body passed on as it arrives, refused with 413 past `limit` (at once when
    the declared Content-Length says so)."""
    declared = headers.get(b"content-length", b"0")
    if declared.isdigit() and int(declared) > limit:
        return await _respond(send, 413, _too_large(limit))
    started = False

    async def watched(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, _bounded(receive, limit), watched)
    except TooLarge:
        if started:
            raise
        await _respond(send, 413, _too_large(limit))


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read once, then the client's own messages (a streaming response waits on them
    to learn that the client went away)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


class RequestGuard:
    """Reads the whole body once (refusing more than `max_body` bytes with 413); runs every
    write (POST) in one unit of work of the application (each aggregate loaded once: the copy
    the access check looked at is the copy the command decides on); for a POST carrying an
    `Idempotency-Key`, answers a retry from the stored first answer."""

    def __init__(self, app: ASGIApp, *, max_body: int, store: IdempotencyStore,
                 unit_of_work: Callable[[], AbstractContextManager[None]],
                 streamed: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.store = store
        self.unit_of_work = unit_of_work
        self.streamed = dict(streamed or {})  # upload path → its body limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if scope["method"] == "POST" and scope["path"] in self.streamed:
            return await _streamed(self.app, scope, receive, send, headers, self.streamed[scope["path"]])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body:
            return await _respond(send, 413, _too_large(self.max_body))
        try:
            body = await _read_body(receive, self.max_body)
        except TooLarge:
            return await _respond(send, 413, _too_large(self.max_body))
        if scope["method"] != "POST":
            return await self.app(scope, _replay(body, receive), send)
        key = headers.get(b"idempotency-key")
        with self.unit_of_work():  # the endpoint's worker thread inherits it (a context variable)
            if key is None:
                return await self.app(scope, _replay(body, receive), send)
            await self._idempotent(scope, receive, body, headers, key.decode("latin-1"), send)

    async def _idempotent(self, scope: Scope, receive: Receive, body: bytes, headers: dict, key: str,
                          send: Send) -> None:
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            return await _respond(send, 422, _invalid_key(f"须为 1–{MAX_KEY_LENGTH} 个可打印字符"))
        if not await _holder_valid(scope):  # no replay for a revoked or invalid token: let it 401
            return await self.app(scope, _replay(body, receive), send)
        request = KeyedRequest(holder=hashlib.sha256(headers.get(b"authorization", b"")).hexdigest(), key=key,
                               request_hash=hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest(),
                               success_status=_success_status(scope))
        if await self._answered(request, send):
            return
        response = _Buffered()
        try:
            with keyed(request):  # the write stores the key and its answer in its own transaction
                await self.app(scope, _replay(body, receive), response.capture)
        except KeyTaken:  # a concurrent duplicate stored the key first; nothing of this one was stored
            if await self._answered(request, send):
                return
            raise
        if not response.succeeded and await self._answered(request, send):
            return  # refused because a concurrent duplicate's write committed meanwhile: answer as it did
        await response.flush(send)

    async def _answered(self, request: KeyedRequest, send: Send) -> bool:
        """Answer from the key's stored first answer, if there is one (422 for another request).
        With the store unreachable, say no: the write itself then answers 503 (and could not
        store twice anyway, the key being stored in its transaction)."""
        try:
            stored = await run_in_threadpool(self.store.answer, request.holder, request.key)
        except PersistenceError:
            return False
        if stored is None:
            return False
        if stored.request_hash != request.request_hash:
            await _respond(send, 422, _invalid_key("同一幂等键已用于另一个请求"))
        else:
            await _respond(send, stored.status, stored.body, [(b"idempotent-replayed", b"true")])
        return True


class _Buffered:
    """A keyed write's answer, held until it is known not to be superseded by a stored one."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = 0

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status < 300

    async def capture(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        self.messages.append(message)

    async def flush(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


def _success_status(scope: Scope) -> Callable[[], int]:
    """What the route answers on success (201 for the creating routes, else 200), asked once
    the router has put the matched route in the scope."""
    return lambda: getattr(scope.get("route"), "status_code", None) or 200


async def _holder_valid(scope: Scope) -> bool:
    """Whether the token is valid and not revoked (verified once per request: the route's
    dependency reuses the outcome, and logs nothing twice)."""
    try:
        await verified(scope)
    except Unauthorised:
        return False
    return True


def _too_large(limit: int) -> dict:
    return {"error": "too_large", "field": "body", "message": f"请求体超过 {limit} 字节上限"}


def _invalid_key(reason: str) -> dict:
    return {"error": "invalid_input", "field": "Idempotency-Key", "message": f"Idempotency-Key: {reason}",
            "errors": [{"field": "Idempotency-Key", "message": reason}]}
