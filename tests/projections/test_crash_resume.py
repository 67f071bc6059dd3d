"""Exactly once across a crash: kill -9 a projection process mid catch-up, restart it, and
the views equal a clean rebuild, row for row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from projections.operations import catch_up
from projections.readmodels import ReadModels
from tests.projections.conftest import views_in

ROOT = Path(__file__).resolve().parents[2]


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python -m projections run` committing at most 5 events a transaction (a long catch-up)."""
    child = {**os.environ, **env, "HAZARD_PROJECTION_BATCH": "5"}
    return subprocess.Popen([sys.executable, "-m", "projections", "run"], cwd=ROOT, env=child,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait(condition, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"worker exited {proc.returncode}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"timed out:\n{log.read_text()}"
        time.sleep(0.01)


def test_a_killed_projection_resumes_and_equals_a_clean_rebuild(simulated, sim_env, database_url, tmp_path):
    log = tmp_path / "worker.log"
    read_models = ReadModels(sim_env)
    head = read_models.max_position()
    assert head > 2000  # a few thousand events to catch up on
    positions = lambda: [v.position() for v in read_models.views.values()]  # noqa: E731

    first = _worker(sim_env, log)
    _wait(lambda: min(positions()) >= head // 10, 60, first, log)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = positions()
    assert all(0 < p < head for p in at_kill), f"not killed mid catch-up: {at_kill} of {head}"

    second = _worker(sim_env, log)  # resumes from each view's tracked position
    _wait(lambda: min(positions()) >= head, 60, second, log)
    second.send_signal(signal.SIGTERM)
    assert second.wait(20) == 0, log.read_text()
    resumed = {name: view.dump() for name, view in read_models.views.items()}

    clean = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(clean)))
    try:
        catch_up(views_in(simulated.env, clean))
        rebuilt_models = ReadModels(views_in(simulated.env, clean))
        rebuilt = {name: view.dump() for name, view in rebuilt_models.views.items()}
        assert [v.position() for v in rebuilt_models.views.values()] == positions() == [head, head]
        rebuilt_models.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(clean)))
    assert resumed == rebuilt
    changes = resumed["ledger"]["ledger_hazard_changes"]
    assert len(changes) == _hazard_events(simulated.env) and len(resumed["ledger"]["ledger_hazards"]) > 400
    read_models.close()


def _hazard_events(env: dict[str, str]) -> int:
    with psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                         user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"]) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM {}.hazardledger_events WHERE topic LIKE %s").format(
            sql.Identifier(env["POSTGRES_SCHEMA"])), ("domain.hazard:%",)).fetchone()[0]
