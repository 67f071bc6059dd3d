"""Cached aggregates (issue 11 §4): a cached copy is brought up to the store before it decides,
optimistic concurrency still refuses a stale one, a refused command leaves the cache clean,
and within one request the aggregate authorised is the one that decides."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from domain.errors import RuleViolation
from domain.hazard import Hazard
from services.application import HazardLedger
from services.errors import ConcurrentModification
from tests.conftest import TODAY, actor, credit_code, one_at_a_time, stored_count

BUREAU = actor(Role.BUREAU)


def _hazard(ledger) -> str:
    enterprise_id = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="缓存厂",
                                               township="330226011", sector="chem", scale="small_micro").id
    return ledger.report_hazard(actor(Role.TOWNSHIP), enterprise_id=enterprise_id, source="government_check",
                                category="unsafe_condition", description="配电箱未接地", level="general",
                                discovered_on=date(2026, 6, 1)).id


@pytest.fixture
def other(store_env):
    """A second application on the same store (another process, as far as the cache knows)."""
    app = HazardLedger(one_at_a_time(store_env), clock=lambda: TODAY)
    yield app
    app.close()


def test_a_cached_copy_decides_only_once_brought_up_to_the_store(ledger, other):
    hazard_id = _hazard(ledger)
    ledger.load(Hazard, hazard_id)  # now in this application's cache, at version 1
    other.assign_responsibility(BUREAU, hazard_id, responsible_person="王五", deadline=date(2026, 7, 1))
    ledger.regrade_hazard(BUREAU, hazard_id, level="major", reason="复核为重大隐患")  # decides on version 2
    hazard = other.load(Hazard, hazard_id)
    assert (hazard.version, hazard.responsible_person, hazard.level) == (3, "王五", "major")


def test_a_write_through_a_stale_cached_copy_is_refused_and_stores_nothing(ledger, other):
    hazard_id = _hazard(ledger)
    stale = ledger.load(Hazard, hazard_id)  # the copy this application's cache gave out
    other.assign_responsibility(BUREAU, hazard_id, responsible_person="王五", deadline=date(2026, 7, 1))
    stale.regrade(level="major", reason="复核为重大隐患", actor=BUREAU)
    before = stored_count(ledger)
    with pytest.raises(ConcurrentModification):
        ledger.store(stale)
    assert stored_count(ledger) == before
    assert [e.originator_version for e in ledger.history_of(Hazard, hazard_id)] == [1, 2]


def test_a_refused_command_leaves_the_cache_as_it_was(ledger, other):
    hazard_id = _hazard(ledger)
    copy = ledger.load(Hazard, hazard_id)
    copy.regrade(level="major", reason="复核为重大隐患", actor=BUREAU)  # mutated, never stored
    other.withdraw_hazard(BUREAU, hazard_id, reason="误报")
    with pytest.raises(ConcurrentModification):
        ledger.store(copy)
    with pytest.raises(RuleViolation):  # refused by the domain: a withdrawn hazard is not closed
        ledger.close_hazard(BUREAU, hazard_id)
    hazard = ledger.load(Hazard, hazard_id)
    assert (hazard.level, hazard.status, hazard.version) == ("general", "withdrawn", 2)


def test_one_request_loads_each_aggregate_once(ledger):
    hazard_id = _hazard(ledger)
    assert ledger.load(Hazard, hazard_id) is not ledger.load(Hazard, hazard_id)  # each command its own copy
    with ledger.unit_of_work():
        authorised = ledger.load(Hazard, hazard_id)
        ledger.assign_responsibility(BUREAU, hazard_id, responsible_person="王五", deadline=date(2026, 7, 1))
        assert ledger.load(Hazard, hazard_id) is authorised and authorised.version == 2
    assert ledger.load(Hazard, hazard_id).responsible_person == "王五"
