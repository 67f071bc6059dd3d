"""Alarms over NATS (智慧用电, issue 15 §4): a device's request on `hz-alarms.<enterprise>` on a
real NATS server is answered like `POST /api/v1/alarms` — stored once, a retry answered the same,
refusals as HTTP words them, nothing stored for them."""

from __future__ import annotations

import asyncio
import uuid

import nats
import nats.errors
import orjson
import pytest

from domain.actor import Role
from infra.auth import Tokens
from services.alarm_feed import running_alarm_feed, subject_for
from services.api.app import create_app
from tests.conftest import actor, credit_code, stored_count
from tests.e2e.conftest import SECRET


@pytest.fixture
def feed(ledger, nats_url):
    prefix = f"hzt-alarms-{uuid.uuid4().hex[:8]}"  # this test's own subjects on a shared server
    with running_alarm_feed(create_app(ledger, Tokens(SECRET)), nats_url, prefix=prefix):
        yield prefix


def request(url: str, subject: str, message: dict | bytes) -> dict:
    async def ask() -> dict:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            data = message if isinstance(message, bytes) else orjson.dumps(message)
            return orjson.loads((await nc.request(subject, data, timeout=30)).data)
        finally:
            await nc.close()
    return asyncio.run(ask())


def test_alarms_over_nats_are_answered_like_http(ledger, nats_url, feed):
    bureau = actor(Role.BUREAU)
    firm, other = (ledger.register_enterprise(bureau, credit_code=credit_code(), name=n, township="330226001",
                                              sector="trade", scale="small_micro").id for n in ("甲厂", "乙厂"))
    token = Tokens(SECRET).issue(role="device", name="配电箱 DB-01", enterprise_id=firm)

    def alarm(n: int, **change) -> dict:
        return {"enterprise_id": firm, "device_id": "DB-01", "alarm_id": f"N-{n}", "kind": "leakage",
                "reading": 45, "occurred_at": f"2026-06-10T0{n}:00:00+08:00", **change}

    answers = [request(nats_url, subject_for(firm, feed), {"token": token, "alarm": alarm(n)}) for n in (1, 2, 3)]
    assert [a["status"] for a in answers] == [201, 201, 201]
    assert [a["body"]["raised"] for a in answers] == [False, False, True]
    before = stored_count(ledger)
    again = request(nats_url, subject_for(firm, feed), {"token": token, "alarm": alarm(3)})
    assert again == answers[2] and stored_count(ledger) == before  # a retry: the same answer
    refusals = {
        "other enterprise": request(nats_url, subject_for(other, feed),
                                    {"token": token, "alarm": alarm(4, enterprise_id=other)}),
        "subject": request(nats_url, subject_for(other, feed), {"token": token, "alarm": alarm(4)}),
        "kind": request(nats_url, subject_for(firm, feed), {"token": token, "alarm": alarm(4, kind="flood")}),
        "reused": request(nats_url, subject_for(firm, feed), {"token": token, "alarm": alarm(3, reading=99)}),
        "no token": request(nats_url, subject_for(firm, feed), {"alarm": alarm(4)}),
        "bad token": request(nats_url, subject_for(firm, feed), {"token": "x.y.z", "alarm": alarm(4)}),
        "not json": request(nats_url, subject_for(firm, feed), b"{oops"),
    }
    assert (refusals["other enterprise"]["status"], refusals["other enterprise"]["body"]["rule"]) == (403, "access:alarm.post")
    assert (refusals["subject"]["status"], refusals["subject"]["body"]["field"]) == (422, "subject")
    assert (refusals["kind"]["status"], refusals["kind"]["body"]["field"]) == (422, "kind")
    assert (refusals["reused"]["status"], refusals["reused"]["body"]["rule"]) == (409, "alarm-id-reused")
    assert refusals["no token"]["status"] == 401 and refusals["bad token"]["status"] == 401
    assert (refusals["not json"]["status"], refusals["not json"]["body"]["field"]) == (422, "message")
    assert stored_count(ledger) == before


def test_the_cli_command_is_there(capsys):
    from services.cli.hazard import main

    with pytest.raises(SystemExit) as done:
        main(["alarms", "listen", "--help"])
    assert done.value.code == 0 and "hz-alarms" in capsys.readouterr().out


def test_hazard_alarms_listen_answers_until_sigterm(ledger, database_url, schema, nats_url, tmp_path):
    """The command as an operator runs it, in a process of its own, on the test's store."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    firm = ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="丙厂",
                                      township="330226002", sector="trade", scale="small_micro").id
    secret, prefix = "a-secret-for-this-test-only-0123456789", f"hzt-cli-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema, "NATS_URL": nats_url,
           "HAZARD_SECRET": secret, "HAZARD_DATA_DIR": str(tmp_path / "var")}
    hazard = str(Path(sys.executable).with_name("hazard"))
    process = subprocess.Popen([hazard, "alarms", "listen", "--prefix", prefix], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "answering" in process.stdout.readline()
        token = Tokens(secret).issue(role="device", name="配电箱", enterprise_id=firm)
        alarm = {"enterprise_id": firm, "device_id": "DB-9", "alarm_id": "C-1", "kind": "arc",
                 "reading": 2, "occurred_at": "2026-06-10T08:00:00+08:00"}
        # the subscription is made just after the line is printed: ask until someone answers
        for _ in range(100):
            try:
                reply = request(nats_url, subject_for(firm, prefix), {"token": token, "alarm": alarm})
                break
            except nats.errors.NoRespondersError:
                asyncio.run(asyncio.sleep(0.1))
        assert reply["status"] == 201 and reply["body"]["alarm_id"] == "C-1"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 0
