"""三不放过 on one ledger row (pure): met / pending / violated, with why, per the policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from projections.compliance import DEFAULT_POLICY, Policy, evaluate
from projections.views.hazard_rows import COLUMNS

POLICY = Policy.load()  # Ninghai: responsibility 7 days, enforcement 30 days, review 15 days
FOUND = date(2026, 5, 1)


def row(**kw) -> dict:
    base = dict.fromkeys(COLUMNS)
    base.update(status="reported", level="general", discovered_on=FOUND, enforcement_count=0,
                extensions=0, failed_reviews=0, joint_parties="")
    base.update(kw)
    return base


def states(h: dict, day: date, policy: Policy = POLICY) -> dict[str, str]:
    return {k: v[0] for k, v in evaluate(h, day, policy).items()}


ASSIGNED = dict(status="assigned", responsible_person="王五", assigned_on=date(2026, 5, 2),
                deadline=date(2026, 5, 20))


def test_responsibility_is_pending_within_the_time_limit_then_violated():
    assert states(row(), date(2026, 5, 8))["responsibility"] == "pending"
    checks = evaluate(row(), date(2026, 5, 9), POLICY)
    assert checks["responsibility"][0] == "violated" and "8 日" in checks["responsibility"][1]
    assert states(row(**ASSIGNED), date(2026, 5, 9))["responsibility"] == "met"


def test_a_general_hazard_on_time_needs_no_enforcement():
    assert states(row(**ASSIGNED), date(2026, 5, 10))["enforcement"] == "met"


def test_an_overdue_hazard_needs_enforcement_within_the_limit():
    h = row(**ASSIGNED)  # deadline 20 May: overdue from 21 May, enforcement due by 20 June
    assert states(h, date(2026, 6, 20)) == {"responsibility": "met", "enforcement": "pending",
                                            "elimination": "violated"}
    assert states(h, date(2026, 6, 21))["enforcement"] == "violated"
    enforced = row(**ASSIGNED, enforcement_count=1, first_enforced_on=date(2026, 5, 25),
                   last_enforced_on=date(2026, 5, 25), last_enforcement_kind="order_rectification",
                   last_enforcement_doc="宁应急责改〔2026〕12号")
    state, why = evaluate(enforced, date(2026, 7, 1), POLICY)["enforcement"]
    assert state == "met" and "宁应急责改〔2026〕12号" in why and "责令限期整改" in why


def test_a_major_hazard_closed_without_enforcement_violated_it():
    closed = row(**{**ASSIGNED, "status": "closed"}, level="major", rectified_on=date(2026, 5, 15),
                 joint_parties="agency,regulator,township", joint_review_on=date(2026, 5, 16),
                 closure_report_on=date(2026, 5, 17), closure_report_doc="宁安销〔2026〕7号",
                 closed_on=date(2026, 5, 18))
    assert states(closed, date(2026, 5, 20)) == {"responsibility": "met", "enforcement": "violated",
                                                 "elimination": "met"}


def test_elimination_needs_the_review_the_grade_requires():
    general = row(**{**ASSIGNED, "status": "closed"}, rectified_on=date(2026, 5, 10), closed_on=date(2026, 5, 12))
    assert states(general, date(2026, 6, 1))["elimination"] == "violated"  # no passed review on record
    general["review_passed_on"] = date(2026, 5, 11)
    assert states(general, date(2026, 6, 1))["elimination"] == "met"
    major = {**general, "level": "major"}  # a passed single review is not the joint review
    assert states(major, date(2026, 6, 1))["elimination"] == "violated"


def test_rectified_but_not_reviewed_in_time_violates_elimination():
    h = row(**{**ASSIGNED, "status": "rectified"}, rectified_on=date(2026, 5, 10))
    assert states(h, date(2026, 5, 25))["elimination"] == "pending"
    assert states(h, date(2026, 5, 26))["elimination"] == "violated"


def test_a_withdrawn_report_is_not_judged():
    assert set(states(row(status="withdrawn"), date(2026, 6, 1)).values()) == {"n/a"}


def test_time_limits_are_policy_data(tmp_path: Path):
    data = orjson.loads(DEFAULT_POLICY.read_bytes())
    data["responsibility"]["within_days"] = 30
    data["enforcement"]["required_for"] = ["major"]
    strict = tmp_path / "county.json"
    strict.write_bytes(orjson.dumps(data))
    policy = Policy.load(strict)
    assert states(row(), date(2026, 5, 20), policy)["responsibility"] == "pending"
    assert states(row(**ASSIGNED), date(2026, 8, 1), policy)["enforcement"] == "met"  # overdue: not required here
