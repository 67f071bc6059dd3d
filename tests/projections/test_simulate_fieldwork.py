"""`hazard simulate`'s field work (issue 13 point 8): the simulated year has checklists on its
inspections, photos on a share of its hazards, and monthly self-reports, and the record and
the views show them as a user would find them."""

from __future__ import annotations

from datetime import date

import pytest

from domain.hazard import Hazard
from domain.inspection import Inspection
from infra.clock import SHANGHAI
from projections.operations import catch_up
from projections.queries import self_reports as q
from projections.readmodels import ReadModels
from services.application import HazardLedger


@pytest.fixture
def ledger_on_sim(simulated):
    app = HazardLedger(simulated.env, clock=lambda: date(2025, 12, 31))
    yield app
    app.close()


def _originators(app: HazardLedger, suffix: str) -> list:
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    return list(dict.fromkeys(n.originator_id for n in notifications if n.topic.endswith(suffix)))


def test_the_year_has_checklists_photos_and_self_reports(simulated):
    s = simulated.summary
    assert s["failures"] == {}
    assert s["checklists"]["recorded"] > 0 and s["checklists"]["items_failed"] >= 1
    assert s["photos_attached"] > 0
    reports = s["self_reports"]
    assert reports["filed"] == reports["none_found"] + reports["with_hazards"]
    assert reports["filed"] > 0 and reports["late"] > 0 and reports["none_found"] > 0


def test_failed_items_are_the_major_hazards_found_at_the_inspection(simulated, ledger_on_sim):
    """Every item judged; each failed item links a hazard of that inspection, which cites the
    item's criterion (major, unless graded down since); no filed report leaves one unlinked."""
    inspections = [ledger_on_sim.load(Inspection, i) for i in _originators(ledger_on_sim, ".ChecklistRecorded")]
    assert len(inspections) > 0
    failed = 0
    for insp in inspections:
        summary = insp.checklist_summary
        assert summary["items"] == summary["passed"] + summary["failed"] + summary["not_applicable"]
        assert summary["failed_without_hazard"] == []
        for item in (i for c in insp.checklists.values() for i in c["items"] if i["result"] == "failed"):
            hazard = ledger_on_sim.load(Hazard, item["hazard_id"])
            assert hazard.inspection_id == str(insp.id)
            assert hazard.criterion == item["criterion"] or hazard.level == "general"  # 复核降级
            failed += 1
    assert failed == simulated.summary["checklists"]["items_failed"]


def test_photos_are_tiny_jpegs_taken_on_the_day_they_were_cited(simulated, ledger_on_sim):
    hazards = [ledger_on_sim.load(Hazard, h) for h in _originators(ledger_on_sim, ".Reported")]
    cited = [(h, e) for h in hazards for e in h.evidence if e.startswith("sha256:")]
    assert cited
    files = ledger_on_sim.evidence_files
    for hazard, ref in cited:
        meta = files.metadata(ref.removeprefix("sha256:"))
        assert meta.media_type == "image/jpeg" and 200 < meta.size < 1500 and meta.has_thumbnail
        assert meta.taken_at.astimezone(SHANGHAI).date() == hazard.discovered_on


def test_the_non_reporter_counts_add_up_to_the_self_reports_filed(simulated, sim_env):
    catch_up(sim_env)
    rm = ReadModels(sim_env)
    try:
        months = [q.non_reporters(rm.activity, f"2025-{m:02d}", scope={}, reference=rm.reference,
                                  due_on=date(2025 + m // 12, m % 12 + 1, 5)) for m in range(1, 13)]
    finally:
        rm.close()
    reports = simulated.summary["self_reports"]
    assert sum(m["self_reported"] for m in months) == reports["filed"]
    assert sum(m["late"] for m in months) == reports["late"]
    assert sum(m["none_found"] for m in months) == reports["none_found"]
    assert all(m["non_reporters"] > 0 for m in months)  # most enterprises never self-report
