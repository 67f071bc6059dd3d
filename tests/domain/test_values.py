"""Invalid values are refused as `InvalidValue` naming the field, and change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import (AGENCY, ASSIGNED_ON, BUREAU, DISCOVERED, ENTERPRISE, PLAN, RECTIFIED,
                      REGULATOR, REVIEWED, TODAY, TOWNSHIP, agency, assigned, enterprise, extend, hazard,
                      joint_review, performed_inspection, rectified, rejected, review)
from domain import values
from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.plan import PLAN_PARTS, rectification_plan
from domain.values import Level


# --- reporting ------------------------------------------------------------------------------
@pytest.mark.parametrize("field, overrides", [
    ("discovered_on", {"discovered_on": date(2026, 7, 1)}),
    ("level", {"level": "critical"}),
    ("level", {"level": "MAJOR"}),
    ("source", {"source": "rumour"}),
    ("category", {"category": "bad_luck"}),
    ("description", {"description": "   "}),
    ("description", {"description": "x" * 4001}),
    ("description", {"description": "阀门\x00泄漏"}),
    ("description", {"description": "阀门\x1b[31m泄漏"}),
    ("description", {"description": 42}),
    ("location", {"location": "x" * 501}),
    ("evidence", {"evidence": [""]}),
    ("evidence", {"evidence": ["a\x07.jpg"]}),
    ("inspection_id", {"source": "inspection"}),
])
def test_report_rejects_bad_values(field, overrides):
    with pytest.raises(InvalidValue) as info:
        hazard(**overrides)
    assert info.value.field == field


def test_report_accepts_today_and_the_longest_description():
    h = hazard(discovered_on=TODAY, description="x" * 4000, location="")
    assert h.discovered_on == TODAY and len(h.description) == 4000


def test_text_is_trimmed_and_keeps_newlines_and_tabs():
    h = hazard(description="  第一行\n第二行\t备注  ")
    assert h.description == "第一行\n第二行\t备注"


def test_inspection_given_means_source_inspection():
    ent, ag = enterprise(), agency()
    with pytest.raises(InvalidValue) as info:
        hazard(ent=ent, inspection=performed_inspection(ent, ag), source="self_check")
    assert info.value.field == "source"


def test_inspection_hazard_not_discovered_before_the_inspection():
    ent, ag = enterprise(), agency()
    insp = performed_inspection(ent, ag)
    with pytest.raises(InvalidValue) as info:
        hazard(ent=ent, inspection=insp, source="inspection", discovered_on=date(2026, 5, 19))
    assert info.value.field == "discovered_on"


# --- business dates: never in the future, never out of order --------------------------------
def test_assigned_on_not_in_the_future_nor_before_discovery():
    h = hazard()
    for day in (date(2026, 7, 1), date(2026, 5, 31)):
        rejected(h, "assigned_on", h.assign_responsibility, responsible_person="张三",
                 deadline=date(2026, 7, 15), assigned_on=day, today=TODAY, actor=ENTERPRISE)


def test_deadline_may_lie_in_the_future():
    h = hazard()
    h.assign_responsibility(responsible_person="张三", deadline=date(2027, 1, 1),
                            assigned_on=ASSIGNED_ON, today=TODAY, actor=ENTERPRISE)
    assert h.deadline == date(2027, 1, 1)


@pytest.mark.parametrize("day", [date(2026, 7, 1), date(2026, 5, 31)])
def test_rectified_on_not_in_the_future_nor_before_discovery(day):
    h = assigned()
    rejected(h, "rectified_on", h.report_rectification, evidence=["a.jpg"], cost=0,
             rectified_on=day, today=TODAY, actor=ENTERPRISE)


@pytest.mark.parametrize("day", [date(2026, 7, 1), date(2026, 6, 9)])
def test_reviewed_on_not_in_the_future_nor_before_rectification(day):
    h = rectified()
    rejected(h, "reviewed_on", h.review_rectification, passed=True, notes="", reviewed_on=day,
             today=TODAY, actor=AGENCY)


def test_plan_filed_on_not_before_assignment():
    h = assigned("major")
    rejected(h, "filed_on", h.file_rectification_plan, parts=PLAN, filed_on=DISCOVERED,
             today=TODAY, actor=ENTERPRISE)


def test_closure_report_and_close_not_before_the_last_review():
    h = joint_review(rectified("major"))
    rejected(h, "filed_on", h.file_closure_report, document_no="销1号", filed_on=RECTIFIED,
             today=TODAY, actor=TOWNSHIP)
    g = review(rectified(), AGENCY)
    rejected(g, "closed_on", g.close, closed_on=RECTIFIED, today=TODAY, actor=TOWNSHIP)
    rejected(g, "closed_on", g.close, closed_on=date(2026, 7, 1), today=TODAY, actor=TOWNSHIP)


def test_close_not_before_the_closure_report():
    h = joint_review(rectified("major"))
    h.file_closure_report(document_no="销1号", filed_on=date(2026, 6, 25), today=TODAY,
                          actor=TOWNSHIP)
    rejected(h, "closed_on", h.close, closed_on=date(2026, 6, 13), today=TODAY, actor=BUREAU)


def test_rectified_on_not_before_assignment():
    h = hazard()
    h.assign_responsibility(responsible_person="张三", deadline=date(2026, 6, 20),
                            assigned_on=date(2026, 6, 15), today=TODAY, actor=ENTERPRISE)
    rejected(h, "rectified_on", h.report_rectification, evidence=["a.jpg"], cost=0,
             rectified_on=date(2026, 6, 2), today=TODAY, actor=ENTERPRISE)


def test_listing_and_enforcement_not_before_discovery():
    h = hazard()
    rejected(h, "listed_on", h.list_for_supervision, level="county", document_no="督1号",
             listed_on=date(2026, 5, 31), today=TODAY, actor=BUREAU)
    rejected(h, "taken_on", h.record_enforcement, kind="fine", document_no="罚1号",
             taken_on=date(2026, 5, 31), today=TODAY, actor=REGULATOR)


# --- the six-part plan ----------------------------------------------------------------------
@pytest.mark.parametrize("part", list(PLAN_PARTS))
def test_blank_plan_part_names_the_part(part):
    h = assigned("major")
    rejected(h, part, h.file_rectification_plan, parts={**PLAN, part: " \t"}, filed_on=TODAY,
             today=TODAY, actor=ENTERPRISE)


def test_missing_plan_part_names_the_part():
    parts = {k: v for k, v in PLAN.items() if k != "safety_measures"}
    with pytest.raises(InvalidValue) as info:
        rectification_plan(**parts)
    assert info.value.field == "safety_measures"


def test_plan_has_the_six_parts_in_order():
    assert list(rectification_plan(**PLAN)) == [
        "objectives", "measures", "funds", "organisation", "timeline", "safety_measures"]


# --- vocabularies and money on commands -----------------------------------------------------
def test_unknown_levels_are_rejected():
    h = hazard()
    rejected(h, "level", h.regrade, level="huge", reason="x", actor=BUREAU)
    rejected(h, "level", h.list_for_supervision, level="galactic", document_no="督1号",
             listed_on=TODAY, today=TODAY, actor=BUREAU)


def test_unknown_enforcement_kind_is_rejected():
    h = hazard()
    rejected(h, "kind", h.record_enforcement, kind="warning_letter", document_no="1号",
             taken_on=TODAY, today=TODAY, actor=REGULATOR)


@pytest.mark.parametrize("cost", [-1, "-0.01", "abc", "NaN", "Infinity", None])
def test_rectification_cost_is_a_non_negative_amount(cost):
    h = assigned()
    rejected(h, "cost", h.report_rectification, evidence=["a.jpg"], cost=cost,
             rectified_on=RECTIFIED, today=TODAY, actor=ENTERPRISE)


def test_rectification_evidence_items_are_checked():
    h = assigned()
    rejected(h, "evidence", h.report_rectification, evidence=["ok.jpg", "  "], cost=0,
             rectified_on=RECTIFIED, today=TODAY, actor=ENTERPRISE)


@pytest.mark.parametrize("field, command", [
    ("responsible_person", lambda h: h.assign_responsibility(
        responsible_person="", deadline=date(2026, 6, 20), assigned_on=TODAY, today=TODAY,
        actor=ENTERPRISE)),
    ("reason", lambda h: extend(h, date(2026, 7, 1), reason="x" * 1001)),
    ("reason", lambda h: h.regrade(level="major", reason="\x7f", actor=BUREAU)),
    ("reason", lambda h: h.withdraw(reason="", actor=BUREAU)),
])
def test_command_text_is_checked(field, command):
    h = assigned()
    rejected(h, field, command, h=h)


def test_review_notes_are_optional_but_bounded():
    h = rectified()
    rejected(h, "notes", h.review_rectification, passed=True, notes="x" * 2001,
             reviewed_on=REVIEWED, today=TODAY, actor=AGENCY)
    h.review_rectification(passed=True, notes="", reviewed_on=REVIEWED, today=TODAY, actor=AGENCY)
    assert h.review["notes"] == ""


# --- the shared helpers ---------------------------------------------------------------------
def test_text_helper():
    assert values.text("f", "  a  ") == "a"
    assert values.text("f", "", required=False) == ""
    for bad in ("", "x" * 11, "a\x00", 3):
        with pytest.raises(InvalidValue) as info:
            values.text("f", bad, max_len=10)
        assert info.value.field == "f"


def test_choice_helper_stores_plain_strings():
    assert values.choice("level", "major", Level) == "major"
    assert type(values.choice("level", "major", Level)) is str
    with pytest.raises(InvalidValue) as info:
        values.choice("level", "", Level)
    assert "general" in info.value.message  # lists the allowed values


@pytest.mark.parametrize("amount, stored", [(0, "0"), (1_000_000, "1000000"),
                                            ("12.50", "12.50"), (Decimal("0.1"), "0.1"),
                                            (0.1, "0.1")])
def test_money_helper_keeps_exact_decimal_strings(amount, stored):
    assert values.money("fee", amount) == stored


def test_date_helpers():
    assert values.past_date("d", TODAY, TODAY) == TODAY
    assert values.not_before("d", TODAY, TODAY, "x") == TODAY
    with pytest.raises(InvalidValue):
        values.period("start", TODAY, TODAY, "end")


@pytest.mark.parametrize("code", ["330226001", "330226018"])
def test_township_code_helper_accepts_nine_digits(code):
    assert values.township_code("township", code) == code


@pytest.mark.parametrize("code", ["33022600", "3302260011", "33022600a", 330226001, ""])
def test_township_code_helper_rejects_others(code):
    with pytest.raises(InvalidValue):
        values.township_code("township", code)


@pytest.mark.parametrize("code", ["３３０２２６００１", "٣٣٠٢٢٦٠٠١", "330226001\n"])
def test_township_code_helper_rejects_non_ascii_digits_and_trailing_newline(code):
    with pytest.raises(InvalidValue):
        values.township_code("township", code)


def test_a_hazard_is_reported_from_a_fresh_enterprise_with_its_township_and_sector():
    ent = enterprise(township="330226005", sector="trade")
    h = Hazard.report(enterprise=ent, inspection=None, source="public_tip",
                      category="unsafe_act", description="违章动火", level="general",
                      discovered_on=DISCOVERED, today=TODAY, actor=TOWNSHIP)
    assert (h.township, h.sector, h.source, h.evidence, h.location) == (
        "330226005", "trade", "public_tip", [], "")
