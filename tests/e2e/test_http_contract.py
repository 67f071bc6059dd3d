"""SPEC §5 status codes over HTTP, and the promise that a refused or invalid request stores nothing."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest

from tests.conftest import credit_code, stored_count

API = "/api/v1"


@pytest.fixture
def enterprise(client, auth):
    response = client.post(API + "/enterprises", headers=auth("bureau"), json={
        "credit_code": credit_code(), "name": "某建材厂", "township": "330226002",
        "sector": "trade", "scale": "small_micro"})
    assert response.status_code == 201
    return response.json()["id"]


@pytest.fixture
def hazard(client, auth, enterprise):
    response = client.post(API + "/hazards", headers=auth("township", township="330226002"), json={
        "enterprise_id": enterprise, "source": "government_check", "category": "unsafe_act",
        "description": "叉车司机无证驾驶", "level": "general", "discovered_on": "2026-06-01"})
    assert response.status_code == 201
    return response.json()["id"]


def test_reference_data_lists_ninghai_townships_and_sectors(client, auth):
    townships = client.get(API + "/townships", headers=auth("auditor")).json()
    assert len(townships) == 18 and townships[0] == {"code": "330226001", "name": "跃龙街道"}
    sectors = {s["code"]: s["name"] for s in client.get(API + "/sectors", headers=auth("auditor")).json()}
    assert sectors["chem"] == "危险化学品" and len(sectors) == 11


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not.a.token"},
                                     {"Authorization": "Basic abc"}])
def test_no_or_bad_token_is_401(client, headers):
    response = client.get(API + "/townships", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "unauthorised"


def test_a_token_signed_with_another_secret_is_401(client):
    from infra.auth import Tokens

    forged = Tokens("another-secret-of-sufficient-length-000").issue(role="bureau", name="冒充")
    response = client.get(API + "/townships", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


@pytest.mark.parametrize("ident", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_id_is_404(client, auth, ident):
    assert client.get(API + f"/hazards/{ident}", headers=auth("bureau")).status_code == 404
    response = client.post(API + f"/hazards/{ident}/withdraw", headers=auth("bureau"), json={"reason": "误报"})
    assert response.status_code == 404


def test_an_enterprise_id_is_not_a_hazard(client, auth, enterprise):
    assert client.get(API + f"/hazards/{enterprise}", headers=auth("bureau")).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "缺代码", "township": "330226001", "sector": "chem", "scale": "individual"}, "credit_code"),
    ({"credit_code": "91350100M000100Y44", "name": "错校验位", "township": "330226001",
      "sector": "chem", "scale": "individual"}, "credit_code"),
    ({"credit_code": "91350100M000100Y43", "name": "未知乡镇", "township": "330226999",
      "sector": "chem", "scale": "individual"}, "township"),
    ({"credit_code": "91350100M000100Y43", "name": "未知行业", "township": "330226001",
      "sector": "nuclear", "scale": "individual"}, "sector"),
    ({"credit_code": "91350100M000100Y43", "name": "未知规模", "township": "330226001",
      "sector": "chem", "scale": "huge"}, "scale"),
    ({"credit_code": "91350100M000100Y43", "name": "多余字段", "township": "330226001",
      "sector": "chem", "scale": "individual", "admin": True}, "admin"),
    ({"credit_code": "91350100M000100Y43", "name": "控制\x07字符", "township": "330226001",
      "sector": "chem", "scale": "individual"}, "name"),
])
def test_bad_input_is_422_naming_the_field_and_stores_nothing(client, auth, ledger, body, field):
    before = stored_count(ledger)
    response = client.post(API + "/enterprises", headers=auth("bureau"), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert stored_count(ledger) == before


def test_refused_and_invalid_hazard_commands_store_no_event(client, auth, ledger, hazard):
    bureau, before = auth("bureau"), stored_count(ledger)
    attempts = [
        ("/close", {}, 409, "close-requires-passed-review"),
        ("/rectify", {"evidence": ["x.jpg"], "cost": 1}, 409, "rectify-requires-responsibility"),
        ("/enforce", {"kind": "fine", "document_no": "X"}, 403, "access:hazard.enforce"),
        ("/assign", {"responsible_person": "王五", "deadline": "2026-05-01"}, 409,
         "deadline-before-discovery"),
        ("/assign", {"responsible_person": "王五", "deadline": "2026-07-01", "assigned_on": "2099-01-01"},
         422, "assigned_on"),
        ("/regrade", {"level": "catastrophic", "reason": "?"}, 422, "level"),
        ("/supervise", {"level": "county", "document_no": "X"}, None, None),  # township may not
    ]
    township = auth("township", township="330226002")
    for path, body, status, expected in attempts:
        headers = township if path == "/supervise" else bureau
        response = client.post(API + f"/hazards/{hazard}{path}", headers=headers, json=body)
        if path == "/supervise":
            assert response.status_code == 403 and response.json()["rule"] == "access:hazard.supervise"
            continue
        assert response.status_code == status, (path, response.text)
        key = "field" if status == 422 else "rule"
        assert response.json()[key] == expected, response.text
    assert stored_count(ledger) == before
    assert client.get(API + f"/hazards/{hazard}", headers=bureau).json()["version"] == 1


def test_state_as_of_a_past_moment(client, auth, hazard):
    from datetime import datetime, timezone

    before_assignment = datetime.now(timezone.utc).isoformat()
    time.sleep(0.01)
    client.post(API + f"/hazards/{hazard}/assign", headers=auth("bureau"),
                json={"responsible_person": "王五", "deadline": "2026-07-01"})
    then = client.get(API + f"/hazards/{hazard}", params={"as_of": before_assignment},
                      headers=auth("auditor")).json()
    assert then["status"] == "reported" and then["version"] == 1
    assert client.get(API + f"/hazards/{hazard}", headers=auth("auditor")).json()["status"] == "assigned"
    before_it_existed = client.get(API + f"/hazards/{hazard}", params={"as_of": "2020-01-01"},
                                   headers=auth("auditor"))
    assert before_it_existed.status_code == 404
    garbled = client.get(API + f"/hazards/{hazard}", params={"as_of": "yesterday"}, headers=auth("auditor"))
    assert garbled.status_code == 422 and garbled.json()["field"] == "as_of"


def test_twenty_concurrent_http_writers_get_409_and_retry_losing_nothing(live_url, auth, ledger):
    bureau = auth("bureau")
    agency = httpx.post(live_url + API + "/agencies", headers=bureau,
                        json={"credit_code": credit_code(), "name": "并发咨询"}).json()["id"]
    gate, conflicts, answers = threading.Barrier(20), [], []

    def writer(n: int) -> None:
        with httpx.Client(base_url=live_url + API, headers=bureau, timeout=30) as http:
            gate.wait()
            while True:
                r = http.post(f"/agencies/{agency}/experts", json={"name": f"专家{n}", "certificate_no": f"N{n}"})
                if r.status_code == 409:
                    assert r.json()["retry"] is True and r.json()["rule"] == "optimistic-concurrency"
                    conflicts.append(n)
                    continue
                assert r.status_code == 201, r.text
                answers.append(r.json()["position"])
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    state = httpx.get(live_url + API + f"/agencies/{agency}", headers=bureau).json()
    assert sorted(e["certificate_no"] for e in state["experts"].values()) == sorted(f"N{n}" for n in range(20))
    assert state["version"] == 21 and len(set(answers)) == 20
    assert stored_count(ledger) == 21


def test_a_write_loads_its_hazard_once_to_authorise_and_decide(client, auth, ledger, hazard, monkeypatch):
    """The copy the access check looked at is the copy the command decides on (issue 11 §4)."""
    loads = []
    original = ledger._get
    monkeypatch.setattr(ledger, "_get", lambda key, cls: loads.append(str(key)) or original(key, cls))
    answer = client.post(f"{API}/hazards/{hazard}/assign", headers=auth("bureau"),
                         json={"responsible_person": "王五", "deadline": "2026-12-31"})
    assert answer.status_code == 200, answer.text
    assert loads.count(hazard) == 1
