"""Places handed from one locator to another (the relay's thread → its encoding process)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from infra.placement import Locator, Place
from tests.conftest import credit_code
from tests.fanout.conftest import BUREAU, enterprise, hazard_steps


class NoRepository:
    """A repository that must not be asked: every place is already known."""

    def get(self, ident: Any) -> Any:
        raise AssertionError(f"aggregate {ident} loaded again")


def test_places_handed_over_place_later_events_without_loading_their_aggregates(ledger, log_reader):
    chem, trade = enterprise(ledger, "330226011", "chem"), enterprise(ledger, "330226005", "trade")
    hazard_steps(ledger, chem)
    hazard_steps(ledger, trade)
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="宁海安评咨询").id
    events = [logged.event for page in log_reader.pages() for logged in page]
    first = Locator(log_reader.repository)
    found = {e.originator_id: first.place_of(e) for e in events if e.originator_version == 1}

    second = Locator(NoRepository())
    second.learn(first.known())
    assert {e.originator_id: second.place_of(e) for e in events} == found  # later events too
    assert set(found.values()) == {Place("330226011", "chem"), Place("330226005", "trade"),
                                   Place.NOWHERE}
    assert found[UUID(str(agency))] is Place.NOWHERE
