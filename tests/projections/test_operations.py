"""Running the views: status and lag, one follower per view, restart after an error."""

from __future__ import annotations

from datetime import date

import pytest

from projections import operations
from projections.operations import catch_up, following, rebuild, running_projections
from projections.views.ledger import LedgerView


def test_status_shows_each_view_position_and_lag(scenario, read_models, store_env):
    scenario.hazard()
    head = read_models.max_position()
    assert [(s["view"], s["position"], s["lag"], s["events_behind"]) for s in read_models.status()] == [
        ("ledger", 0, head, head), ("activity", 0, head, head)]
    catch_up(store_env, ["ledger"])
    assert [s["lag"] for s in read_models.status()] == [0, head]


def test_rebuild_starts_from_zero_and_ends_where_it_was(scenario, read_models, store_env):
    scenario.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 4, 25))
    catch_up(store_env)
    before = read_models.ledger.dump()
    assert rebuild(store_env, ["ledger"]) == {"ledger": read_models.max_position()}
    assert read_models.ledger.dump() == before


def test_one_follower_per_view(scenario, store_env, caplog):
    with running_projections(store_env) as first:
        with following(store_env):  # a second `serve`'s followers on the same store leave them be
            assert "followed by another process" in caplog.text
        with pytest.raises(RuntimeError, match="stop it before rebuilding"):
            rebuild(store_env)
        first.wait(scenario.hazard_position(), timeout=10)


def test_a_runner_stopped_by_an_error_is_restarted(scenario, store_env, monkeypatch):
    monkeypatch.setattr(operations, "RESTART_AFTER", 0.1)
    original, failures = LedgerView.process, iter([True])

    def flaky(self, batch):
        if next(failures, False):
            raise RuntimeError("the database went away")
        return original(self, batch)

    monkeypatch.setattr(LedgerView, "process", flaky)
    with running_projections(store_env) as read_models:
        read_models.wait(scenario.hazard_position(), timeout=10)
        assert read_models.ledger.position() > 0
