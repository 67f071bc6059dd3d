"""GET /api/v1/events/stream: server-sent events from the notification log, in the token's scope.

Once mode (`?once=1`, or a client that does not accept text/event-stream) sends the backlog up
to the head and ends, so most of these tests read whole answers; one follows a live stream
over real HTTP while a hazard is reported.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from infra.auth import token_id
from services.api.routes import events
from tests.conftest import actor, credit_code
from tests.e2e.dashboard_conftest import dashboard_app, parse_sse, served

STREAM = "/api/v1/events/stream"
BUREAU = actor(Role.BUREAU)


@pytest.fixture
def api(ledger, tokens):
    with TestClient(dashboard_app(ledger, tokens)) as client:
        yield client


@pytest.fixture
def county(ledger):
    """Enterprise chem (跃龙街道, chem) with a hazard found by agency A's inspection;
    enterprise site (桃源街道, construction) with a hazard found by a government check."""
    chem = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="甲化工", township="330226001",
                                      sector="chem", scale="small_micro").id
    site = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="乙工地", township="330226002",
                                      sector="construction", scale="small_micro").id
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="甲咨询").id
    expert = ledger.add_expert(BUREAU, agency, name="李工", certificate_no="Z-1").id
    contract = ledger.propose_contract(BUREAU, enterprise_id=chem, agency_id=agency, service="monthly",
                                       start=date(2026, 1, 1), end=date(2029, 12, 31), fee=3600).id
    ledger.countersign_contract(actor(Role.AGENCY), contract)
    inspection = ledger.schedule_inspection(BUREAU, enterprise_id=chem, agency_id=agency, kind="monthly",
                                            basis_id=contract, scheduled_for=date(2026, 6, 1)).id
    ledger.perform_inspection(actor(Role.AGENCY), inspection, expert_ids=[expert], performed_on=date(2026, 6, 1))
    chem_hazard = ledger.report_hazard(actor(Role.AGENCY), enterprise_id=chem, source="inspection",
                                       inspection_id=inspection, category="unsafe_condition",
                                       description="储罐报警器失效", level="general",
                                       discovered_on=date(2026, 6, 1)).id
    ledger.assign_responsibility(actor(Role.ENTERPRISE), chem_hazard, responsible_person="王五",
                                 deadline=date(2026, 7, 1), assigned_on=date(2026, 6, 2))
    site_hazard = ledger.report_hazard(BUREAU, enterprise_id=site, source="government_check",
                                       category="unsafe_act", description="未戴安全帽", level="general",
                                       discovered_on=date(2026, 6, 3)).id
    return dict(chem=chem, site=site, agency=agency, inspection=inspection, contract=contract,
                chem_hazard=chem_hazard, site_hazard=site_hazard)


def read(api, headers=None, **params) -> list[dict]:
    answer = api.get(STREAM, params={"once": 1, "after": 0, **params}, headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    return parse_sse(answer.text)


def aggregates(messages) -> set[str]:
    return {m["data"]["aggregate_id"] for m in messages if m["event"] == "message"}


def test_a_county_wide_token_gets_every_event_in_order_with_positions(api, auth, county, ledger):
    messages = read(api, auth("bureau"))
    assert messages[0]["event"] == "ready" and messages[-1]["event"] == "end"
    body = [m for m in messages if m["event"] == "message"]
    head = ledger.recorder.max_notification_id()
    assert [int(m["id"]) for m in body] == list(range(1, head + 1))
    assert [m["data"]["position"] for m in body] == [int(m["id"]) for m in body]
    first = body[0]["data"]
    assert first["type"] == "Enterprise.Registered" and first["label"] == "企业登记"
    assert first["township"] == "330226001" and first["sector"] == "chem"
    assert first["enterprise_id"] == county["chem"]
    assert first["actor"]["role"] == "bureau" and first["time"].endswith("+08:00")


@pytest.mark.parametrize("role, scope, sees, misses", [
    ("township", {"township": "330226001"}, ["chem", "chem_hazard", "inspection", "contract"], ["site", "site_hazard", "agency"]),
    ("regulator", {"sector": "construction"}, ["site", "site_hazard"], ["chem", "chem_hazard", "inspection", "agency"]),
    ("enterprise", {"enterprise_id": "site"}, ["site", "site_hazard"], ["chem", "chem_hazard"]),
    ("agency", {"agency_id": "agency"}, ["agency", "inspection", "contract", "chem_hazard"], ["chem", "site", "site_hazard"]),
])
def test_a_scoped_token_gets_only_the_events_of_its_scope(api, auth, county, role, scope, sees, misses):
    headers = auth(role, **{k: county.get(v, v) for k, v in scope.items()})
    got = aggregates(read(api, headers))
    assert {county[k] for k in sees} <= got
    assert not {county[k] for k in misses} & got


def test_events_out_of_scope_still_move_the_last_event_id(api, auth, county, ledger):
    messages = read(api, auth("regulator", sector="chem"))
    ids = [int(m["id"]) for m in messages if "id" in m]
    assert ids == sorted(ids) and ids[-1] == ledger.recorder.max_notification_id()


def test_an_event_that_cannot_be_decoded_is_left_out_and_the_stream_goes_on(api, auth, county, ledger,
                                                                         database_url, schema):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'UPDATE "{schema}".hazardledger_events SET topic = %s WHERE notification_id = 2',
                     ("domain.gone:Gone.Happened",))
    messages = read(api, auth("bureau"))
    head = ledger.recorder.max_notification_id()
    assert [int(m["id"]) for m in messages if m["event"] == "message"] == [1, *range(3, head + 1)]
    assert messages[-1] == {"event": "end", "data": {"position": head}}


def test_the_token_may_come_as_a_query_parameter_and_is_verified_like_the_header(api, auth, tokens, ledger, county):
    good = tokens.issue(role="township", township="330226002", name="桃源街道安监办")
    assert aggregates(read(api, token=good)) == aggregates(read(api, {"Authorization": f"Bearer {good}"}))
    assert county["site_hazard"] in aggregates(read(api, token=good))
    assert api.get(STREAM, params={"once": 1}).status_code == 401
    assert api.get(STREAM, params={"once": 1, "token": "not-a-token"}).status_code == 401
    assert api.get(STREAM, params={"once": 1, "token": good[:-3] + "AAA"}).status_code == 401
    api.app.state.revocations.revoke(token_id(good), "遗失")
    assert api.get(STREAM, params={"once": 1, "token": good}).status_code == 401


def test_a_stream_resumes_after_last_event_id_and_starts_at_the_head_by_default(api, auth, county, ledger):
    head = ledger.recorder.max_notification_id()
    resumed = read(api, {**auth("bureau"), "Last-Event-ID": str(head - 2)})
    assert [int(m["id"]) for m in resumed if m["event"] == "message"] == [head - 1, head]
    fresh = parse_sse(api.get(STREAM, params={"once": 1}, headers=auth("bureau")).text)
    assert [m["event"] for m in fresh] == ["ready", "end"]
    assert fresh[0]["data"] == {"position": head, "head": head}


def test_a_client_far_behind_is_moved_up_and_told_to_reload(api, auth, county, ledger, monkeypatch):
    monkeypatch.setattr(events, "BACKLOG", 3)
    messages = read(api, auth("bureau"))
    head = ledger.recorder.max_notification_id()
    assert messages[1]["event"] == "reset" and messages[1]["data"] == {"position": head - 3}
    assert [int(m["id"]) for m in messages if m["event"] == "message"] == [head - 2, head - 1, head]


def test_a_client_that_does_not_ask_for_an_event_stream_gets_the_backlog_and_the_end(api, auth, county):
    answer = api.get(STREAM, params={"after": 0}, headers={**auth("bureau"), "Accept": "application/json"})
    assert parse_sse(answer.text)[-1]["event"] == "end"


def test_the_request_guard_lets_a_stream_through(ledger, tokens, auth, county):
    with TestClient(dashboard_app(ledger, tokens)) as client:
        answer = client.get(STREAM, params={"once": 1, "after": 0}, headers=auth("bureau"))
    assert parse_sse(answer.text)[-1]["event"] == "end"


def test_a_live_stream_delivers_a_new_event_within_a_second(ledger, tokens, county, monkeypatch):
    """Over real HTTP, as a browser's EventSource reads it: open, report a hazard, see it arrive."""
    monkeypatch.setattr(events, "POLL_SECONDS", 0.1)
    township = tokens.issue(role="township", township="330226002", name="桃源街道安监办")
    received: list[dict] = []
    opened = threading.Event()

    def listen(url: str) -> None:
        with httpx.stream("GET", f"{url}{STREAM}", params={"token": township},
                          headers={"Accept": "text/event-stream"}, timeout=10) as response:
            buffer = ""
            for chunk in response.iter_text():
                buffer += chunk
                if "event: ready" in buffer:
                    opened.set()
                *complete, buffer = buffer.split("\n\n")
                received.extend(m for m in parse_sse("\n\n".join(complete)) if m["event"] == "message")
                if received:
                    return

    with served(dashboard_app(ledger, tokens)) as url:
        thread = threading.Thread(target=listen, args=(url,), daemon=True)
        thread.start()
        assert opened.wait(10), "the stream did not start"
        ledger.report_hazard(BUREAU, enterprise_id=county["chem"], source="public_tip", category="unsafe_act",
                             description="别处的隐患", level="general", discovered_on=date(2026, 6, 20))
        written = ledger.report_hazard(BUREAU, enterprise_id=county["site"], source="public_tip",
                                       category="unsafe_act", description="脚手架松动", level="major",
                                       discovered_on=date(2026, 6, 20))
        started = time.monotonic()
        thread.join(10)
        assert received, "no event arrived"
        assert time.monotonic() - started < 1.5
    event = received[0]
    assert int(event["id"]) == written.position  # the other township's hazard was not sent
    assert event["data"]["type"] == "Hazard.Reported" and event["data"]["aggregate_id"] == written.id
    assert event["data"]["data"]["description"] == "脚手架松动"


