"""Agency evaluation (考评, 003 §五(三)1) and who may still be commissioned."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.evaluation import CRITERIA

from .conftest import AGENCY, BUREAU, agency, agreement, contract, enterprise, refused

GOOD = {name: 95 for name in CRITERIA}
POOR = {name: 40 for name in CRITERIA}


def test_scores_every_criterion_and_grades_the_mean():
    ag = agency()
    ag.evaluate(year=2025, scores={**GOOD, "monthly_analysis": 65}, notes="月报不全", actor=BUREAU)
    result = ag.evaluations[-1]
    assert result["total"] == "91.3" and result["grade"] == "excellent"
    assert result["scores"]["expert_count"] == 95 and ag.latest_grade == "excellent"


def test_only_the_bureau_evaluates_and_once_a_year():
    ag = agency()
    refused(ag, "evaluation-by-bureau", ag.evaluate, year=2025, scores=GOOD, notes="", actor=AGENCY)
    ag.evaluate(year=2025, scores=GOOD, notes="", actor=BUREAU)
    refused(ag, "evaluation-once-a-year", ag.evaluate, year=2025, scores=POOR, notes="", actor=BUREAU)


@pytest.mark.parametrize("scores, field", [
    ({**GOOD, "charm": 100}, "scores.charm"),
    ({k: v for k, v in GOOD.items() if k != "report_quality"}, "scores.report_quality"),
    ({**GOOD, "expert_quality": 101}, "scores.expert_quality"),
    ({**GOOD, "work_effect": "90"}, "scores.work_effect"),
])
def test_bad_scores_name_the_criterion(scores, field):
    with pytest.raises(InvalidValue) as refusal:
        agency().evaluate(year=2025, scores=scores, notes="", actor=BUREAU)
    assert refusal.value.field == field


def test_an_agency_failing_its_evaluation_is_not_commissioned_again():
    ag = agency()
    ag.evaluate(year=2025, scores=POOR, notes="报告质量差", actor=BUREAU)
    assert ag.latest_grade == "fail"
    with pytest.raises(Exception) as refusal:
        agreement(ag)
    assert refusal.value.rule == "agreement-needs-passing-evaluation"


def test_a_blacklisted_agency_signs_neither_agreements_nor_contracts():
    ag = agency()
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    for sign in (lambda: agreement(ag), lambda: contract(enterprise(), ag)):
        with pytest.raises(Exception) as refusal:
            sign()
        assert refusal.value.rule == "blacklisted-agency-not-commissioned"
