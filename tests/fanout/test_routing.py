"""Subjects and bodies: every kind of event goes to hz.<township>.<sector>.<aggregate>.<event>."""

from __future__ import annotations

from datetime import date

from domain.actor import Role
from infra.relay import running_relay
from infra.subjects import event_subject, filter_subject, token
from tests.conftest import actor, credit_code
from tests.fanout.conftest import BUREAU, collect, enterprise

AGENCY = actor(Role.AGENCY)


def _county_year(ledger) -> dict[str, tuple[str, str, str]]:
    """One of everything; answers aggregate id → (township token, sector token, aggregate token)."""
    ent = enterprise(ledger, "330226011", "chem")
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="宁海安评咨询").id
    expert = ledger.add_expert(AGENCY, agency, name="李工", certificate_no="ZJ-001").id
    agreement = ledger.sign_agreement(BUREAU, agency_id=agency, townships=["330226011"],
                                      sectors=["chem"], start=date(2026, 1, 1), end=date(2026, 12, 31),
                                      prices={"comprehensive": "200"}, budget="440000").id
    contract = ledger.propose_contract(BUREAU, enterprise_id=ent, agency_id=agency, service="monthly",
                                       start=date(2026, 1, 1), end=date(2026, 6, 30), fee="3600").id
    ledger.countersign_contract(AGENCY, contract)
    ledger.renew_contract(BUREAU, contract, end=date(2026, 12, 31), fee="3600")
    ledger.countersign_contract(AGENCY, contract)
    inspection = ledger.schedule_inspection(AGENCY, enterprise_id=ent, agency_id=agency, kind="monthly",
                                            basis_id=contract, scheduled_for=date(2026, 6, 10)).id
    ledger.perform_inspection(AGENCY, inspection, expert_ids=[expert], performed_on=date(2026, 6, 10))
    hazard = ledger.report_hazard(AGENCY, enterprise_id=ent, inspection_id=inspection, source="inspection",
                                  category="unsafe_condition", description="储罐区可燃气体报警器失效",
                                  level="major").id
    ledger.assign_responsibility(BUREAU, hazard, responsible_person="王五", deadline=date(2026, 7, 20))
    ledger.record_enforcement(actor(Role.REGULATOR), hazard, kind="order_rectification",
                              document_no="宁应急责改〔2026〕12号")
    accident = ledger.record_accident(BUREAU, enterprise_id=ent, occurred_on=date(2026, 6, 20),
                                      category="fire", deaths=0, injuries=1, description="仓库起火").id
    here = ("330226011", "chem")
    return {ent: (*here, "enterprise"), agency: ("_", "_", "agency"),
            agreement: ("_", "_", "agreement"), contract: (*here, "contract"),
            inspection: (*here, "inspection"), hazard: (*here, "hazard"), accident: (*here, "accident")}


def test_every_event_goes_to_its_township_sector_aggregate_and_event(ledger, log_reader, nats_url, channel):
    places = _county_year(ledger)
    last = ledger.recorder.max_notification_id()
    with running_relay(log_reader, nats_url, **channel.options) as relay:
        assert relay.wait_for(last, timeout=10)
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", last)
    assert [r.msg_id for r in received] == list(range(1, last + 1))
    for r in received:
        township, sector, aggregate = places[r.body["aggregate_id"]]
        event = r.body["type"].rsplit(".", 1)[1].lower()
        assert r.subject == f"{channel.prefix}.{township}.{sector}.{aggregate}.{event}", r.body["type"]
        assert r.body["township"] == (None if township == "_" else township)
    subjects = {r.subject.split(".", 1)[1] for r in received}
    assert {"330226011.chem.hazard.reported", "330226011.chem.hazard.responsibilityassigned",
            "330226011.chem.hazard.enforcementrecorded", "330226011.chem.contract.renewed",
            "_._.agency.expertjoined", "_._.agreement.signed", "330226011.chem.accident.recorded",
            "330226011.chem.inspection.performed"} <= subjects


def test_the_body_carries_type_position_aggregate_time_actor_place_and_data(ledger, log_reader, nats_url, channel):
    ent = enterprise(ledger, "330226005", "construction")
    written = ledger.register_agency(BUREAU, credit_code=credit_code(), name="某咨询")
    with running_relay(log_reader, nats_url, **channel.options) as relay:
        assert relay.wait_for(written.position)
    first, second = collect(nats_url, channel.stream, f"{channel.prefix}.>", 2)
    assert first.body["type"] == "Enterprise.Registered" and first.body["aggregate_type"] == "Enterprise"
    assert (first.body["position"], first.body["aggregate_id"]) == (1, ent)
    assert first.body["aggregate_version"] == 1
    assert first.body["time"].endswith("+08:00")
    assert first.body["actor"] == BUREAU.record()
    assert (first.body["township"], first.body["sector"]) == ("330226005", "construction")
    assert first.body["data"]["scale"] == "small_micro"
    assert second.subject == f"{channel.prefix}._._.agency.registered"
    assert (second.body["township"], second.body["sector"]) == (None, None)


def test_after_a_restart_later_events_find_their_place_through_the_repository(ledger, log_reader, nats_url, channel):
    ent = enterprise(ledger, "330226007", "trade")
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="某咨询").id
    contract = ledger.propose_contract(BUREAU, enterprise_id=ent, agency_id=agency, service="monthly",
                                       start=date(2026, 1, 1), end=date(2026, 12, 31), fee="3600").id
    with running_relay(log_reader, nats_url, **channel.options) as relay:
        assert relay.wait_for(ledger.recorder.max_notification_id())
    # a new relay remembers nothing: the contract's later event is placed by loading it
    last = ledger.terminate_contract(BUREAU, contract, reason="企业搬迁", terminated_on=date(2026, 6, 1))
    with running_relay(log_reader, nats_url, **channel.options) as relay:
        assert relay.wait_for(last.position)
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", last.position)
    assert received[-1].subject == f"{channel.prefix}.330226007.trade.contract.terminated"
    assert [r.msg_id for r in received] == list(range(1, last.position + 1))


def test_subject_tokens_are_lower_case_ascii_and_filters_follow_the_spec():
    assert token("Chem") == "chem" and token(None) == "_" and token("") == "_"
    assert token("危化 a.b*>") == "___a_b__"
    assert event_subject("hz", None, None, "ProcurementAgreement", "Signed") == "hz._._.agreement.signed"
    assert event_subject("hz", "330226011", "chem", "Hazard", "JointReviewSigned") == \
        "hz.330226011.chem.hazard.jointreviewsigned"
    assert filter_subject("hz", township="330226101") == "hz.330226101.>"
    assert filter_subject("hz", township="330226101", sector="chem") == "hz.330226101.chem.>"
    assert filter_subject("hz", sector="chem") == "hz.*.chem.>"
    assert filter_subject("hz") == "hz.>"