def test_a_live_stream_closes_after_its_lifetime_so_the_token_is_checked_again(ledger, tokens, monkeypatch):
    monkeypatch.setattr(events, "LIFETIME_SECONDS", 0.3)
    monkeypatch.setattr(events, "POLL_SECONDS", 0.05)
    with served(dashboard_app(ledger, tokens)) as url:
        started = time.monotonic()
        answer = httpx.get(f"{url}{STREAM}", params={"token": tokens.issue(role="bureau", name="局")},
                           headers={"Accept": "text/event-stream"}, timeout=10)
    assert answer.status_code == 200 and time.monotonic() - started < 5
    assert "retry: 3000" in answer.text and parse_sse(answer.text)[0]["event"] == "ready"


def test_a_stream_stops_when_its_client_goes_away(ledger, tokens, monkeypatch):
    monkeypatch.setattr(events, "POLL_SECONDS", 0.05)
    with served(dashboard_app(ledger, tokens)) as url:
        with httpx.stream("GET", f"{url}{STREAM}", params={"token": tokens.issue(role="bureau", name="局")},
                          headers={"Accept": "text/event-stream"}, timeout=10) as response:
            next(response.iter_text())
            assert events.Streams.open == 1
        deadline = time.monotonic() + 5
        while events.Streams.open and time.monotonic() < deadline:
            time.sleep(0.05)
        assert events.Streams.open == 0


# The token in `?token=` is kept out of the access log: tests/e2e/test_log_masking.py.
