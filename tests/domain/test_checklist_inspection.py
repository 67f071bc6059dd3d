"""An inspection's checklist (检查表): results against a template, failed items linked to the
hazards they became, and the report refused while one is not. Pure: templates built here."""

from __future__ import annotations

from datetime import date

import pytest

from domain.checklist import Checklist, ChecklistItem
from domain.criteria import Criterion, Regulation
from domain.hazard import Hazard
from domain.inspection import Inspection

from .conftest import (AGENCY, BUREAU, ENTERPRISE, REGULATOR, TODAY, agency, enterprise, hazard,
                       performed_inspection, refused, rejected, scheduled_inspection)

REG = Regulation("chem121", "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）", "安监总管三〔2017〕121号")
MAJOR = Criterion("chem121-1", REG, None, 1, ("chem",), "主要负责人未经考核合格", major=True)
TEMPLATE = Checklist("t-chem", "化工检查表", ("chem", "trade"), (
    ChecklistItem("t-01", "主要负责人未经考核合格。", ("chem", "trade"), MAJOR),
    ChecklistItem("t-02", "消防通道堵塞。", ("chem", "trade")),
    ChecklistItem("t-03", "纺织企业纱库未分隔。", ("trade",))))
TRADE_ONLY = Checklist("t-trade", "工贸检查表", ("trade",), (ChecklistItem("u-01", "…", ("trade",)),))
PHOTO = "sha256:" + "ab" * 32


def results(first: str = "passed", second: str = "passed", third: str = "not_applicable", **extra) -> list[dict]:
    return [{"item_id": "t-01", "result": first, **extra}, {"item_id": "t-02", "result": second},
            {"item_id": "t-03", "result": third}]


@pytest.fixture
def site():
    ent, ag = enterprise(), agency()
    return ent, ag, performed_inspection(ent, ag)


def found_by(insp: Inspection, ent) -> Hazard:
    return Hazard.report(enterprise=ent, inspection=insp, source="inspection", category="unsafe_condition",
                         description="主要负责人未经考核", level="major", discovered_on=date(2026, 5, 20),
                         today=TODAY, actor=AGENCY)


def test_results_are_stored_in_template_order_with_text_criterion_and_summary(site):
    ent, _, insp = site
    insp.record_checklist(template=TEMPLATE, results=list(reversed(results(
        "failed", note="证书过期", evidence=[PHOTO, PHOTO]))), hazards={}, actor=AGENCY)
    event = insp.pending_events[-1]
    assert type(event).__name__ == "ChecklistRecorded" and event.template_id == "t-chem"
    items = insp.checklists["t-chem"]["items"]
    assert [(i["item_id"], i["result"], i["criterion"], i["major"]) for i in items] == [
        ("t-01", "failed", "chem121-1", True), ("t-02", "passed", None, False),
        ("t-03", "not_applicable", None, False)]
    assert items[0]["evidence"] == [PHOTO] and items[0]["text"] == "主要负责人未经考核合格。"
    assert insp.checklist_summary == {"templates": 1, "items": 3, "passed": 1, "failed": 1,
                                      "not_applicable": 1, "failed_without_hazard": ["t-01"],
                                      "hazard_ids": []}


def test_the_report_waits_until_every_failed_item_is_a_hazard(site):
    ent, _, insp = site
    insp.record_checklist(template=TEMPLATE, results=results("failed", "failed"), hazards={}, actor=AGENCY)
    error = refused(insp, "failed-item-needs-hazard", insp.file_report, document_no="报告 1 号",
                    filed_on=TODAY, today=TODAY, actor=AGENCY)
    assert "t-01、t-02" in error.message
    first, second = found_by(insp, ent), found_by(insp, ent)
    insp.link_hazard(item_id="t-01", hazard=first, actor=AGENCY)
    refused(insp, "failed-item-needs-hazard", insp.file_report, document_no="报告 1 号",
            filed_on=TODAY, today=TODAY, actor=AGENCY)
    insp.link_hazard(item_id="t-02", hazard=second, actor=BUREAU)
    assert insp.checklist_summary["hazard_ids"] == [str(first.id), str(second.id)]
    insp.file_report(document_no="报告 1 号", filed_on=TODAY, today=TODAY, actor=AGENCY)
    refused(insp, "checklist-requires-performed", insp.link_hazard, item_id="t-01", hazard=first,
            actor=AGENCY)


