"""Smart electricity (智慧用电, issue 15 §4) over HTTP with a device token, on the real store:
alarms idempotent by alarm id, a hazard raised once per episode, refusals with nothing stored,
the alarm rates per township as a read, `hazard token issue --role device --enterprise-id`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.actor import Role
from services.access import EVERYONE, POLICY
from tests.conftest import actor, credit_code, stored_count

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 10, 8, 0, tzinfo=TZ)


@pytest.fixture
def firms(ledger):
    bureau = actor(Role.BUREAU)
    return [ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=town,
                                       sector="trade", scale="small_micro").id
            for name, town in (("甲厂", "330226001"), ("乙厂", "330226001"), ("丙厂", "330226002"))]


def alarm(enterprise: str, n: int, hours: float = 0, **change) -> dict:
    return {"enterprise_id": enterprise, "device_id": "DB-01", "alarm_id": f"A-{n}", "kind": "overload",
            "reading": 35.5, "occurred_at": (T0 + timedelta(hours=hours)).isoformat(), **change}


def test_device_alarms_raise_one_hazard_per_episode(client, auth, firms, ledger):
    device = auth("device", enterprise_id=firms[0])
    answers = [client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], n, h))
               for n, h in enumerate((0, 2, 4, 5))]
    assert [r.status_code for r in answers] == [201] * 4
    body = [r.json() for r in answers]
    assert [b["raised"] for b in body] == [False, False, True, False]
    hazard = body[2]["hazard_id"]
    assert body[3]["hazard_id"] == hazard and body[0]["hazard_id"] is None
    # a retry of each: nothing new stored, the same answers
    before = stored_count(ledger)
    again = [client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], n, h))
             for n, h in enumerate((0, 2, 4, 5))]
    assert [r.status_code for r in again] == [201] * 4 and [r.json() for r in again] == body
    assert stored_count(ledger) == before
    # the hazard: the enterprise's, source 智慧用电监测, the readings as evidence
    read = client.get(f"/api/v1/hazards/{hazard}", headers=auth("bureau")).json()
    assert read["enterprise_id"] == firms[0] and read["source"] == "smart_electricity"
    assert len(read["evidence"]) == 3 and "读数 35.5 A" in read["evidence"][0]
    assert "过载告警 3 次" in read["description"]


def test_refusals_name_the_rule_or_field_and_store_nothing(client, auth, firms, ledger):
    device = auth("device", enterprise_id=firms[0])
    assert client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], 1)).status_code == 201
    before = stored_count(ledger)
    other = client.post("/api/v1/alarms", headers=device, json=alarm(firms[1], 2))  # another enterprise
    assert other.status_code == 403 and other.json()["rule"] == "access:alarm.post"
    assert "不能上报其他企业" in other.json()["message"]
    kind = client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], 3, kind="flood"))
    assert kind.status_code == 422 and kind.json()["field"] == "kind"
    future = client.post("/api/v1/alarms", headers=device, json=alarm(
        firms[0], 4, occurred_at=(datetime.now(TZ) + timedelta(hours=1)).isoformat()))
    assert future.status_code == 422 and future.json()["field"] == "occurred_at"
    naive = client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], 5, occurred_at="2026-06-10T08:00:00"))
    assert naive.status_code == 422 and naive.json()["field"] == "occurred_at"
    reused = client.post("/api/v1/alarms", headers=device, json=alarm(firms[0], 1, reading=99))
    assert reused.status_code == 409 and reused.json()["rule"] == "alarm-id-reused"
    for role, scope in (("enterprise", {"enterprise_id": firms[0]}), ("bureau", {}), ("admin", {})):
        refused = client.post("/api/v1/alarms", headers=auth(role, **scope), json=alarm(firms[0], 6))
        assert refused.status_code == 403 and refused.json()["rule"] == "access:alarm.post"
    assert stored_count(ledger) == before


def test_a_device_may_post_alarms_and_nothing_else(client, auth, firms):
    assert Role.DEVICE not in EVERYONE and len(EVERYONE) == 8
    assert [a for a, roles in POLICY.items() if Role.DEVICE in roles] == ["alarm.post"]
    device = auth("device", enterprise_id=firms[0])
    for method, path in (("GET", f"/enterprises/{firms[0]}"), ("GET", "/ledger"), ("GET", "/todo"),
                         ("GET", "/townships"), ("GET", "/alarms/rates?year=2026")):
        refused = client.request(method, "/api/v1" + path, headers=device)
        assert refused.status_code == 403, path


def test_alarm_rates_per_township(api, auth, firms, ledger):
    devices = [auth("device", enterprise_id=f) for f in firms]
    posted = [api.post("/api/v1/alarms", headers=devices[i], json=alarm(firms[i], 10 * i + n, n, kind=kind))
              for i, n, kind in ((0, 0, "overload"), (0, 1, "overload"), (0, 2, "overload"),
                                 (1, 0, "leakage"), (2, 0, "arc"))]
    assert all(r.status_code == 201 for r in posted)
    bureau = auth("bureau")
    # an alarm's answer carries no position (a retry answers the same): a later write's does
    mark = ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="丁厂",
                                      township="330226003", sector="trade", scale="small_micro").position
    rates = api.get(f"/api/v1/alarms/rates?year=2026&after={mark}", headers=bureau)
    rows = {(r["township"], r["kind"]): r for r in rates.json()["items"]}
    overload = rows[("330226001", "overload")]
    assert (overload["alarms"], overload["enterprises"], overload["per_enterprise"]) == (3, 2, 1.5)
    assert overload["hazards_raised"] == 1 and overload["kind_label"] == "过载"
    assert overload["township_name"] and overload["month"] == "2026-06"
    assert rows[("330226002", "arc")]["enterprises"] == 1
    # a township reads its own rows; an agency none; labels in Chinese in the export
    town = api.get("/api/v1/alarms/rates?year=2026", headers=auth("township", township="330226002")).json()
    assert {r["township"] for r in town["items"]} == {"330226002"}
    agency = api.get("/api/v1/alarms/rates?year=2026", headers=auth("agency", agency_id="x"))
    assert agency.status_code == 403
    csv = api.get("/api/v1/alarms/rates?year=2026&format=csv", headers=bureau)
    assert csv.status_code == 200 and "告警类型" in csv.content.decode("utf-8-sig")
    bad = api.get("/api/v1/alarms/rates?year=2026&kind=flood", headers=bureau)
    assert bad.status_code == 422


def test_token_issue_for_a_device_needs_its_enterprise(tmp_path, monkeypatch, capsys):
    from infra.auth import Tokens
    from services.cli.hazard import main

    monkeypatch.setenv("HAZARD_SECRET", "s" * 40)
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path))
    assert main(["token", "issue", "--role", "device"]) == 2
    assert "--enterprise-id" in capsys.readouterr().err
    assert main(["token", "issue", "--role", "device", "--enterprise-id", "E-1"]) == 0
    holder = Tokens("s" * 40).verify(capsys.readouterr().out.strip())
    assert holder.role == Role.DEVICE and holder.enterprise_id == "E-1"
    assert holder.actor.name == "智慧用电设备"
