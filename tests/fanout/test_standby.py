"""One leader per follower, hot standbys (issue 18 §2): two followers processes on one store and
one NATS; the first leads every follower (views, relay, audit chain, reminders), the second stands
by. Under a steady write load the leader is killed with SIGKILL: the standby leads every follower
within 5 s, and afterwards the views, the NATS stream and the audit chain hold every event exactly
once, in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from infra.audit_chain import AuditChain
from infra.log_reader import LogReader
from infra.subjects import STREAM
from tests.conftest import one_at_a_time
from tests.fanout.conftest import assert_exactly_once_in_order, collect, enterprise, hazard_steps
from tests.fanout.test_reminders import query, wait_until

ROOT = Path(__file__).resolve().parents[2]
TAKEOVER_LIMIT = 5.0  # seconds (the figure)


def start(database_url: str, schema: str, nats_url: str, tmp: Path, name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp / f"{name}.log"
    env = {**os.environ, "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema, "NATS_URL": nats_url,
           "HAZARD_DATA_DIR": str(tmp / name), "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.fanout.followers_child"], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


class Load(threading.Thread):
    """Hazards reported and assigned (two events each) one after the other until stopped."""

    def __init__(self, ledger, firm: str) -> None:
        super().__init__(name="load", daemon=True)
        self.ledger, self.firm, self.hazards = ledger, firm, 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            hazard_steps(self.ledger, self.firm)
            self.hazards += 1
            time.sleep(0.02)


def test_a_standby_takes_over_from_a_killed_leader_and_nothing_is_lost_or_doubled(
        ledger, store_env, database_url, schema, own_nats, tmp_path) -> None:
    firm = enterprise(ledger)
    leader, leader_log = start(database_url, schema, own_nats.url, tmp_path, "leader")
    standby = None
    load = Load(ledger, firm)
    try:
        wait_until(lambda: "leading reminders" in leader_log.read_text() or leader.poll() is not None,
                   60, "the first process to lead")
        standby, standby_log = start(database_url, schema, own_nats.url, tmp_path, "standby")
        wait_until(lambda: "standing by for" in standby_log.read_text() or standby.poll() is not None,
                   60, "the second process to stand by")
        assert "leading" not in standby_log.read_text(), standby_log.read_text()

        load.start()
        time.sleep(2.0)
        leader.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: "leading every duty now" in standby_log.read_text(), 30, "the takeover")
        took = time.monotonic() - killed
        print(f"the standby led every follower {took:.2f} s after the leader was killed")
        assert took < TAKEOVER_LIMIT, f"the standby took {took:.1f} s to lead"
        time.sleep(2.0)  # the load goes on under the new leader
    finally:
        load.stopping.set()
        load.join(30)
        leader.kill()
        leader.wait(10)

    try:
        reader = LogReader.open(one_at_a_time(store_env))
        try:
            head = reader.head()
            wait_until(lambda: all(position >= head for (position,) in query(
                database_url, schema, "SELECT max(notification_id) FROM {s}.ledger_tracking "
                "UNION ALL SELECT max(notification_id) FROM {s}.activity_tracking")), 60, "the views")
            chain = AuditChain(reader)
            wait_until(lambda: (chain.head() or (0, ""))[0] >= head, 60, "the audit chain")
            verdict = chain.verify()
        finally:
            reader.close()
        rows = query(database_url, schema, "SELECT count(*), count(DISTINCT hazard_id) FROM {s}.ledger_hazards")
        assert rows == [(load.hazards, load.hazards)], "the ledger lost or doubled a hazard"
        assert verdict.ok, verdict
        received = collect(own_nats.url, STREAM, "hz.330226011.chem.>", head, timeout=60)  # every event: one place
        assert_exactly_once_in_order(received, list(range(1, head + 1)))
        assert load.hazards > 20  # the load ran on both sides of the kill
    finally:
        standby.send_signal(signal.SIGTERM)
        standby.wait(30)
