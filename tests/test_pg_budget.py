"""The connection budget's check sees what it must: the suite's connections, in this process and
in the subprocesses the tests start, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg

from tests.conftest import APP_NAME
from tests.pg_budget import ConnectionMonitor

SHOW_NAME = "import psycopg, sys; print(psycopg.connect(sys.argv[1]).execute('SHOW application_name').fetchone()[0])"


def _peak_while_open(database_url: str, count: int, **connect) -> int:
    monitor = ConnectionMonitor(database_url, APP_NAME)
    baseline = ConnectionMonitor(database_url, APP_NAME)
    baseline.start().stop()
    conns = [psycopg.connect(database_url, **connect) for _ in range(count)]
    try:
        monitor.start()
        while monitor.samples < 2:
            time.sleep(0.01)
    finally:
        monitor.stop()
        for conn in conns:
            conn.close()
    return monitor.peak - baseline.peak


def test_connections_of_the_suite_are_counted(database_url):
    assert os.environ["PGAPPNAME"] == APP_NAME
    assert _peak_while_open(database_url, 3) >= 3


def test_connections_under_another_name_are_not_counted(database_url):
    assert _peak_while_open(database_url, 3, application_name="somebody-else") <= 0


def test_a_subprocess_connects_under_the_suite_name(database_url):
    shown = subprocess.run([sys.executable, "-c", SHOW_NAME, database_url], capture_output=True,
                           text=True, timeout=30, check=True).stdout.strip()
    assert shown == APP_NAME
