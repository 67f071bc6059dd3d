"""Helpers for the dashboard's tests (test_dashboard*.py): the app as `hazard serve` wires it,
served on a loopback port, and the server-sent events it streams."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import uvicorn
from fastapi import FastAPI

from services.api.app import create_app


def dashboard_app(ledger, tokens, read_models=None) -> FastAPI:
    """The app as `hazard serve` builds it: API, event stream and dashboard."""
    return create_app(ledger, tokens, read_models=read_models)


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