def test_a_failed_item_may_name_its_hazard_in_the_results_and_a_link_may_be_corrected(site):
    ent, _, insp = site
    first, second = found_by(insp, ent), found_by(insp, ent)
    insp.record_checklist(template=TEMPLATE, results=results("failed", hazard_id=str(first.id)),
                          hazards={str(first.id): first}, actor=AGENCY)
    assert insp.checklist_summary["hazard_ids"] == [str(first.id)]
    insp.link_hazard(item_id="t-01", hazard=second, actor=AGENCY)
    assert insp.checklist_summary["hazard_ids"] == [str(second.id)]
    assert type(insp.pending_events[-1]).__name__ == "ChecklistItemLinked"


def test_only_a_performed_inspection_before_its_report_takes_a_checklist():
    ent, ag = enterprise(), agency()
    insp = scheduled_inspection(ent, ag)
    refused(insp, "checklist-requires-performed", insp.record_checklist, template=TEMPLATE,
            results=results(), hazards={}, actor=AGENCY)


def test_the_inspecting_side_records_the_checklist(site):
    ent, _, insp = site
    for who in (ENTERPRISE, REGULATOR):
        error = refused(insp, "checklist-by-inspector", insp.record_checklist, template=TEMPLATE,
                        results=results(), hazards={}, actor=who)
        assert error.about_who
    insp.record_checklist(template=TEMPLATE, results=results(), hazards={}, actor=BUREAU)  # a paper one
    own = scheduled_inspection(ent, None, kind="self", basis=None, actor=ENTERPRISE)
    own.perform(performed_on=date(2026, 5, 20), expert_ids=[], agency=None, today=TODAY, actor=ENTERPRISE)
    refused(own, "checklist-by-inspector", own.record_checklist, template=TEMPLATE, results=results(),
            hazards={}, actor=AGENCY)
    own.record_checklist(template=TEMPLATE, results=results(), hazards={}, actor=ENTERPRISE)


def test_a_failed_item_links_only_a_hazard_this_inspection_found_at_this_enterprise(site):
    ent, _, insp = site
    elsewhere = performed_inspection(ent, agency())
    withdrawn = found_by(insp, ent)
    withdrawn.withdraw(reason="误报", actor=BUREAU)
    for other in (hazard(ent=ent), found_by(elsewhere, ent), withdrawn):
        error = refused(insp, "checklist-hazard-of-inspection", insp.record_checklist, template=TEMPLATE,
                        results=results("failed", hazard_id=str(other.id)), hazards={str(other.id): other},
                        actor=AGENCY)
        assert str(other.id) in error.message
    insp.record_checklist(template=TEMPLATE, results=results("failed"), hazards={}, actor=AGENCY)
    refused(insp, "checklist-hazard-of-inspection", insp.link_hazard, item_id="t-01",
            hazard=hazard(ent=ent), actor=AGENCY)


BAD = [  # (field named, template, results)
    ("template_id", TRADE_ONLY, [{"item_id": "u-01", "result": "passed"}]),
    ("results.3.item_id", TEMPLATE, results() + [{"item_id": "t-99", "result": "passed"}]),
    ("results.3.item_id", TEMPLATE, results() + [{"item_id": "t-01", "result": "failed"}]),
    ("results", TEMPLATE, results()[:2]),
    ("results.0.result", TEMPLATE, results("fine")),
    ("results.2.result", TEMPLATE, results(third="failed")),  # t-03 is for trade; the enterprise is chem
    ("results.0.hazard_id", TEMPLATE, results("passed", hazard_id="h-1")),
    ("results.0.evidence.0", TEMPLATE, results(evidence=["photo.jpg"])),
    ("results.0.note", TEMPLATE, results(note="x" * 1001)),
]


@pytest.mark.parametrize("field, template, given", BAD, ids=[b[0] + ":" + str(n) for n, b in enumerate(BAD)])
def test_bad_results_are_refused_naming_the_field(site, field, template, given):
    _, _, insp = site
    error = rejected(insp, field, insp.record_checklist, template=template, results=given, hazards={},
                     actor=AGENCY)
    assert error.message


def test_linking_names_an_item_that_failed_in_this_inspection(site):
    ent, _, insp = site
    insp.record_checklist(template=TEMPLATE, results=results("failed"), hazards={}, actor=AGENCY)
    found = found_by(insp, ent)
    rejected(insp, "item_id", insp.link_hazard, item_id="t-02", hazard=found, actor=AGENCY)  # passed
    rejected(insp, "item_id", insp.link_hazard, item_id="t-99", hazard=found, actor=AGENCY)  # not recorded
