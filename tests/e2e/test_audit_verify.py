"""`GET /audit/verify` and `hazard audit verify` catch an event altered directly in PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg

from infra.chain_keeper import ChainKeeper
from tests.conftest import actor, credit_code

HAZARD = str(Path(sys.executable).with_name("hazard"))


def test_an_event_altered_in_the_database_is_named_by_api_and_cli(client, auth, ledger, database_url,
                                                                  schema, tmp_path):
    for n in range(4):
        ledger.register_agency(actor("bureau"), credit_code=credit_code(), name=f"机构{n}")
    with ChainKeeper(ledger.audit_chain(), interval=0.05):
        pass  # one pass, as `hazard serve` keeps doing
    intact = client.get("/api/v1/audit/verify", headers=auth("auditor")).json()
    assert intact["ok"] and intact["checked"] == 4 and intact["head_position"] == 4

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"""UPDATE "{schema}".hazardledger_events SET state = convert_to(replace(
            convert_from(state, 'UTF8'), '机构2', '机构Z'), 'UTF8') WHERE notification_id = 3""")
    broken = client.get("/api/v1/audit/verify", headers=auth("auditor")).json()
    assert (broken["ok"], broken["first_break"], broken["problem"]) == (False, 3, "changed")

    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "HAZARD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([HAZARD, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "位置 3 的事件被篡改" in done.stdout
