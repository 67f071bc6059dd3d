"""ASGI middleware: a bounded request body (413), and idempotent retries of writes."""

from __future__ import annotations

import hashlib

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.idempotency import IdempotencyStore

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
    """Reads the whole body once (refusing more than `max_body` bytes with 413), then, for a
    POST carrying an `Idempotency-Key`, answers a retry from the stored first answer."""

    def __init__(self, app: ASGIApp, *, max_body: int, store: IdempotencyStore) -> None:
        self.app = app
        self.max_body = max_body
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body:
            return await _respond(send, 413, _too_large(self.max_body))
        try:
            body = await _read_body(receive, self.max_body)
        except TooLarge:
            return await _respond(send, 413, _too_large(self.max_body))
        key = headers.get(b"idempotency-key")
        if scope["method"] != "POST" or key is None:
            return await self.app(scope, _replay(body, receive), send)
        await self._idempotent(scope, receive, body, headers, key.decode("latin-1"), send)

    async def _idempotent(self, scope: Scope, receive: Receive, body: bytes, headers: dict, key: str,
                          send: Send) -> None:
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            return await _respond(send, 422, _invalid_key(f"须为 1–{MAX_KEY_LENGTH} 个可打印字符"))
        if not _holder_valid(scope, headers):  # no replay for a revoked or invalid token: let it 401
            return await self.app(scope, _replay(body, receive), send)
        holder = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        request_hash = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        claim = await run_in_threadpool(self.store.claim, holder, key, request_hash)
        if claim.outcome == "mismatch":
            return await _respond(send, 422, _invalid_key("同一幂等键已用于另一个请求"))
        if claim.outcome == "pending":
            return await _respond(send, 409, {
                "error": "conflict", "rule": "idempotency-in-progress", "retry": True,
                "message": "使用该幂等键的请求正在处理，请稍后重试"}, [(b"retry-after", b"1")])
        if claim.outcome == "replay":
            return await _respond(send, claim.status, claim.body, [(b"idempotent-replayed", b"true")])
        status, captured = 0, []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                captured.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay(body, receive), capture)
        finally:
            if 200 <= status < 300:
                await run_in_threadpool(self.store.complete, holder, key, status, b"".join(captured))
            else:
                await run_in_threadpool(self.store.release, holder, key)


def _holder_valid(scope: Scope, headers: dict) -> bool:
    from infra.auth import InvalidToken

    state = scope["app"].state
    token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")[2].strip()
    try:
        holder = state.tokens.verify(token)
    except InvalidToken:
        return False
    return not state.revocations.is_revoked(holder.token_id)


def _too_large(limit: int) -> dict:
    return {"error": "too_large", "field": "body", "message": f"请求体超过 {limit} 字节上限"}


def _invalid_key(reason: str) -> dict:
    return {"error": "invalid_input", "field": "Idempotency-Key", "message": f"Idempotency-Key: {reason}",
            "errors": [{"field": "Idempotency-Key", "message": reason}]}
