"""An API that documents itself (issue 17 §6): the OpenAPI document publishes every closed vocabulary
as an enum with its Chinese labels, summaries and descriptions are Chinese, a clerk's Chinese labels
are accepted as input, every invalid field of a body is reported at once (in Chinese, nothing stored)
and unknown query parameters are refused by name."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from domain.accident import AccidentCategory, FindingKind
from domain.electricity import AlarmKind
from domain.hazard import Category
from domain.inspection_checklist import Result
from domain.insurance import PreventionKind
from domain.privacy import PersonKind
from domain.reminders import KINDS
from domain.supervision_notice import ListingState
from projections.labels import GRADE, REFERRAL_STATE
from domain.values import EnforcementKind, InspectionKind, Level, Scale, ServiceType, Source, SupervisionLevel
from services.api.vocabularies import VOCABULARIES
from tests.conftest import credit_code

CJK = re.compile(r"[\u4e00-\u9fff]")
DOMAIN: dict[str, type[StrEnum]] = {
    "scale": Scale, "source": Source, "category": Category, "level": Level,
    "supervision_level": SupervisionLevel, "enforcement_kind": EnforcementKind, "service": ServiceType,
    "inspection_kind": InspectionKind, "accident_category": AccidentCategory, "finding_kind": FindingKind,
    "check_result": Result, "listing_state": ListingState, "alarm_kind": AlarmKind,
    "prevention_kind": PreventionKind,
    "person_kind": PersonKind,
}
CODES = {"grade": {"general", "major", "supervised"}, "referral_state": {"open", "overdue", "answered"},
         "reminder_kind": set(KINDS), "need_status": {"open", "accepted", "withdrawn"},
         "assessment_kind": {"township", "regulator", "enterprise"},
         "award_kind": {"township", "regulator", "enterprise", "agency"}}  # vocabularies of the read models and the reminders
# body schema → field → vocabulary, as a client reads them in the OpenAPI document
PUBLISHED = {
    ("NewEnterprise", "scale"): "scale", ("NewHazard", "source"): "source",
    ("NewHazard", "category"): "category", ("NewHazard", "level"): "level",
    ("Supervision", "level"): "supervision_level", ("ListingNotice", "level"): "supervision_level",
    ("Enforcement", "kind"): "enforcement_kind", ("NewContract", "service"): "service",
    ("NewInspection", "kind"): "inspection_kind", ("NewAccident", "category"): "accident_category",
    ("Finding", "kind"): "finding_kind", ("ChecklistResult", "result"): "check_result",
    ("Regrading", "level"): "level", ("NewAlarm", "kind"): "alarm_kind",
    ("PreventionService", "kind"): "prevention_kind",
}


@pytest.fixture
def openapi(client) -> dict:
    return client.get("/openapi.json").json()


def test_each_vocabulary_is_the_domains_with_a_label_for_every_code():
    assert set(VOCABULARIES) == set(DOMAIN) | set(CODES)
    assert set(GRADE) == CODES["grade"] and set(REFERRAL_STATE) == CODES["referral_state"]
    for name, (_, table) in VOCABULARIES.items():
        expected = CODES[name] if name in CODES else {v.value for v in DOMAIN[name]}
        assert {k for k in table if k is not None} == expected, name
        assert all(CJK.search(label) for label in table.values()), name


def test_the_openapi_document_publishes_each_vocabulary_as_an_enum_with_its_labels(openapi):
    schemas = openapi["components"]["schemas"]
    for (schema, field), name in PUBLISHED.items():
        published = schemas[schema]["properties"][field]
        table = VOCABULARIES[name][1]
        assert published["enum"] == list(table), (schema, field)
        assert published["x-enum-labels"] == dict(table), (schema, field)
        assert all(f"`{code}` = {label}" in published["description"] for code, label in table.items())
    services = schemas["NewAgreement"]["properties"]["services"]["anyOf"][0]["items"]
    assert services["enum"] == list(VOCABULARIES["service"][1])


QUERIES = {  # operation → query parameter → vocabulary
    "ledger.read": {"source": "source", "category": "category", "supervision_level": "supervision_level",
                    "level": "grade"},
    "supervision.list": {"state": "listing_state"}, "referral.list": {"state": "referral_state"},
    "reminder.list": {"kind": "reminder_kind"},
}


def test_the_lists_filters_publish_their_vocabularies(openapi):
    operations = {op["operationId"]: op for ops in openapi["paths"].values() for op in ops.values()}
    for operation, parameters in QUERIES.items():
        published = {p["name"]: p["schema"] for p in operations[operation]["parameters"]}
        for parameter, name in parameters.items():
            schema = published[parameter]
            schema = next(s for s in schema.get("anyOf", [schema]) if "enum" in s)
            assert schema["x-enum-labels"] == dict(VOCABULARIES[name][1]), (operation, parameter)


def test_a_filter_takes_the_chinese_label_too(client, auth):
    bureau = auth("bureau")
    answer = client.get("/api/v1/supervision/listings", params={"state": "已签收"}, headers=bureau)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "signed"
    wrong = client.get("/api/v1/supervision/listings", params={"state": "已签"}, headers=bureau)
    assert wrong.status_code == 422 and wrong.json()["field"] == "state"
    assert "signed（已签收）" in wrong.json()["message"]


def test_every_summary_and_description_is_chinese(openapi):
    english = []
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            for key in ("summary", "description"):
                if key in op and not CJK.search(op[key]):
                    english.append(f"{method.upper()} {path} {key}: {op[key]!r}")
            if "summary" not in op:
                english.append(f"{method.upper()} {path}: no summary")
            for p in op.get("parameters", []):
                if "description" in p and not CJK.search(p["description"]):
                    english.append(f"{method.upper()} {path} ?{p['name']}: {p['description']!r}")
    for name, schema in openapi["components"]["schemas"].items():  # the bodies' own descriptions
        for where, described in [(name, schema), *((f"{name}.{f}", p) for f, p in schema.get("properties", {}).items())]:
            if "description" in described and not CJK.search(described["description"]):
                english.append(f"schema {where}: {described['description']!r}")
    assert english == []


def test_a_clerks_chinese_labels_are_accepted_and_stored_as_codes(client, auth):
    bureau = auth("bureau")
    answer = client.post("/api/v1/enterprises", headers=bureau, json={
        "credit_code": credit_code(), "name": "标签输入测试厂", "township": "330226001", "sector": "chem",
        "scale": " 小微 "})
    assert answer.status_code == 201, answer.text
    enterprise = answer.json()["id"]
    assert client.get(f"/api/v1/enterprises/{enterprise}", headers=bureau).json()["scale"] == "small_micro"
    hazard = client.post("/api/v1/hazards", headers=bureau, json={
        "enterprise_id": enterprise, "source": "群众举报", "category": "物的不安全状态",
        "description": "配电箱未接地", "level": "重大"})
    assert hazard.status_code == 201, hazard.text
    stored = client.get(f"/api/v1/hazards/{hazard.json()['id']}", headers=bureau).json()
    assert (stored["source"], stored["category"], stored["level"]) == ("public_tip", "unsafe_condition", "major")
    enforced = client.post(f"/api/v1/hazards/{hazard.json()['id']}/enforce", headers=auth("regulator", sector="chem"),
                           json={"kind": "责令限期整改", "document_no": "宁应急责改〔2026〕1号"})
    assert enforced.status_code in (200, 201), enforced.text


def test_every_invalid_field_of_a_body_is_reported_at_once_and_nothing_is_stored(client, auth, ledger):
    bureau = auth("bureau")
    before = ledger.recorder.max_notification_id()
    answer = client.post("/api/v1/hazards", headers=bureau, json={
        "enterprise_id": "x", "source": "路人", "category": "不知道", "level": "特大", "discovered_on": "昨天",
        "colour": "红"})
    assert answer.status_code == 422
    body = answer.json()
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"source", "category", "level", "description", "discovered_on", "colour"}
    assert all(CJK.search(e["message"]) for e in body["errors"]), body["errors"]
    assert "另有 5 处错误" in body["message"]
    level = next(e for e in body["errors"] if e["field"] == "level")["message"]
    assert "general（一般隐患）" in level and "major（重大隐患）" in level
    assert ledger.recorder.max_notification_id() == before


def test_unknown_query_parameters_are_refused_by_name(client, auth):
    bureau = auth("bureau")
    answer = client.get("/api/v1/townships?satus=closed&page=2", headers=bureau)
    assert answer.status_code == 422
    body = answer.json()
    assert [e["field"] for e in body["errors"]] == ["satus", "page"]
    assert body["field"] == "satus" and "未知的查询参数" in body["message"]
    assert client.get("/api/v1/townships", headers=bureau).status_code == 200


def test_declared_query_parameters_and_pages_query_strings_pass(client, auth):
    bureau = auth("bureau")
    assert client.get("/api/v1/criteria?sector=chem", headers=bureau).status_code == 200
    assert client.get("/ledger?status=reported&anything=1").status_code == 200  # a page, not the API


def test_the_ledgers_status_filter_takes_labels_too(api, auth):
    bureau = auth("bureau")
    by_label = api.get("/api/v1/ledger", params={"status": "整改中,待复查"}, headers=bureau)
    by_code = api.get("/api/v1/ledger", params={"status": "assigned,rectified"}, headers=bureau)
    assert by_label.status_code == 200 and by_label.json() == by_code.json()
    wrong = api.get("/api/v1/ledger", params={"status": "整改"}, headers=bureau)
    assert wrong.status_code == 422 and wrong.json()["field"] == "status"
