"""Whose next step a ledger row gives (projections/queries/todo_duties.py): pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from projections.queries.todo_duties import KINDS, ROLE_KINDS, row_duties

D = date(2026, 6, 1)


def row(**changes) -> dict:
    base = {"status": "reported", "level": "general", "supervision_level": None, "discovered_on": D,
            "assigned_on": None, "deadline": None, "plan_filed_on": None, "rectified_on": None,
            "review_passed_on": None, "joint_parties": "", "joint_review_on": None, "closure_report_on": None,
            "listed_on": None, "listing_state": None, "listing_served_on": None, "listing_signed_on": None,
            "listing_finish_by": None, "listing_plan_by": None, "extension_requested_on": None}
    return {**base, **changes}


def kinds(role: str, r: dict) -> list[str]:
    return [d.kind for d in row_duties(role, r)]


RECTIFIED = {"status": "rectified", "assigned_on": date(2026, 6, 2), "deadline": date(2026, 7, 1),
             "rectified_on": date(2026, 6, 20)}


def test_every_role_kind_has_a_label():
    assert {k for ks in ROLE_KINDS.values() for k in ks} == set(KINDS)


@pytest.mark.parametrize("role, expected", [("township", ["joint_review"]), ("regulator", []),
                                            ("agency", ["joint_review"]), ("bureau", []), ("enterprise", [])])
def test_a_joint_review_waits_for_the_parties_that_have_not_signed(role, expected):
    assert kinds(role, row(level="major", joint_parties="regulator", **RECTIFIED)) == expected


def test_a_listed_general_hazard_is_reviewed_jointly_not_by_one_unit():
    listed = row(supervision_level="county", listing_state="signed", **RECTIFIED)
    assert kinds("township", listed) == ["joint_review"]
    assert kinds("township", row(**RECTIFIED)) == ["review"]


def test_the_bureau_closes_after_the_closure_report_and_the_enterprise_files_it():
    done = row(level="major", joint_parties="agency,regulator,township", joint_review_on=date(2026, 6, 25),
               **RECTIFIED)
    assert kinds("enterprise", done) == ["closure_report"] and kinds("bureau", done) == []
    assert [(d.kind, d.since) for d in row_duties("bureau", {**done, "closure_report_on": date(2026, 6, 26)})] == [
        ("close", date(2026, 6, 26))]


def test_a_cancelled_notice_no_longer_sets_the_plan_or_the_finish_date():
    assigned = {"status": "assigned", "assigned_on": date(2026, 6, 2), "deadline": date(2026, 12, 31),
                "listing_signed_on": date(2026, 6, 10), "listing_plan_by": date(2026, 6, 25),
                "listing_finish_by": date(2026, 8, 9)}
    signed = row(supervision_level="county", listing_state="signed", **assigned)
    assert [(d.kind, d.since, d.due_on) for d in row_duties("enterprise", signed)] == [
        ("plan", date(2026, 6, 10), date(2026, 6, 25)), ("rectify", date(2026, 6, 2), date(2026, 8, 9))]
    cancelled = row(listing_state="cancelled", **assigned)
    assert [(d.kind, d.due_on) for d in row_duties("enterprise", cancelled)] == [("rectify", date(2026, 12, 31))]


@pytest.mark.parametrize("level, supervised, approver", [("general", None, "township"), ("major", None, "bureau"),
                                                         ("general", "county", "bureau")])
def test_an_extension_request_goes_to_the_approver_the_policy_names(level, supervised, approver):
    r = row(status="assigned", level=level, supervision_level=supervised, assigned_on=D, deadline=date(2026, 9, 1),
            extension_requested_on=date(2026, 6, 10))
    for role in ("township", "bureau"):
        assert ("extension_decision" in kinds(role, r)) == (role == approver)


def test_nothing_for_a_closed_or_withdrawn_hazard_and_the_reading_roles():
    for status in ("closed", "withdrawn"):
        for role in ROLE_KINDS:
            assert kinds(role, row(status=status)) == []
    assert kinds("auditor", row(**RECTIFIED)) == []
