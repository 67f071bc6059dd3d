"""`hazard audit verify` re-hashes the stored evidence files and names any whose bytes changed or
vanished — altered here directly in the test's schema, as someone with database access could."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest

from domain.actor import Role
from infra.files import PostgresFileStore
from services.file_audit import verify_files
from tests.conftest import actor, credit_code
from tests.services.test_files import jpeg

HAZARD = str(Path(sys.executable).with_name("hazard"))
BUREAU = actor(Role.BUREAU)


@pytest.fixture
def cited(ledger) -> tuple[str, str, str]:
    """A photo of two chunks cited by a hazard, and a photo nobody cites: (cited, hazard, loose)."""
    store = PostgresFileStore(ledger.recorder.datastore)
    big = store.put(io.BytesIO(_noisy_jpeg()), party="county:bureau", actor=BUREAU.id).sha256
    loose = store.put(io.BytesIO(jpeg()), party="county:bureau", actor=BUREAU.id).sha256
    plant = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="某厂", township="330226001",
                                       sector="trade", scale="small_micro").id
    hazard = ledger.report_hazard(BUREAU, enterprise_id=plant, source="government_check",
                                  category="unsafe_condition", description="隐患", level="general",
                                  discovered_on=date(2026, 6, 1), evidence=[f"sha256:{big}"]).id
    return big, hazard, loose


def _noisy_jpeg() -> bytes:
    """A JPEG over 256 KiB (two chunks or more): random pixels do not compress."""
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (512, 512), os.urandom(512 * 512 * 3)).save(out, "JPEG", quality=95)
    assert len(out.getvalue()) > 256 * 1024, len(out.getvalue())
    return out.getvalue()


def _sql(database_url: str, statement: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement)


def _cli(database_url: str, schema: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "HAZARD_DATA_DIR": str(tmp_path)}
    return subprocess.run([HAZARD, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)


def test_intact_files_pass(ledger, cited, database_url, schema, tmp_path):
    verdict = verify_files(ledger)
    assert verdict.ok and verdict.checked == 2 and verdict.bytes > 256 * 1024
    done = _cli(database_url, schema, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "证据文件完好：已重新计算 2 个文件的 SHA-256" in done.stdout


def test_a_changed_chunk_is_named_with_the_hazard_citing_it(ledger, cited, database_url, schema, tmp_path):
    big, hazard, loose = cited
    _sql(database_url, f"""UPDATE "{schema}".file_chunks SET data = overlay(data placing '\\x00ff'::bytea
                           from 1000) WHERE sha256 = '{big}' AND n = 1""")
    verdict = verify_files(ledger)
    assert [(f.sha256, f.problem, f.cited_by) for f in verdict.faults] == [(big, "changed", (f"hazard:{hazard}",))]
    done = _cli(database_url, schema, tmp_path)
    assert done.returncode == 1
    assert f"sha256:{big} 内容被改动" in done.stdout and f"hazard:{hazard}" in done.stdout
    assert loose not in done.stdout
    assert "哈希链完好" in done.stdout  # the events are intact: only the bytes changed


def test_vanished_chunks_and_files_are_named(ledger, cited, database_url, schema, tmp_path):
    big, hazard, loose = cited
    _sql(database_url, f"""DELETE FROM "{schema}".file_chunks WHERE sha256 = '{loose}'""")
    _sql(database_url, f"""DELETE FROM "{schema}".file_chunks WHERE sha256 = '{big}';
                           DELETE FROM "{schema}".file_uploads WHERE sha256 = '{big}';
                           DELETE FROM "{schema}".files WHERE sha256 = '{big}'""")
    faults = {f.sha256: (f.problem, f.cited_by) for f in verify_files(ledger).faults}
    assert faults == {loose: ("vanished", ()), big: ("vanished", (f"hazard:{hazard}",))}
    done = _cli(database_url, schema, tmp_path)
    assert done.returncode == 1
    assert f"sha256:{big} 已丢失：被引用的文件不存在" in done.stdout
    assert f"sha256:{loose} 已丢失：文件块缺失" in done.stdout
