"""The evidence-file store with its bytes in an S3-compatible object store (HAZARD_FILE_STORE=s3):
the same behaviour as on PostgreSQL — one file per content, streamed in and out, judged by its
bytes, photos' facts — against a real server (MinIO in docker-compose.yml), and `hazard audit
verify` re-hashing the objects.

No such server can be installed on these machines, and nothing stands in for one: these tests
run where HAZARD_TEST_S3_ENDPOINT names a server (with HAZARD_TEST_S3_ACCESS_KEY,
HAZARD_TEST_S3_SECRET_KEY; HAZARD_TEST_S3_BUCKET, default `hazard-test`, created if missing),
and are skipped, saying so, otherwise. The settings' checks run everywhere.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.files import Declared, Empty, Mismatch, PostgresFileStore, TooLarge, Unsupported
from infra.files.spool import CHUNK
from infra.settings import Settings
from services.file_audit import verify_files
from tests.services.test_files import AGENCY, jpeg, pdf, photo_exif, png, rows

ENDPOINT = os.environ.get("HAZARD_TEST_S3_ENDPOINT")
needs_s3 = pytest.mark.skipif(
    not ENDPOINT, reason="no S3-compatible server reachable: set HAZARD_TEST_S3_ENDPOINT (and "
    "HAZARD_TEST_S3_ACCESS_KEY, HAZARD_TEST_S3_SECRET_KEY, HAZARD_TEST_S3_BUCKET) to run the S3 "
    "file store's tests (MinIO in docker-compose.yml: `docker compose up -d minio`, then "
    "HAZARD_TEST_S3_ENDPOINT=http://127.0.0.1:9000 HAZARD_TEST_S3_ACCESS_KEY=minioadmin "
    "HAZARD_TEST_S3_SECRET_KEY=minioadmin)")
HAZARD = str(Path(sys.executable).with_name("hazard"))


def s3_env(prefix: str) -> dict[str, str]:
    """The app's settings for the test server, objects under this test's own prefix."""
    return {"HAZARD_FILE_STORE": "s3", "HAZARD_S3_ENDPOINT": ENDPOINT or "",
            "HAZARD_S3_BUCKET": os.environ.get("HAZARD_TEST_S3_BUCKET") or "hazard-test",
            "HAZARD_S3_ACCESS_KEY": os.environ.get("HAZARD_TEST_S3_ACCESS_KEY") or "",
            "HAZARD_S3_SECRET_KEY": os.environ.get("HAZARD_TEST_S3_SECRET_KEY") or "",
            "HAZARD_S3_REGION": os.environ.get("HAZARD_TEST_S3_REGION") or "us-east-1",
            "HAZARD_S3_PREFIX": prefix}


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}/files/"


@pytest.fixture
def s3_store(ledger, prefix) -> Iterator:
    from infra.files.s3 import S3FileStore, S3Target

    target = S3Target.of(Settings.from_env(s3_env(prefix)))
    store = S3FileStore(ledger.recorder.datastore, target, limit=10 * 1024 * 1024)
    yield store
    for key in objects(store):
        store.s3.delete_object(Bucket=target.bucket, Key=key)


def objects(store) -> list[str]:
    listed = store.s3.list_objects_v2(Bucket=store.target.bucket, Prefix=store.target.prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


# -- the settings (run everywhere) ------------------------------------------------------------

def test_postgres_is_the_default_and_s3_needs_its_address():
    assert Settings.from_env({}).file_store == "postgres"
    with pytest.raises(ValueError, match="HAZARD_S3_ENDPOINT and HAZARD_S3_BUCKET"):
        Settings.from_env({"HAZARD_FILE_STORE": "s3"})
    with pytest.raises(ValueError, match="expected one of postgres, s3"):
        Settings.from_env({"HAZARD_FILE_STORE": "disk"})
    with pytest.raises(ValueError, match="go together"):
        Settings.from_env({**s3_env("p/"), "HAZARD_S3_ENDPOINT": "http://127.0.0.1:9000",
                           "HAZARD_S3_ACCESS_KEY": "key", "HAZARD_S3_SECRET_KEY": ""})
    settings = Settings.from_env({**s3_env("evidence"), "HAZARD_S3_ENDPOINT": "http://127.0.0.1:9000"})
    assert (settings.file_store, settings.s3_prefix) == ("s3", "evidence/")
    assert "s3_secret_key" not in repr(settings)  # never printed


# -- the store on a real server ---------------------------------------------------------------

@needs_s3
def test_the_same_bytes_twice_are_one_object_keyed_by_their_hash(s3_store, prefix):
    data = jpeg()
    first = s3_store.put(io.BytesIO(data), party=AGENCY, actor="a-1")
    again = s3_store.put(io.BytesIO(data), party=AGENCY, actor="a-2")
    other = s3_store.put(io.BytesIO(data), party="enterprise:E1", actor="e-1")
    sha = hashlib.sha256(data).hexdigest()
    assert first.sha256 == again.sha256 == other.sha256 == sha
    assert (first.created, again.created, other.created) == (True, False, False)
    assert objects(s3_store) == [f"{prefix}{sha[:2]}/{sha[2:4]}/{sha}"]
    assert rows(s3_store) == {"files": 1, "file_chunks": 0, "file_uploads": 2}  # facts in PostgreSQL
    assert s3_store.parties(sha) == {AGENCY, "enterprise:E1"}
    assert b"".join(s3_store.open(sha)) == data


@needs_s3
def test_concurrent_uploads_of_the_same_bytes_make_one_file_and_no_error(s3_store):
    data = pdf(os.urandom(3 * CHUNK))
    start, results, errors = threading.Barrier(3), [], []

    def upload(n: int) -> None:
        start.wait()
        try:
            results.append(s3_store.put(io.BytesIO(data), party=f"agency:A{n}", actor=f"a-{n}"))
        except Exception as e:  # noqa: BLE001 - the test reports any
            errors.append(e)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.created for r in results) == [False, False, True]
    assert len(objects(s3_store)) == 1
    assert rows(s3_store) == {"files": 1, "file_chunks": 0, "file_uploads": 3}
    assert b"".join(s3_store.open(results[0].sha256)) == data


@needs_s3
@pytest.mark.parametrize("multipart", [False, True], ids=["one-put", "multipart"])
def test_a_large_file_streams_in_and_out_never_whole_in_memory(s3_store, tmp_path: Path, multipart):
    """A 10 MiB PDF from disk, in one PUT or in 8 MiB parts; read back CHUNK by CHUNK."""
    s3_store.multipart_above = 5 * 1024 * 1024 if multipart else 64 * 1024 * 1024
    size = 10 * 1024 * 1024
    source = tmp_path / "big.pdf"
    body = b"%PDF-1.7\n" + os.urandom(size - 16) + b"\n%%EOF\n"
    source.write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    del body
    tracemalloc.start()
    with source.open("rb") as f:
        stored = s3_store.put(f, party=AGENCY, actor="a-1")
    _, peak_in = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    read, largest = hashlib.sha256(), 0
    for chunk in s3_store.open(stored.sha256):
        read.update(chunk)
        largest = max(largest, len(chunk))
    _, peak_out = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (stored.sha256, stored.size, read.hexdigest()) == (digest, size, digest)
    assert largest <= CHUNK
    print(f"10 MiB file to S3 ({'multipart' if multipart else 'one PUT'}): peak Python memory "
          f"storing {peak_in / 2**20:.1f} MiB, reading {peak_out / 2**20:.1f} MiB")
    assert peak_in < size / 3 and peak_out < size / 3  # parts too are read from the spool as sent


@needs_s3
@pytest.mark.parametrize("make, declared, refusal", [
    (lambda: b"just some text\n", Declared("image/jpeg", "photo.jpg"), Unsupported),
    (png, Declared("image/jpeg", "photo.jpg"), Mismatch),
    (lambda: b"", Declared("image/jpeg", "empty.jpg"), Empty),
    (lambda: pdf(bytes(11 * 1024 * 1024)), None, TooLarge),
], ids=["text", "png-declared-jpeg", "empty", "too-large"])
def test_refused_files_leave_no_object_and_no_row(s3_store, make, declared, refusal):
    with pytest.raises(refusal):
        s3_store.put(io.BytesIO(make()), party=AGENCY, actor="a-1", declared=declared)
    assert objects(s3_store) == []
    assert rows(s3_store) == {"files": 0, "file_chunks": 0, "file_uploads": 0}


@needs_s3
def test_a_photo_keeps_its_facts_and_thumbnail_in_postgresql(s3_store):
    stored = s3_store.put(io.BytesIO(jpeg((2000, 1500), exif=photo_exif(orientation=6))),
                          party=AGENCY, actor="a-1")
    meta = s3_store.metadata(stored.sha256)
    assert (meta.width, meta.height, meta.chunks) == (2000, 1500, 0)
    assert meta.taken_at == datetime(2026, 6, 12, 6, 30, 5, tzinfo=UTC)
    assert meta.latitude == pytest.approx(29 + 17 / 60 + 30 / 3600, abs=1e-6)
    assert s3_store.thumbnail(stored.sha256)[:2] == b"\xff\xd8"


@needs_s3
def test_files_stored_in_postgresql_before_the_switch_are_still_read(ledger, s3_store):
    old = PostgresFileStore(ledger.recorder.datastore).put(io.BytesIO(png()), party=AGENCY, actor="a-1")
    assert b"".join(s3_store.open(old.sha256)) == png()
    assert objects(s3_store) == [] and list(s3_store.verify()) == []


@needs_s3
def test_audit_verify_names_changed_and_vanished_objects(ledger, s3_store, prefix, database_url,
                                                         schema, tmp_path):
    changed = s3_store.put(io.BytesIO(jpeg()), party=AGENCY, actor="a-1").sha256
    gone = s3_store.put(io.BytesIO(pdf()), party=AGENCY, actor="a-1").sha256
    kept = s3_store.put(io.BytesIO(png()), party=AGENCY, actor="a-1").sha256
    ledger.file_store = s3_store
    assert verify_files(ledger).ok and verify_files(ledger).checked == 3
    target = s3_store.target
    s3_store.s3.put_object(Bucket=target.bucket, Key=target.key(changed), Body=jpeg(colour=(9, 9, 9)))
    s3_store.s3.delete_object(Bucket=target.bucket, Key=target.key(gone))
    faults = {f.sha256: f.problem for f in verify_files(ledger).faults}
    assert faults == {changed: "changed", gone: "vanished"}
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HAZARD_DB_SCHEMA": schema,
           "HAZARD_DATA_DIR": str(tmp_path), **s3_env(prefix)}
    done = subprocess.run([HAZARD, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"sha256:{changed} 内容被改动" in done.stdout
    assert f"sha256:{gone} 已丢失：对象存储中没有该文件" in done.stdout
    assert kept not in done.stdout
