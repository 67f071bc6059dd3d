"""The hazard ledger (隐患台账) on real PostgreSQL: rows, time travel, filters, scope, exactly once."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from infra.log_reader import EventLog
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from projections import reports
from tests.projections.conftest import BUREAU, REGULATOR, TOWNSHIP

JUNE_30 = Moment(as_of=date(2026, 6, 30))


def _ledger(rm, moment=JUNE_30, **filters):
    page = filters.pop("page", Page(1, 100))
    return reports.ledger(rm, moment, Filters(**filters), page)


def _by_id(result) -> dict:
    return {i["hazard_id"]: i for i in result["items"]}


def test_a_row_per_hazard_with_enterprise_agency_level_status_and_dates(scenario, read_models, refresh):
    closed = scenario.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 6, 5))
    major = scenario.hazard(date(2026, 4, 10), level="major")
    scenario.app.list_for_supervision(BUREAU, major, level="county", document_no="宁安委办〔2026〕3号",
                                      listed_on=date(2026, 4, 12))
    scenario.app.record_enforcement(REGULATOR, major, kind="suspend", document_no="宁应急〔2026〕9号",
                                    taken_on=date(2026, 4, 13))
    late = scenario.hazard(date(2026, 5, 1))
    scenario.assign(late, date(2026, 5, 2), date(2026, 5, 20))
    refresh()
    rows = _by_id(_ledger(read_models))
    assert len(rows) == 3
    c, m, o = rows[closed], rows[major], rows[late]
    assert (c["enterprise_name"], c["agency_name"], c["township_name"], c["sector_name"]) == (
        "宁海县某化工有限公司", "宁海安评咨询有限公司", "西店镇", "危险化学品")
    assert (c["status_label"], c["closed_on"], c["review_passed_on"], c["rectification_cost"]) == (
        "已销号", date(2026, 6, 5), date(2026, 4, 20), Decimal("800.50"))
    assert (m["grade"], m["grade_label"], m["listed_on"], m["first_enforced_on"]) == (
        "supervised", "挂牌督办隐患（县级）", date(2026, 4, 12), date(2026, 4, 13))
    assert (o["status"], o["responsible_person"], o["deadline"], o["overdue"]) == (
        "assigned", "王五", date(2026, 5, 20), True)
    assert not c["overdue"] and not m["overdue"]


def test_as_of_a_business_date_shows_the_ledger_as_it_stood(scenario, read_models, refresh):
    h = scenario.closed_general(date(2026, 4, 10), date(2026, 5, 31), date(2026, 5, 20), date(2026, 6, 5))
    later = scenario.hazard(date(2026, 6, 1))
    refresh()
    may = _by_id(_ledger(read_models, Moment(as_of=date(2026, 5, 31))))
    assert later not in may  # found after the date
    assert (may[h]["status"], may[h]["closed_on"]) == ("rectified", None)  # closed in June: open in May
    april = _by_id(_ledger(read_models, Moment(as_of=date(2026, 4, 30))))
    assert (april[h]["status"], april[h]["deadline"]) == ("assigned", date(2026, 5, 31))
    assert _ledger(read_models, Moment(as_of=date(2026, 4, 9)))["total"] == 0
    assert _by_id(_ledger(read_models))[h]["status"] == "closed"


def test_known_at_shows_what_the_ledger_said_at_a_moment(scenario, read_models, refresh):
    h = scenario.hazard(date(2026, 4, 10))
    scenario.assign(h, date(2026, 4, 11), date(2026, 4, 30))
    moment = datetime.now(timezone.utc)
    scenario.rectify(h, date(2026, 4, 20))  # recorded later, though it happened in April
    refresh()
    then = _by_id(_ledger(read_models, Moment(known_at=moment)))[h]
    assert (then["status"], then["rectified_on"]) == ("assigned", None)
    both = _by_id(_ledger(read_models, Moment(as_of=date(2026, 4, 25), known_at=moment)))[h]
    assert both["status"] == "assigned" and both["overdue"] is False
    assert _by_id(_ledger(read_models, Moment(as_of=date(2026, 4, 25))))[h]["status"] == "rectified"


def test_filters_and_paging(scenario, read_models, refresh):
    done = scenario.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 4, 25))
    major = scenario.hazard(date(2026, 4, 10), level="major")
    late = scenario.hazard(date(2026, 5, 1))
    scenario.assign(late, date(2026, 5, 2), date(2026, 5, 20))
    refresh()
    ids = lambda **f: {i["hazard_id"] for i in _ledger(read_models, **f)["items"]}  # noqa: E731
    assert ids(grade="major") == {major}
    assert ids(status=("closed", "withdrawn")) == {done}
    assert ids(overdue=True) == {late}
    assert ids(enterprise_name="化工") == {done, major, late}
    assert ids(equals={"township": "330226001"}) == set()
    assert ids(ranges={"discovered_on": (date(2026, 5, 1), None)}) == {late}
    pages = [_ledger(read_models, page=Page(n, 2)) for n in (1, 2)]
    assert [p["total"] for p in pages] == [3, 3] and [len(p["items"]) for p in pages] == [2, 1]


def test_the_token_scope_is_an_equality_filter(scenario, read_models, refresh):
    scenario.hazard()
    refresh()
    assert _ledger(read_models, scope={"agency_id": scenario.agency})["total"] == 1
    assert _ledger(read_models, scope={"agency_id": "another"})["total"] == 0
    assert _ledger(read_models, scope={"township": "330226011", "sector": "trade"})["total"] == 0


def test_a_batch_is_applied_once_only(scenario, store_env, read_models, refresh):
    scenario.hazard()
    refresh()
    view = read_models.ledger
    before = view.dump()
    log = EventLog(store_env)
    notes = log.recorder.select_notifications(start=1, limit=100)
    batch = [(log.mapper.to_domain_event(n), Tracking("HazardLedger", n.id)) for n in notes[-2:]]
    with pytest.raises(IntegrityError):
        view.process(batch)
    assert view.dump() == before
    log.close()


def test_withdrawn_hazards_stay_in_the_ledger_with_their_date(scenario, read_models, refresh):
    h = scenario.hazard()
    scenario.app.withdraw_hazard(TOWNSHIP, h, reason="误报")
    refresh()
    row = _by_id(_ledger(read_models, Moment()))[h]
    assert row["status"] == "withdrawn" and row["withdrawn_on"] is not None
