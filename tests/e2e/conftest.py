"""HTTP fixtures: the real FastAPI app over the real event store, tokens per role."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from infra.auth import Tokens
from projections.operations import running_projections
from services.api.app import create_app
from tests.e2e.county import simulated_template

SECRET = "test-secret-not-for-production-0123456789"


@pytest.fixture
def tokens() -> Tokens:
    return Tokens(SECRET)


@pytest.fixture
def auth(tokens: Tokens) -> Callable[..., dict[str, str]]:
    """Headers for a role: auth("regulator", sector="chem", name="市场监管 李四")."""

    def headers(role: str, name: str | None = None, **scope: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + tokens.issue(role=role, name=name or f"{role} 测试", **scope)}

    return headers


@pytest.fixture
def client(ledger, tokens) -> Iterator[TestClient]:
    with TestClient(create_app(ledger, tokens)) as c:
        yield c


@pytest.fixture
def api(ledger, tokens, store_env) -> Iterator[TestClient]:
    """The app with its read models following the store (for ledger, rates, exports, ?after=)."""
    with running_projections(store_env, reference=ledger.reference) as read_models:
        with TestClient(create_app(ledger, tokens, read_models=read_models)) as client:
            yield client


@pytest.fixture
def live_url(ledger, tokens) -> Iterator[str]:
    """The API served by uvicorn on a free loopback port, for tests that need real HTTP."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ledger, tokens), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="session")
def county_template(database_url: str) -> Iterator[str]:
    """The simulated county-year the dashboard's modules copy (tests/e2e/county.py); its URL."""
    with simulated_template(database_url) as url:
        yield url
