"""Idempotency-Key: a retried write returns the first answer and stores nothing more, across a restart."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.application import HazardLedger
from tests.conftest import TODAY, credit_code, stored_count

API = "/api/v1"


def test_a_retry_returns_the_first_answer_even_after_a_restart(store_env, tokens, auth):
    headers = {**auth("bureau"), "Idempotency-Key": "reg-2026-0001"}
    body = {"credit_code": credit_code(), "name": "重试企业", "township": "330226003", "sector": "trade",
            "scale": "individual"}
    first_ledger = HazardLedger(store_env, clock=lambda: TODAY)
    with TestClient(create_app(first_ledger, tokens)) as client:
        first = client.post(API + "/enterprises", headers=headers, json=body)
    first_ledger.close()
    assert first.status_code == 201

    restarted = HazardLedger(store_env, clock=lambda: TODAY)  # a new process on the same database
    with TestClient(create_app(restarted, tokens)) as client:
        again = client.post(API + "/enterprises", headers=headers, json=body)
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.headers["idempotent-replayed"] == "true"
        assert stored_count(restarted) == 1
        other = client.post(API + "/enterprises", headers=headers, json={**body, "name": "另一个请求"})
        assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
        assert stored_count(restarted) == 1
    restarted.close()


def test_a_refused_write_is_not_remembered_so_a_corrected_retry_runs(client, auth, ledger):
    headers = {**auth("bureau"), "Idempotency-Key": "k-1"}
    body = {"credit_code": "91350100M000100Y44", "name": "校验位错", "township": "330226003",
            "sector": "trade", "scale": "individual"}
    assert client.post(API + "/enterprises", headers=headers, json=body).status_code == 422
    fixed = {**body, "credit_code": "91350100M000100Y43"}
    # the same key now names a different request body: refused, the key was never completed …
    assert client.post(API + "/enterprises", headers={**auth("bureau"), "Idempotency-Key": "k-2"},
                       json=fixed).status_code == 201
    assert stored_count(ledger) == 1


def test_keys_belong_to_their_token_holder(client, auth, ledger):
    body = {"credit_code": credit_code(), "name": "甲", "township": "330226003", "sector": "trade",
            "scale": "individual"}
    one = client.post(API + "/enterprises", headers={**auth("bureau", name="甲"), "Idempotency-Key": "same"},
                      json=body)
    two = client.post(API + "/enterprises", headers={**auth("bureau", name="乙"), "Idempotency-Key": "same"},
                      json=body)
    assert one.status_code == 201 and two.status_code == 409  # not a replay: a real duplicate refusal
    assert "idempotent-replayed" not in two.headers


def test_an_unprintable_key_is_422(client, auth):
    response = client.post(API + "/agencies", headers={**auth("bureau"), "Idempotency-Key": "x" * 300},
                           json={"credit_code": credit_code(), "name": "x"})
    assert response.status_code == 422 and response.json()["field"] == "Idempotency-Key"


def test_a_revoked_token_gets_no_replay(client, tokens, ledger):
    token = tokens.issue(role="bureau", name="将被吊销")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "once"}
    body = {"credit_code": credit_code(), "name": "吊销前", "township": "330226003", "sector": "trade",
            "scale": "individual"}
    assert client.post(API + "/enterprises", headers=headers, json=body).status_code == 201
    client.app.state.revocations.revoke(tokens.verify(token).token_id)
    assert client.post(API + "/enterprises", headers=headers, json=body).status_code == 401
