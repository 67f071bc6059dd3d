"""An inspection's checklist over HTTP, on the real store: an agency judges every item of a
template, a failed item becomes a hazard, the report cannot be filed until it does; each bad
request a 4xx naming what is wrong, with nothing stored."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from domain.actor import Role
from infra.citations import CitationIndex
from tests.conftest import actor, credit_code, stored_count

DAY = date(2026, 6, 1)


@pytest.fixture
def site(ledger):
    """A 工贸 (trade) enterprise served by agency A under a countersigned contract; inspection I
    performed on 1 June by A's expert; inspection S only scheduled."""
    bureau = actor(Role.BUREAU)
    e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="纺织厂", township="330226001",
                                   sector="trade", scale="small_micro").id
    a = ledger.register_agency(bureau, credit_code=credit_code(), name="安评公司").id
    expert = ledger.add_expert(bureau, a, name="陈工", certificate_no="Z-1").id
    c = ledger.propose_contract(bureau, enterprise_id=e, agency_id=a, service="monthly",
                                start=date(2026, 1, 1), end=date(2026, 12, 31), fee=3600).id
    ledger.countersign_contract(actor(Role.AGENCY), c)
    i = ledger.schedule_inspection(bureau, enterprise_id=e, agency_id=a, kind="monthly", basis_id=c,
                                   scheduled_for=DAY).id
    ledger.perform_inspection(actor(Role.AGENCY), i, expert_ids=[expert], performed_on=DAY)
    s = ledger.schedule_inspection(bureau, enterprise_id=e, agency_id=a, kind="monthly", basis_id=c,
                                   scheduled_for=date(2026, 6, 20)).id
    return {"E": e, "A": a, "I": i, "S": s}


@pytest.fixture
def as_agency(auth, site):
    return auth("agency", agency_id=site["A"])


def _photo(client, headers) -> str:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "PNG")
    answer = client.post("/api/v1/files", files={"file": ("p.png", out.getvalue(), "image/png")},
                         headers=headers)
    assert answer.status_code == 201, answer.text
    return "sha256:" + answer.json()["sha256"]


def _textile(first: dict | None = None, second: dict | None = None) -> dict:
    return {"template_id": "gm10-textile", "results": [
        {"item_id": "gm10-textile-01", "result": "passed", **(first or {})},
        {"item_id": "gm10-textile-02", "result": "passed", **(second or {})}]}


def _inspection_hazard(client, headers, site) -> str:
    answer = client.post("/api/v1/hazards", headers=headers, json={
        "enterprise_id": site["E"], "inspection_id": site["I"], "source": "inspection",
        "category": "unsafe_condition", "description": "纱库未设防火分隔", "level": "general",
        "discovered_on": DAY.isoformat()})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_a_failed_item_must_become_a_hazard_before_the_report_is_filed(client, as_agency, site, ledger):
    photo = _photo(client, as_agency)
    insp = f"/api/v1/inspections/{site['I']}"
    recorded = client.post(f"{insp}/checklist", headers=as_agency, json=_textile(
        {"result": "failed", "note": "纱库与车间未分隔", "evidence": [photo]}))
    assert recorded.status_code == 200, recorded.text

    state = client.get(insp, headers=as_agency).json()
    items = state["checklists"]["gm10-textile"]["items"]
    assert [(i["item_id"], i["result"], i["criterion"]) for i in items] == [
        ("gm10-textile-01", "failed", "gm10-9-1"), ("gm10-textile-02", "passed", "gm10-9-2")]
    assert items[0]["evidence"] == [photo] and items[0]["note"] == "纱库与车间未分隔"
    citing = CitationIndex(ledger.recorder.datastore).records_citing(photo.removeprefix("sha256:"))
    assert [(kind, record) for kind, record, _ in citing] == [("inspection", site["I"])]
    assert state["checklist_summary"] == {
        "templates": 1, "items": 2, "passed": 1, "failed": 1, "not_applicable": 0,
        "failed_without_hazard": ["gm10-textile-01"], "hazard_ids": []}

    before = stored_count(ledger)
    refused = client.post(f"{insp}/file-report", headers=as_agency, json={"document_no": "排查报告 6 号"})
    assert refused.status_code == 409
    assert refused.json()["rule"] == "failed-item-needs-hazard"
    assert "gm10-textile-01" in refused.json()["message"]
    assert stored_count(ledger) == before

    hazard = _inspection_hazard(client, as_agency, site)
    linked = client.post(f"{insp}/checklist/link", headers=as_agency,
                         json={"item_id": "gm10-textile-01", "hazard_id": hazard})
    assert linked.status_code == 200, linked.text
    summary = client.get(insp, headers=as_agency).json()["checklist_summary"]
    assert (summary["failed_without_hazard"], summary["hazard_ids"]) == ([], [hazard])

    filed = client.post(f"{insp}/file-report", headers=as_agency, json={"document_no": "排查报告 6 号"})
    assert filed.status_code == 200, filed.text
    history = [e["type"] for e in client.get(f"{insp}/history", headers=as_agency).json()]
    assert history[-3:] == ["Inspection.ChecklistRecorded", "Inspection.ChecklistItemLinked",
                            "Inspection.ReportFiled"]


