"""Idempotency-Key: a retried write returns the first answer and stores nothing more, across a
restart, for concurrent copies, and over the key table of an earlier version (the crash itself:
test_idempotency_crash.py)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter

import httpx
import orjson
import psycopg
from fastapi.testclient import TestClient
from psycopg import sql

from domain.hazard import Hazard
from services.api.app import create_app
from services.application import HazardLedger
from tests.conftest import TODAY, actor, credit_code, stored_count

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


def test_a_refused_write_leaves_its_key_free_so_a_corrected_retry_runs(client, auth, ledger):
    headers = {**auth("bureau"), "Idempotency-Key": "k-1"}
    body = {"credit_code": "91350100M000100Y44", "name": "校验位错", "township": "330226003",
            "sector": "trade", "scale": "individual"}
    assert client.post(API + "/enterprises", headers=headers, json=body).status_code == 422
    assert client.post(API + "/enterprises", headers=headers, json=body).status_code == 422  # ran again
    fixed = {**body, "credit_code": "91350100M000100Y43"}
    corrected = client.post(API + "/enterprises", headers=headers, json=fixed)  # the same key: still free
    assert corrected.status_code == 201 and "idempotent-replayed" not in corrected.headers
    assert stored_count(ledger) == 1


def test_a_retried_change_answers_200_as_the_first_time(client, auth, ledger):
    agency = ledger.register_agency(actor("bureau"), credit_code=credit_code(), name="入库机构")
    headers = {**auth("bureau"), "Idempotency-Key": "admit-1"}
    first = client.post(f"{API}/agencies/{agency.id}/admit", headers=headers, json={})
    again = client.post(f"{API}/agencies/{agency.id}/admit", headers=headers, json={})
    assert (first.status_code, again.status_code, again.content) == (200, 200, first.content)
    assert again.headers["idempotent-replayed"] == "true" and stored_count(ledger) == 2


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


def test_concurrent_duplicates_store_once_and_all_get_the_first_answer(live_url, auth, ledger):
    """The same keyed write sent several times at once (a client retrying on a timeout while its
    first request is still running): one write, and every copy answers it."""
    headers = auth("bureau")
    enterprise = ledger.register_enterprise(actor("bureau"), credit_code=credit_code(), name="并发企业",
                                            township="330226003", sector="trade", scale="individual")
    keys, copies = [f"dup-{i}" for i in range(6)], 6
    requests = {key: ("/hazards", _hazard(enterprise.id, f"并发重复 {key}")) for key in keys}
    requests["dup-enterprise"] = ("/enterprises", {  # a second copy would be refused 409 credit-code-unique
        "credit_code": credit_code(), "name": "并发登记", "township": "330226003", "sector": "trade",
        "scale": "individual"})
    answers: dict[str, list[httpx.Response]] = {key: [] for key in requests}
    barrier = threading.Barrier(len(requests) * copies)

    def send(key: str) -> None:
        path, body = requests[key]
        barrier.wait()
        answers[key].append(httpx.post(f"{live_url}{API}{path}", json=body, timeout=60,
                                       headers={**headers, "Idempotency-Key": key}))

    threads = [threading.Thread(target=send, args=(key,)) for key in requests for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    for key in requests:
        assert {(r.status_code, r.content) for r in answers[key]} == {(201, answers[key][0].content)}, key
        assert sum("idempotent-replayed" not in r.headers for r in answers[key]) == 1, key
    assert _reported(ledger) == Counter({f"并发重复 {key}": 1 for key in keys})
    assert stored_count(ledger) == 1 + len(keys) + 1  # the enterprise, one hazard per key, one registered


def test_the_key_table_of_an_earlier_version_is_taken_over(database_url, schema, store_env, tokens):
    """Before issue 10 a key was claimed first and completed after the write: a completed key still
    answers; a claim never completed (the process died) names no answer and its key is free."""
    token = "Bearer " + tokens.issue(role="bureau", name="升级前")
    holder = hashlib.sha256(token.encode()).hexdigest()
    body = orjson.dumps({"credit_code": credit_code(), "name": "升级前企业", "township": "330226003",
                         "sector": "trade", "scale": "individual"})
    fingerprint = hashlib.sha256(f"{API}/enterprises".encode() + b"\n" + body).hexdigest()
    earlier_answer = b'{"id":"f0e1d2c3-0000-5000-8000-000000000001","position":7}'
    with psycopg.connect(database_url, autocommit=True) as conn:
        table = sql.Identifier(schema, "idempotency_keys")
        conn.execute(sql.SQL("CREATE TABLE {} (holder text NOT NULL, key text NOT NULL, request_hash text"
                             " NOT NULL, status int, body bytea, claimed_at timestamptz NOT NULL,"
                             " PRIMARY KEY (holder, key))").format(table))
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, 'done', %s, 201, %s, now()),"
                             " (%s, 'pending', %s, NULL, NULL, now())").format(table),
                     (holder, fingerprint, earlier_answer, holder, fingerprint))
    upgraded = HazardLedger(store_env, clock=lambda: TODAY)
    try:
        with TestClient(create_app(upgraded, tokens)) as client:
            def send(key: str) -> httpx.Response:
                return client.post(API + "/enterprises", content=body, headers={
                    "Authorization": token, "Content-Type": "application/json", "Idempotency-Key": key})

            done = send("done")
            assert (done.status_code, done.content) == (201, earlier_answer)
            assert stored_count(upgraded) == 0
            pending = send("pending")
            assert pending.status_code == 201 and "idempotent-replayed" not in pending.headers
            assert (send("pending").status_code, send("pending").content) == (201, pending.content)
            assert stored_count(upgraded) == 1
    finally:
        upgraded.close()


def _hazard(enterprise_id: str, description: str) -> dict:
    return {"enterprise_id": enterprise_id, "source": "public_tip", "category": "unsafe_condition",
            "level": "general", "description": description}


def _reported(ledger: HazardLedger) -> Counter:
    events = map(ledger.mapper.to_domain_event, ledger.recorder.select_notifications(start=1, limit=10_000))
    return Counter(e.description for e in events if isinstance(e, Hazard.Reported))
