"""Rebuild while serving (issue 12 §3): a new generation of a view is built beside the live one
that a follower keeps moving, and switched in for every reader at once."""

from __future__ import annotations

import threading
import uuid
from datetime import date

import psycopg
import pytest
from psycopg import sql

from projections import generations
from projections.generations import RebuildRefused, Schemas, rebuild_online
from projections.locks import ViewLock, followed_elsewhere
from projections.operations import catch_up, running_projections
from projections.readmodels import ReadModels
from tests.conftest import one_at_a_time
from tests.projections.conftest import views_in


def _schemas(database_url: str) -> set[str]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return {name for (name,) in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}


def _fresh_dump(env: dict[str, str], database_url: str, view: str = "ledger") -> dict:
    """A view built from zero in a schema of its own (what a rebuild must equal)."""
    clean = f"fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(clean)))
    try:
        fresh_env = one_at_a_time(views_in(env, clean))
        catch_up(fresh_env, [view])
        fresh = ReadModels(fresh_env, pool_size=1)
        try:
            return fresh.views[view].dump()
        finally:
            fresh.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(clean)))


class Writer(threading.Thread):
    """Reports hazards one after another until stopped (a steady write load)."""

    def __init__(self, scenario) -> None:
        super().__init__(daemon=True)
        self.scenario, self.stopping, self.positions = scenario, threading.Event(), [0]

    def run(self) -> None:
        while not self.stopping.is_set():
            self.positions.append(self.scenario.hazard_position())

    def stop(self) -> int:
        self.stopping.set()
        self.join(30)
        return self.positions[-1]


def test_a_view_followed_elsewhere_is_rebuilt_beside_the_live_one_and_switched_in(
        scenario, store_env, database_url, monkeypatch, caplog):
    monkeypatch.setattr(generations, "CLOSE", 10)  # catch up in rounds, as a large view does
    env = one_at_a_time(store_env)
    for _ in range(30):
        scenario.hazard()
    with running_projections(env, names=["ledger"]) as read_models:
        read_models.wait(scenario.hazard_position(), timeout=10)
        assert followed_elsewhere(env, "ledger") and not followed_elsewhere(env, "activity")
        # a "fixed" view: the live one lost a row that a rebuild from the log gives back
        with read_models.ledger.datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("DELETE FROM {} WHERE hazard_id IN (SELECT hazard_id FROM {} LIMIT 1)").format(
                read_models.ledger.table("ledger_hazards"), read_models.ledger.table("ledger_hazards")))
        broken = read_models.ledger.dump()["ledger_hazards"]

        writer, seen, lines = Writer(scenario), [], []
        writer.start()
        reads = threading.Thread(target=_read_while, args=(read_models, writer, seen), daemon=True)
        reads.start()
        switched = rebuild_online(env, "ledger", batch_size=5, say=lines.append)
        last = writer.stop()
        reads.join(30)
        read_models.wait(last, timeout=10)  # the live follower goes on, on the new tables
        after = read_models.ledger.dump()
        assert read_models.ledger.position() == last

    assert switched.position <= last and switched.rounds >= 1
    assert "stopped" not in caplog.text  # the live follower went on without an error or a restart
    assert any("已原子切换到新一代" in line for line in lines), lines
    assert len(after["ledger_hazards"]) > len(broken) + 1  # the lost row is back, new ones added
    assert after == _fresh_dump(env, database_url)
    # positions read while the view was rebuilt never went back, and the view was never emptier
    assert seen and all(a <= b for a, b in zip(seen, seen[1:])), seen
    schemas = Schemas.of(env, "ledger")
    assert not {schemas.next, schemas.old} & _schemas(database_url)


@pytest.mark.parametrize("view", ["ledger", "activity"])
def test_every_view_can_be_rebuilt_while_followed(scenario, store_env, database_url, view):
    env = one_at_a_time(store_env)
    scenario.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 4, 25))
    with running_projections(env, names=[view]) as read_models:
        read_models.wait(scenario.hazard_position(), [view], timeout=10)
        switched = rebuild_online(env, view)
        read_models.wait(last := scenario.hazard_position(), [view], timeout=10)
        assert switched.position < last == read_models.views[view].position()
        after = read_models.views[view].dump()
    assert after == _fresh_dump(env, database_url, view)