def test_a_failed_item_names_its_hazard_in_the_results_and_templates_add_up(client, as_agency, site):
    hazard = _inspection_hazard(client, as_agency, site)
    insp = f"/api/v1/inspections/{site['I']}"
    assert client.post(f"{insp}/checklist", headers=as_agency, json=_textile(
        second={"result": "failed", "hazard_id": hazard})).status_code == 200
    ferrous = {"template_id": "gm10-ferrous", "results": [
        {"item_id": f"gm10-ferrous-{n:02d}", "result": "not_applicable"} for n in range(1, 10)]}
    assert client.post(f"{insp}/checklist", headers=as_agency, json=ferrous).status_code == 200
    summary = client.get(insp, headers=as_agency).json()["checklist_summary"]
    assert summary == {"templates": 2, "items": 11, "passed": 1, "failed": 1, "not_applicable": 9,
                       "failed_without_hazard": [], "hazard_ids": [hazard]}
    # recorded again before the report: the template's results are replaced
    assert client.post(f"{insp}/checklist", headers=as_agency, json=_textile()).status_code == 200
    summary = client.get(insp, headers=as_agency).json()["checklist_summary"]
    assert (summary["items"], summary["failed"], summary["hazard_ids"]) == (11, 0, [])
    assert client.post(f"{insp}/file-report", headers=as_agency,
                       json={"document_no": "报告"}).status_code == 200


BAD_BODIES = [  # (what is wrong, body, the field the 422 names, words the message holds)
    ("unknown template", {"template_id": "gm10-steel", "results": [{"item_id": "x", "result": "passed"}]},
     "template_id", "gm10-steel"),
    ("another sector's template", {"template_id": "chem121", "results": [
        {"item_id": f"chem121-{n:02d}", "result": "passed"} for n in range(1, 21)]},
     "template_id", "chem121"),
    ("an item not in the template", {"template_id": "gm10-textile", "results": [
        {"item_id": "gm10-textile-01", "result": "passed"}, {"item_id": "gm10-textile-03", "result": "passed"}]},
     "results.1.item_id", "gm10-textile-03"),
    ("an item missing", {"template_id": "gm10-textile", "results": [
        {"item_id": "gm10-textile-01", "result": "passed"}]}, "results", "gm10-textile-02"),
    ("an item twice", {"template_id": "gm10-textile", "results": [
        {"item_id": "gm10-textile-01", "result": "passed"}, {"item_id": "gm10-textile-01", "result": "failed"}]},
     "results.1.item_id", "gm10-textile-01"),
    ("an unknown result", _textile({"result": "ok"}), "results.0.result", "ok"),
    ("a hazard on a passed item", _textile({"hazard_id": "00000000-0000-0000-0000-000000000001"}),
     "results.0.hazard_id", "failed"),
    ("a hazard that does not exist", _textile({"result": "failed", "hazard_id": "00000000-0000-0000-0000-000000000001"}),
     "results.0.hazard_id", "00000000-0000-0000-0000-000000000001"),
    ("evidence that is not a file hash", _textile({"evidence": ["photo.jpg"]}), "results.0.evidence.0", "photo.jpg"),
    ("a file never uploaded", _textile({"evidence": ["sha256:" + "ab" * 32]}), "results.0.evidence.0", "ab" * 32),
    ("a metallurgy-only item judged at a trade enterprise", {"template_id": "gm10-ferrous", "results": [
        {"item_id": f"gm10-ferrous-{n:02d}", "result": "failed" if n == 1 else "not_applicable"}
        for n in range(1, 10)]}, "results.0.result", "metallurgy"),
]


@pytest.mark.parametrize("what, body, field, words", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_results_are_422_naming_the_field_and_nothing_is_stored(client, as_agency, site, ledger,
                                                                   what, body, field, words):
    before = stored_count(ledger)
    answer = client.post(f"/api/v1/inspections/{site['I']}/checklist", headers=as_agency, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert words in answer.json()["message"]
    assert stored_count(ledger) == before


def test_refusals_about_the_inspection_the_inspector_and_the_hazard(client, auth, as_agency, site, ledger):
    before = stored_count(ledger)
    scheduled = client.post(f"/api/v1/inspections/{site['S']}/checklist", headers=as_agency, json=_textile())
    assert (scheduled.status_code, scheduled.json()["rule"]) == (409, "checklist-requires-performed")

    by_enterprise = client.post(f"/api/v1/inspections/{site['I']}/checklist", json=_textile(),
                                headers=auth("enterprise", enterprise_id=site["E"]))
    assert (by_enterprise.status_code, by_enterprise.json()["rule"]) == (403, "checklist-by-inspector")
    assert stored_count(ledger) == before

    other = client.post("/api/v1/hazards", headers=as_agency, json={  # not from this inspection
        "enterprise_id": site["E"], "source": "self_check", "category": "unsafe_act",
        "description": "未戴防护口罩", "level": "general", "discovered_on": DAY.isoformat()}).json()["id"]
    before = stored_count(ledger)
    foreign = client.post(f"/api/v1/inspections/{site['I']}/checklist", headers=as_agency,
                          json=_textile({"result": "failed", "hazard_id": other}))
    assert (foreign.status_code, foreign.json()["rule"]) == (409, "checklist-hazard-of-inspection")
    assert other in foreign.json()["message"]
    assert stored_count(ledger) == before

    assert client.post(f"/api/v1/inspections/{site['I']}/checklist", headers=as_agency,
                       json=_textile({"result": "failed"})).status_code == 200
    before = stored_count(ledger)
    for body, code, key, value in [
            ({"item_id": "gm10-textile-02", "hazard_id": other}, 422, "field", "item_id"),  # passed
            ({"item_id": "gm10-dust-01", "hazard_id": other}, 422, "field", "item_id"),  # not recorded
            ({"item_id": "gm10-textile-01", "hazard_id": other}, 409, "rule", "checklist-hazard-of-inspection"),
            ({"item_id": "gm10-textile-01", "hazard_id": "nope"}, 422, "field", "hazard_id")]:
        answer = client.post(f"/api/v1/inspections/{site['I']}/checklist/link", headers=as_agency, json=body)
        assert (answer.status_code, answer.json()[key]) == (code, value), (body, answer.text)
    assert stored_count(ledger) == before
