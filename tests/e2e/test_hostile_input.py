"""Hostile input: each a clear error naming the problem, and nothing stored (issue 3 §5, §6)."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import credit_code, stored_count

API = "/api/v1"


def _enterprise(**overrides):
    body = {"credit_code": credit_code(), "name": "某企业", "township": "330226001", "sector": "trade",
            "scale": "small_micro"}
    body.update(overrides)
    return body


def test_an_oversized_body_is_413_and_stores_nothing(client, auth, ledger):
    before = stored_count(ledger)
    response = client.post(API + "/enterprises", headers=auth("bureau"),
                           json=_enterprise(address="厂" * 200_000))
    assert response.status_code == 413 and response.json()["field"] == "body"
    assert stored_count(ledger) == before


def test_a_body_streamed_without_a_length_is_also_bounded(client, auth):
    def chunks():
        for _ in range(100):
            yield b"x" * 10_000

    response = client.post(API + "/enterprises", headers={**auth("bureau"), "content-type": "application/json"},
                           content=chunks())
    assert response.status_code == 413


@pytest.mark.parametrize("overrides, field", [
    ({"name": "名" * 201}, "name"),
    ({"address": "地址\x00注入"}, "address"),
    ({"name": "\x1b[31m红色\x1b[0m"}, "name"),
    ({"scale": "giant"}, "scale"),
    ({"sector": "CHEM"}, "sector"),
    ({"annual_output": "1e400"}, "annual_output"),
    ({"annual_output": -5}, "annual_output"),
    ({"risk_flags": ["radioactive"]}, "risk_flags"),
    ({"township": "33022600１"}, "township"),
])
def test_bad_registration_fields_are_named(client, auth, ledger, overrides, field):
    before = stored_count(ledger)
    response = client.post(API + "/enterprises", headers=auth("bureau"), json=_enterprise(**overrides))
    assert response.status_code == 422, response.text
    assert response.json()["field"].split(".")[0] == field
    assert stored_count(ledger) == before


@pytest.mark.parametrize("discovered_on", ["1899-12-31", "9999-12-31", "2026-02-30", "tomorrow"])
def test_dates_far_out_of_range_or_impossible_are_422(client, auth, ledger, discovered_on):
    enterprise = client.post(API + "/enterprises", headers=auth("bureau"), json=_enterprise()).json()["id"]
    before = stored_count(ledger)
    response = client.post(API + "/hazards", headers=auth("bureau"), json={
        "enterprise_id": enterprise, "source": "public_tip", "category": "unsafe_condition",
        "description": "x", "level": "general", "discovered_on": discovered_on})
    assert response.status_code == 422 and response.json()["field"] == "discovered_on"
    assert stored_count(ledger) == before


def test_a_credit_code_registered_twice_is_409_and_stored_once(client, auth, ledger):
    body = _enterprise()
    assert client.post(API + "/enterprises", headers=auth("bureau"), json=body).status_code == 201
    before = stored_count(ledger)
    again = client.post(API + "/enterprises", headers=auth("bureau"), json={**body, "name": "换个名字"})
    assert again.status_code == 409 and again.json()["rule"] == "credit-code-unique"
    assert stored_count(ledger) == before


def test_malformed_json_is_422(client, auth):
    response = client.post(API + "/enterprises", headers={**auth("bureau"), "content-type": "application/json"},
                           content=b'{"credit_code": ')
    assert response.status_code == 422


def test_responsible_persons_names_and_phones_are_not_logged(client, auth, caplog):
    enterprise = client.post(API + "/enterprises", headers=auth("bureau"), json=_enterprise()).json()["id"]
    hazard = client.post(API + "/hazards", headers=auth("bureau"), json={
        "enterprise_id": enterprise, "source": "public_tip", "category": "unsafe_condition",
        "description": "x", "level": "general", "discovered_on": "2026-06-01"}).json()["id"]
    with caplog.at_level(logging.DEBUG):
        ok = client.post(API + f"/hazards/{hazard}/assign", headers=auth("bureau"), json={
            "responsible_person": "欧阳娜娜", "responsible_phone": "13912345678", "deadline": "2026-07-01"})
        bad = client.post(API + f"/hazards/{hazard}/assign", headers=auth("bureau"), json={
            "responsible_person": "欧阳娜娜", "responsible_phone": "139-bad-phone", "deadline": "2026-07-01"})
        client.post(API + f"/hazards/{hazard}/assign", headers={"Authorization": "Bearer forged"},
                    json={"responsible_person": "欧阳娜娜", "deadline": "2026-07-01"})
    assert ok.status_code == 200 and bad.status_code == 422 and bad.json()["field"] == "responsible_phone"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged, "expected the refused token to be logged"
    assert "欧阳娜娜" not in logged and "13912345678" not in logged
    assert "欧阳娜娜" not in bad.text
