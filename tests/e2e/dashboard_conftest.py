"""Helpers for the dashboard's tests (test_dashboard*.py): the app as `hazard serve` wires it,
served on a loopback port, and the server-sent events it streams.

Until `create_app` includes the events router and the dashboard itself, `dashboard_app` adds
them the same way; until `services/access.py` has a rule for `events.stream` and
`services/api/middleware.py` hands the server's `receive` on after the body (see
docs/dashboard.md, "Wiring"), `wired()` supplies both for the test's duration.
"""

from __future__ import annotations

import contextvars
import inspect
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest
import uvicorn
from fastapi import FastAPI

from services import dashboard
from services.access import EVERYONE, POLICY
from services.api import middleware
from services.api.app import API_PREFIX, create_app
from services.api.routes import events


def dashboard_app(ledger, tokens, read_models=None) -> FastAPI:
    app = create_app(ledger, tokens, read_models=read_models)
    if not any(getattr(r, "name", None) == "events.stream" for r in app.routes):
        app.include_router(events.router, prefix=API_PREFIX)
    if not any(getattr(r, "name", None) == "dashboard.overview" for r in app.routes):
        dashboard.install(app)
    return app


def guard_drops_streams() -> bool:
    """True while RequestGuard answers `http.disconnect` right after the body (the old `_replay(body)`),
    which makes Starlette cancel every streaming response at once."""
    return len(inspect.signature(middleware._replay).parameters) == 1


_server_receive: contextvars.ContextVar = contextvars.ContextVar("server_receive")


def _replay_then_receive(body: bytes):
    """Test stand-in for the fixed `_replay(body, receive)`: the body, then the server's own
    `receive` (which reports the client's disconnect when it happens)."""
    receive = _server_receive.get()
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _guard_call_keeping_receive(original):
    async def call(self, scope, receive, send):
        token = _server_receive.set(receive)
        try:
            return await original(self, scope, receive, send)
        finally:
            _server_receive.reset(token)

    return call


@contextmanager
def wired() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        if "events.stream" not in POLICY:
            mp.setitem(POLICY, "events.stream", EVERYONE)
        if guard_drops_streams():
            mp.setattr(middleware.RequestGuard, "__call__",
                       _guard_call_keeping_receive(middleware.RequestGuard.__call__))
            mp.setattr(middleware, "_replay", _replay_then_receive)
        yield


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port (uvicorn in a thread); its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def parse_sse(text: str) -> list[dict]:
    """The messages of an event stream: [{"event", "id", "data"}] (comments and retry left out)."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        message: dict = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                message["data"] = orjson.loads(value)
            elif field in ("event", "id"):
                message[field] = value
        if "data" in message or "id" in message:
            message.setdefault("event", "message" if "data" in message else "id")
            out.append(message)
    return out