def _read_while(read_models: ReadModels, writer: Writer, seen: list[tuple[int, int]]) -> None:
    """(position, hazards) as read between the writes (a reader's view: never backwards)."""
    while not writer.stopping.is_set():
        with read_models.ledger.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(read_models.ledger.table("ledger_hazards")))
            hazards = curs.fetchone()["n"]
        seen.append((read_models.ledger.position(), hazards))


def test_a_side_schema_left_by_a_crashed_rebuild_is_dropped_first(scenario, store_env, database_url):
    env = one_at_a_time(store_env)
    scenario.hazard()
    catch_up(env, ["ledger"])
    schemas = Schemas.of(env, "ledger")
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in (schemas.next, schemas.old):
            conn.execute(sql.SQL("CREATE SCHEMA {0}; CREATE TABLE {0}.ledger_hazards (junk int)").format(
                sql.Identifier(name)))
    switched = rebuild_online(env, "ledger")
    assert switched.position == scenario.app.recorder.max_notification_id()
    assert not {schemas.next, schemas.old} & _schemas(database_url)
    assert _fresh_dump(env, database_url) == _live_dump(env)


def _live_dump(env: dict[str, str]) -> dict:
    read_models = ReadModels(env, pool_size=1)
    try:
        return read_models.ledger.dump()
    finally:
        read_models.close()


def test_two_rebuilds_of_a_view_at_once_the_second_is_refused(scenario, store_env):
    env = one_at_a_time(store_env)
    scenario.hazard()
    held = ViewLock(env, "ledger", "rebuild")
    assert held.acquire()
    try:
        with pytest.raises(RebuildRefused, match="正在由另一个进程重建"):
            rebuild_online(env, "ledger")
        with pytest.raises(RebuildRefused), generations.rebuild_locks(env, ["ledger"]):
            pass
    finally:
        held.release()


def test_the_switch_waits_for_a_long_read_without_holding_up_the_others(scenario, store_env, database_url,
                                                                      monkeypatch):
    """A read holding the live table makes the switch give up its locks and try again (readers
    never queue behind a switch for longer than LOCK_TIMEOUT_MS); it switches once the read ends."""
    env = one_at_a_time(store_env)
    scenario.hazard(found=date(2026, 4, 11))
    catch_up(env, ["ledger"])
    schema = Schemas.of(env, "ledger").live
    retried, lines = threading.Event(), []

    def say(line: str) -> None:
        lines.append(line)
        if "重试" in line:
            retried.set()

    monkeypatch.setattr(generations, "ATTEMPTS", 1000)
    with psycopg.connect(database_url) as reader:  # a transaction left open on the live table
        reader.execute(sql.SQL("SELECT count(*) FROM {}.ledger_hazards").format(sql.Identifier(schema)))
        result: list = []
        rebuild = threading.Thread(target=lambda: result.append(rebuild_online(env, "ledger", say=say)))
        rebuild.start()
        assert retried.wait(60), lines
        assert not result  # not switched while the read holds the table
        reader.rollback()
    rebuild.join(60)
    assert result and result[0].attempts >= 2, lines


def test_a_statement_prepared_before_the_switch_reads_the_new_generation(scenario, store_env, database_url):
    """API processes keep their prepared statements: after the switch they answer from the new
    tables (PostgreSQL re-plans a prepared statement after DDL on what it reads)."""
    env = one_at_a_time(store_env)
    for _ in range(3):
        scenario.hazard()
    catch_up(env, ["ledger"])
    live = sql.Identifier(Schemas.of(env, "ledger").live)
    hazards = sql.SQL("SELECT count(*) FROM {}.ledger_hazards").format(live)
    with psycopg.connect(database_url, autocommit=True) as api:
        assert api.execute(hazards, prepare=True).fetchone()[0] == 3
        api.execute(sql.SQL("DELETE FROM {0}.ledger_hazards WHERE hazard_id IN "
                            "(SELECT hazard_id FROM {0}.ledger_hazards LIMIT 1)").format(live))
        assert api.execute(hazards, prepare=True).fetchone()[0] == 2
        rebuild_online(env, "ledger")
        assert api.execute(hazards, prepare=True).fetchone()[0] == 3
