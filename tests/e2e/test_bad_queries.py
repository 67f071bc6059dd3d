"""Bad query input on every read route is a 422 naming the parameter (issue 10 §6):
never a 500, a 503 from the database, a cut stream or a wait; and nothing is stored."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.conftest import credit_code, stored_count
from tests.e2e.dashboard_conftest import parse_sse

API = "/api/v1"


@pytest.fixture
def bureau(auth):
    return auth("bureau")


@pytest.fixture
def hazard(api, bureau) -> dict:
    """A hazard written over HTTP: its id and position."""
    firm = api.post(f"{API}/enterprises", headers=bureau, json={
        "credit_code": credit_code(), "name": "某五金厂", "township": "330226001", "sector": "trade",
        "scale": "small_micro"}).json()["id"]
    answer = api.post(f"{API}/hazards", headers=bureau, json={
        "enterprise_id": firm, "source": "public_tip", "category": "unsafe_condition",
        "description": "配电箱未接地", "level": "general", "discovered_on": "2026-05-01"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def get(api, path: str, headers: dict, **params):
    """GET `path` (which may carry a query of its own, e.g. `/statistics?period=2026`) with `params`."""
    path, _, query = path.partition("?")
    return api.get(f"{API}{path}", params={**dict(parse_qsl(query)), **params}, headers=headers)


def refused(answer, field: str) -> dict:
    assert answer.status_code == 422, (answer.status_code, answer.text)
    body = answer.json()
    assert body["error"] == "invalid_input" and body["field"] == field, body
    assert field in body["message"]
    return body


@pytest.mark.parametrize("period", ["0000", "9999", "9999Q4", "1989", "2100Q1", "0001-Q1"])
def test_a_period_outside_1990_to_2099_is_422(api, bureau, period):
    refused(api.get(f"{API}/statistics", params={"period": period}, headers=bureau), "period")


@pytest.mark.parametrize("path, param, value", [
    ("/ledger", "as_of", "0001-01-01"),
    ("/ledger", "as_of", "9999-12-31"),
    ("/ledger", "discovered_from", "1989-12-31"),
    ("/ledger", "closed_to", "2100-01-01"),
    ("/compliance", "deadline_to", "0001-01-01"),
    ("/rates", "rectified_from", "9999-12-31"),
    ("/rates", "year", "2100"),
    ("/rates", "year", "1989"),
    ("/ledger", "known_at", "0001-01-01T00:00:00"),
    ("/ledger", "known_at", "9999-12-31"),
    ("/statistics?period=2026", "known_at", "0001-01-01"),
    ("/coverage", "year", "9999"),
    ("/subsidies", "year", "0"),
    ("/trace/enterprises/x", "until", "9999-12-31"),
])
def test_dates_and_years_outside_1990_to_2099_are_422(api, bureau, path, param, value):
    refused(get(api, path, bureau, **{param: value}), param)


@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59"])
def test_a_record_as_of_outside_1990_to_2099_is_422(api, bureau, hazard, value):
    refused(api.get(f"{API}/hazards/{hazard['id']}", params={"as_of": value}, headers=bureau), "as_of")


@pytest.mark.parametrize("path, param, value", [
    ("/ledger", "township", "\x00"),
    ("/ledger", "responsible_person", "张\x00三"),
    ("/ledger", "enterprise", "五金\x1b[31m"),
    ("/rates", "sector", "trade\x07"),
    ("/compliance", "category", "\x7f"),
    ("/statistics", "period", "2026\x00"),
    ("/coverage", "table", "\x00"),
    ("/hazards/x", "as_of", "2026-01-01\x00"),
    ("/ledger", "status", "reported\x0a"),
    ("/ledger", "agency_id", "\u0085"),
])
def test_control_characters_in_any_query_parameter_are_422(api, bureau, path, param, value):
    refused(get(api, path, bureau, **{param: value}), param)


def test_control_characters_in_the_query_of_a_write_store_nothing(api, bureau, ledger):
    before = stored_count(ledger)
    answer = api.post(f"{API}/enterprises", params={"note": "\x00"}, headers=bureau, json={
        "credit_code": credit_code(), "name": "某企业", "township": "330226001", "sector": "trade",
        "scale": "small_micro"})
    refused(answer, "note")
    assert stored_count(ledger) == before


def test_a_query_string_that_is_not_utf8_is_422(api, bureau):
    refused(api.get(f"{API}/ledger?township=%ff%fe", headers=bureau), "township")


@pytest.mark.parametrize("path, param, value", [
    ("/ledger", "page", "4611686018427387904"),
    ("/ledger", "page", "1000001"),
    ("/compliance", "page", "99999999999"),
    ("/statistics?period=2026", "page", "4611686018427387904"),
    ("/ledger", "page_size", "1001"),
    ("/coverage", "page", "4611686018427387904"),
])
def test_pages_beyond_any_possible_result_are_422(api, bureau, path, param, value):
    refused(get(api, path, bureau, **{param: value}), param)


@pytest.mark.parametrize("path", ["/ledger", "/rates", "/compliance", "/statistics?period=2026",
                                  "/coverage", "/subsidies"])
def test_after_beyond_the_head_is_422_naming_after_and_the_head(api, bureau, hazard, path):
    body = refused(get(api, path, bureau, after=hazard["position"] + 1_000), "after")
    assert f"{hazard['position']}" in body["message"]


def test_a_write_with_after_beyond_the_head_is_422_and_stores_nothing(api, auth, hazard, ledger):
    before = stored_count(ledger)
    answer = api.post(f"{API}/subsidies/claims", params={"after": hazard["position"] + 100},
                      headers=auth("agency", agency_id="a-1"), json={"agency_id": "a-1", "year": 2026})
    refused(answer, "after")
    assert stored_count(ledger) == before


@pytest.mark.parametrize("after", ["18446744073709551616", "-1", "1e3"])
def test_an_after_that_is_no_position_is_422(api, bureau, after):
    refused(api.get(f"{API}/ledger", params={"after": after}, headers=bureau), "after")


@pytest.mark.parametrize("path", ["/ledger", "/rates", "/compliance", "/statistics?period=2026",
                                  "/coverage", "/subsidies"])
def test_after_zero_on_a_fresh_store_answers_at_once(api, bureau, path):
    answer = get(api, path, bureau, after=0)
    assert answer.status_code == 200, answer.text


def test_after_the_head_answers_with_the_write_in_it(api, bureau, hazard):
    answer = api.get(f"{API}/ledger", params={"after": hazard["position"]}, headers=bureau)
    assert answer.status_code == 200 and answer.json()["total"] == 1


# --- the event stream -------------------------------------------------------------------------------
STREAM = f"{API}/events/stream"


@pytest.mark.parametrize("after", ["18446744073709551616", "9223372036854775808", "-1"])
def test_a_stream_position_out_of_range_is_422(api, bureau, after):
    refused(api.get(STREAM, params={"once": 1, "after": after}, headers=bureau), "after")


def test_a_stream_after_beyond_the_head_is_422_with_the_head(api, bureau, hazard):
    body = refused(api.get(STREAM, params={"once": 1, "after": hazard["position"] + 5}, headers=bureau),
                   "after")
    assert str(hazard["position"]) in body["message"]


@pytest.mark.parametrize("last_event_id", ["99999999999999999999", "18446744073709551616", "abc", "-3"])
def test_a_last_event_id_out_of_range_restarts_at_the_head_with_a_reset(api, bureau, hazard, last_event_id):
    """EventSource cannot change the header it resends; a refusal would end it for good, so
    the stream starts over at the head and says so (`reset`: reload the page's data)."""
    answer = api.get(STREAM, params={"once": 1}, headers={**bureau, "Last-Event-ID": last_event_id})
    assert answer.status_code == 200, answer.text
    messages = parse_sse(answer.text)
    assert [m["event"] for m in messages] == ["ready", "reset", "end"]
    assert messages[1]["data"]["position"] == hazard["position"]
    assert messages[-1]["data"]["position"] == hazard["position"]


def test_a_last_event_id_longer_than_any_position_is_422_naming_it(api, bureau):
    refused(api.get(STREAM, params={"once": 1}, headers={**bureau, "Last-Event-ID": "9" * 201}),
            "last-event-id")


def test_a_last_event_id_within_the_log_still_resumes_there(api, bureau, hazard):
    answer = api.get(STREAM, params={"once": 1}, headers={**bureau, "Last-Event-ID": "0"})
    ids = [int(m["id"]) for m in parse_sse(answer.text) if m["event"] == "message"]
    assert ids and ids[-1] == hazard["position"]
