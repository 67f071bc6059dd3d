"""Tokens: expiry, key rotation by key id, revocation — each refusal a 401 that leaves a trace in the log."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from infra.auth import Keyring, Tokens, keys_path, rotate_key
from infra.settings import Settings
from services.api.app import create_app
from tests.e2e.conftest import SECRET

API = "/api/v1"
HAZARD = str(Path(sys.executable).with_name("hazard"))


def _get(client, token):
    return client.get(API + "/townships", headers={"Authorization": f"Bearer {token}"})


def test_an_expired_token_is_401_and_logged(client, caplog):
    expired = Tokens(SECRET, ttl_days=-1).issue(role="bureau", name="过期")
    with caplog.at_level(logging.WARNING, logger="hazard.auth"):
        response = _get(client, expired)
    assert response.status_code == 401 and "expired" in response.json()["message"]
    assert any("invalid token" in r.getMessage() and "expired" in r.getMessage() for r in caplog.records)


def test_a_tampered_token_is_401(client, tokens):
    header, payload, signature = tokens.issue(role="township", township="330226001", name="x").split(".")
    claims = jwt.decode(tokens.issue(role="bureau", name="x"), options={"verify_signature": False})
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    assert _get(client, f"{header}.{forged_payload}.{signature}").status_code == 401


def test_a_revoked_token_is_401_while_others_still_work(client, tokens, caplog):
    kept, revoked = tokens.issue(role="auditor", name="甲"), tokens.issue(role="auditor", name="乙")
    assert _get(client, revoked).status_code == 200
    client.app.state.revocations.revoke(tokens.verify(revoked).token_id, "离职")
    with caplog.at_level(logging.WARNING, logger="hazard.auth"):
        assert _get(client, revoked).status_code == 401
    assert _get(client, kept).status_code == 200
    assert any("revoked token" in r.getMessage() for r in caplog.records)


def test_rotation_keeps_old_tokens_valid_until_their_key_is_retired(ledger, tmp_path):
    settings = Settings.from_env({"HAZARD_DATA_DIR": str(tmp_path)})
    old_token = Tokens.from_settings(settings).issue(role="bureau", name="旧钥匙")
    old_kid = Keyring.from_settings(settings).current
    rotate_key(keys_path(settings))
    rotated = Tokens.from_settings(settings)
    new_token = rotated.issue(role="bureau", name="新钥匙")
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    with TestClient(create_app(ledger, rotated)) as client:
        assert _get(client, old_token).status_code == 200 and _get(client, new_token).status_code == 200
    rotate_key(keys_path(settings), retire=(old_kid,))
    with TestClient(create_app(ledger, Tokens.from_settings(settings))) as client:
        assert _get(client, old_token).status_code == 401
        assert _get(client, new_token).status_code == 200


def test_previous_secrets_from_the_environment_are_still_accepted(ledger):
    old = Tokens("an-old-secret-that-was-in-use-until-now-000").issue(role="auditor", name="x")
    env = {"HAZARD_SECRET": "the-new-secret-after-rotation-0000000000",
           "HAZARD_PREVIOUS_SECRETS": "an-old-secret-that-was-in-use-until-now-000"}
    with TestClient(create_app(ledger, Tokens.from_settings(Settings.from_env(env)))) as client:
        assert _get(client, old).status_code == 200


def test_hazard_token_revoke_from_the_command_line(client, tokens, database_url, schema, tmp_path):
    token = tokens.issue(role="bureau", name="待吊销")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "HAZARD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([HAZARD, "token", "revoke", token, "--reason", "遗失"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    refused_after = until_refused(lambda: _get(client, token).status_code)  # notified to this process
    assert refused_after is not None, "the revoked token was still accepted 5 s after `hazard token revoke`"


def until_refused(status: Callable[[], int], deadline: float = 5.0) -> float | None:
    """Seconds until `status()` is 401 (asked every 20 ms), None if it still was not after `deadline` s."""
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if status() == 401:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


@pytest.mark.parametrize("argument", ["not-a-token.at.all", "a.b.c"])
def test_revoking_garbage_is_refused(argument, tmp_path):
    done = subprocess.run([HAZARD, "token", "revoke", argument], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HAZARD_DATA_DIR": str(tmp_path)}, timeout=30)
    assert done.returncode == 2 and "not a token" in done.stderr
