"""Revocations held in memory and followed through LISTEN/NOTIFY (issue 11 §4): a token revoked by
one process is refused by every serving process at once (the requirement: within 1 s), and a
serving process whose listener loses its connection still refuses revoked tokens."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from infra.auth import Tokens
from infra.revocations import RevocationList
from services.api.app import create_app
from tests.conftest import APP_NAME
from tests.e2e.serving import serve_env, serving
from tests.e2e.test_cli import HAZARD, _wait_until
from tests.e2e.test_tokens import until_refused

SECRET = "revocation-test-secret-0123456789abcdef"


@pytest.fixture
def served_env(tmp_path: Path, database_url: str, schema: str) -> dict[str, str]:
    return serve_env(tmp_path / "var", database_url, schema, SECRET)


@pytest.fixture
def served(tmp_path: Path, served_env: dict[str, str]) -> Iterator[str]:
    """`hazard serve` (other processes) on the test's schema; its base URL."""
    with serving(served_env, tmp_path / "serve.log") as url:
        yield url


def _status(url: str, token: str) -> int:
    return httpx.get(f"{url}/api/v1/townships", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def _listeners(database_url: str, schema: str) -> list[int]:
    """The backends of this suite that LISTEN for the schema's revocations (their last statement
    is the LISTEN or the load of the table that follows it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s AND query IN (%s, %s)",
                            (APP_NAME, f'LISTEN "{schema}_revoked_tokens"',
                             f'SELECT jti FROM "{schema}"."revoked_tokens"')).fetchall()
    return [pid for (pid,) in rows]


def test_a_token_revoked_in_one_process_is_refused_by_a_served_api_at_once(served, served_env, database_url,
                                                                           schema):
    tokens = Tokens(SECRET)
    revoked, kept = tokens.issue(role="auditor", name="甲"), tokens.issue(role="auditor", name="乙")
    assert _status(served, revoked) == 200 and _status(served, kept) == 200
    _wait_until(lambda: _listeners(database_url, schema), timeout=10)  # the served API follows the table

    subprocess.run([HAZARD, "token", "revoke", revoked, "--reason", "离职"], env=served_env, check=True,
                   capture_output=True)  # another process: the command line
    delay = until_refused(lambda: _status(served, revoked))

    assert delay is not None, "the served API still accepted the revoked token 5 s after it was revoked"
    print(f"revocation refused by the other process after {delay * 1000:.0f} ms")
    answers = [(_status(served, revoked), _status(served, kept)) for _ in range(20)]  # each a new connection
    assert set(answers) == {(401, 200)}, answers  # whichever of the API's processes answers


def test_a_revocation_made_before_the_api_started_is_refused_from_memory(ledger, tokens):
    token = tokens.issue(role="bureau", name="早已吊销")
    RevocationList(ledger.recorder.datastore).revoke(tokens.verify(token).token_id, "遗失")
    with TestClient(create_app(ledger, tokens)) as client:  # loads the table when it starts
        _wait_until(lambda: client.app.state.revocations.following, timeout=10)
        assert client.get("/api/v1/townships", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_revocations_are_still_refused_when_the_listener_loses_its_connection(client, tokens, ledger,
                                                                             database_url, schema):
    token = tokens.issue(role="bureau", name="断线时吊销")
    bearer = {"Authorization": f"Bearer {token}"}
    _wait_until(lambda: client.app.state.revocations.following, timeout=10)
    [listener] = _listeners(database_url, schema)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (listener,))

    RevocationList(ledger.recorder.datastore).revoke(tokens.verify(token).token_id)  # another list
    assert until_refused(lambda: client.get("/api/v1/townships", headers=bearer).status_code) is not None
    _wait_until(lambda: [pid for pid in _listeners(database_url, schema) if pid != listener], timeout=10)
    _wait_until(lambda: client.app.state.revocations.following, timeout=10)  # back, and answering from memory
    assert client.get("/api/v1/townships", headers=bearer).status_code == 401
