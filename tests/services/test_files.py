"""The evidence-file store on real PostgreSQL: one file per content, streamed in chunks,
accepted by its bytes (not its name), photos' EXIF time and GPS position and thumbnails."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from psycopg import sql

from infra.files import Declared, Empty, Mismatch, PostgresFileStore, TooLarge, Unreadable, Unsupported
from infra.files.spool import CHUNK

AGENCY = "agency:A1"


def jpeg(size=(640, 480), exif: Image.Exif | None = None, colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (255, 0, 0, 128)).save(out, "PNG")
    return out.getvalue()


def pdf(body: bytes = b"1 0 obj << >> endobj\n") -> bytes:
    return b"%PDF-1.7\n" + body + b"trailer << >>\n%%EOF\n"


def photo_exif(*, taken: str = "2026:06:12 14:30:05", offset: str | None = None,
               orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: DateTimeOriginal (local), GPS 29°17'30"N 121°25'58.8"E (宁海)."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "HUAWEI", "测试手机"  # Make, Model (Pillow writes no EXIF without them)
    if orientation:
        exif[0x0112] = orientation
    details = exif.get_ifd(0x8769)
    details[0x9003] = taken
    if offset:
        details[0x9011] = offset
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (29.0, 17.0, 30.0), 3: "E", 4: (121.0, 25.0, 58.8)})
    return exif


@pytest.fixture
def store(ledger) -> PostgresFileStore:
    return PostgresFileStore(ledger.recorder.datastore, limit=10 * 1024 * 1024)


def rows(store: PostgresFileStore) -> dict[str, int]:
    counts = {}
    with store.datastore.transaction(commit=False) as curs:
        for table in ("files", "file_chunks", "file_uploads"):
            curs.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(
                sql.Identifier(store.datastore.schema, table)))
            counts[table] = curs.fetchone()["n"]
    return counts


def test_the_same_bytes_twice_are_one_file_uploaded_by_two_parties(store):
    data = jpeg()
    first = store.put(io.BytesIO(data), party=AGENCY, actor="a-1")
    again = store.put(io.BytesIO(data), party=AGENCY, actor="a-2")
    other = store.put(io.BytesIO(data), party="enterprise:E1", actor="e-1")
    assert first.sha256 == again.sha256 == other.sha256 == hashlib.sha256(data).hexdigest()
    assert (first.created, again.created, other.created) == (True, False, False)
    assert first.as_dict() == {"sha256": first.sha256, "size": len(data), "media_type": "image/jpeg"}
    assert rows(store) == {"files": 1, "file_chunks": 1, "file_uploads": 2}
    assert store.parties(first.sha256) == {AGENCY, "enterprise:E1"}
    assert store.exists(first.sha256) and not store.exists("0" * 64)


def test_concurrent_uploads_of_the_same_bytes_make_one_file_and_no_error(store):
    data = pdf(os.urandom(3 * CHUNK))
    start, results, errors = threading.Barrier(3), [], []

    def upload(n: int) -> None:
        start.wait()
        try:
            results.append(store.put(io.BytesIO(data), party=f"agency:A{n}", actor=f"a-{n}"))
        except Exception as e:  # noqa: BLE001 - the test reports any
            errors.append(e)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {r.sha256 for r in results} == {hashlib.sha256(data).hexdigest()}
    assert sorted(r.created for r in results) == [False, False, True]
    assert rows(store) == {"files": 1, "file_chunks": 4, "file_uploads": 3}
    assert b"".join(store.open(results[0].sha256)) == data


def test_a_large_file_streams_in_and_out_in_chunks_never_whole_in_memory(store, tmp_path: Path):
    """A 10 MiB PDF from disk: stored as 40 rows of 256 KiB; neither storing nor reading it
    holds more than a fraction of it in Python's memory."""
    size = 10 * 1024 * 1024
    source = tmp_path / "big.pdf"
    digest = hashlib.sha256()
    with source.open("wb") as f:
        head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
        blocks = [head] + [os.urandom(CHUNK) for _ in range(39)]
        blocks.append(os.urandom(size - sum(map(len, blocks)) - len(tail)) + tail)
        for block in blocks:
            f.write(block)
            digest.update(block)
    tracemalloc.start()
    with source.open("rb") as f:
        stored = store.put(f, party=AGENCY, actor="a-1")
    _, peak_in = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    chunks = store.open(stored.sha256)
    read, largest = hashlib.sha256(), 0
    for chunk in chunks:
        read.update(chunk)
        largest = max(largest, len(chunk))
    _, peak_out = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (stored.sha256, stored.size) == (digest.hexdigest(), size)
    assert read.hexdigest() == digest.hexdigest()
    assert largest == CHUNK
    assert rows(store)["file_chunks"] == 40
    print(f"10 MiB file: peak Python memory storing {peak_in / 2**20:.1f} MiB, "
          f"reading {peak_out / 2**20:.1f} MiB")
    assert peak_in < size / 3 and peak_out < size / 3


@pytest.mark.parametrize("make, declared, refusal, says", [
    (lambda: b"just some text\n", Declared("image/jpeg", "photo.jpg"), Unsupported, "纯文本"),
    (lambda: b"GIF89a" + bytes(40), Declared(None, "anim.gif"), Unsupported, "GIF"),
    (lambda: b"PK\x03\x04" + bytes(40), Declared(None, "report.docx"), Unsupported, "ZIP"),
    (png, Declared("image/jpeg", "photo.jpg"), Mismatch, "PNG"),
    (jpeg, Declared("application/pdf", None), Mismatch, "application/pdf"),
    (lambda: jpeg()[:600], Declared("image/jpeg", "cut.jpg"), Unreadable, "JPEG"),
    (lambda: pdf()[:-7], Declared("application/pdf", "cut.pdf"), Unreadable, "%%EOF"),
    (lambda: b"", Declared("image/jpeg", "empty.jpg"), Empty, "0 字节"),
], ids=["text-named-jpg", "gif", "docx", "png-declared-jpeg", "jpeg-declared-pdf", "truncated-jpeg",
        "truncated-pdf", "empty"])
def test_files_are_judged_by_their_bytes_and_nothing_is_stored_when_refused(store, make, declared,
                                                                            refusal, says):
    with pytest.raises(refusal) as refused:
        store.put(io.BytesIO(make()), party=AGENCY, actor="a-1", declared=declared)
    assert says in refused.value.message
    assert rows(store) == {"files": 0, "file_chunks": 0, "file_uploads": 0}


def test_accepted_kinds_by_content_whatever_they_are_called(store):
    heic = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(heic, format="HEIF")
    webp = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 10, 200)).save(webp, format="WEBP")
    named = {"image/jpeg": (jpeg(), Declared("application/octet-stream", "IMG_0001")),
             "image/png": (png(), Declared(None, "scan.PNG")),
             "image/webp": (webp.getvalue(), None),
             "image/heic": (heic.getvalue(), Declared("image/heif", "IMG_0002.HEIC")),
             "application/pdf": (pdf(), Declared("application/pdf", "整改报告.pdf"))}
    for media_type, (data, declared) in named.items():
        stored = store.put(io.BytesIO(data), party=AGENCY, actor="a-1", declared=declared)
        meta = store.metadata(stored.sha256)
        assert (stored.media_type, meta.media_type) == (media_type, media_type)
        assert meta.has_thumbnail == (media_type != "application/pdf")
    assert store.thumbnail(hashlib.sha256(pdf()).hexdigest()) is None


def test_a_photo_keeps_its_exif_time_in_utc_and_its_gps_position(store):
    stored = store.put(io.BytesIO(jpeg(exif=photo_exif())), party=AGENCY, actor="a-1")
    meta = store.metadata(stored.sha256)
    assert meta.taken_at == datetime(2026, 6, 12, 6, 30, 5, tzinfo=UTC)  # 14:30:05 in Shanghai
    assert meta.latitude == pytest.approx(29 + 17 / 60 + 30 / 3600, abs=1e-6)
    assert meta.longitude == pytest.approx(121 + 25 / 60 + 58.8 / 3600, abs=1e-6)
    abroad = store.put(io.BytesIO(jpeg(exif=photo_exif(offset="+09:00"), colour=(1, 2, 3))),
                       party=AGENCY, actor="a-1")
    assert store.metadata(abroad.sha256).taken_at == datetime(2026, 6, 12, 5, 30, 5, tzinfo=UTC)
    plain = store.metadata(store.put(io.BytesIO(png()), party=AGENCY, actor="a-1").sha256)
    assert (plain.taken_at, plain.latitude, plain.longitude) == (None, None, None)


def test_a_thumbnail_is_a_small_jpeg_turned_as_the_camera_said(store):
    """A 2000×1500 photo taken with the phone on its side (orientation 6)."""
    stored = store.put(io.BytesIO(jpeg((2000, 1500), exif=photo_exif(orientation=6))),
                       party=AGENCY, actor="a-1")
    thumbnail = Image.open(io.BytesIO(store.thumbnail(stored.sha256)))
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (240, 320)  # upright: taller than wide, 320 on its longest side
    meta = store.metadata(stored.sha256)
    assert (meta.width, meta.height) == (2000, 1500)


def test_more_bytes_than_the_limit_are_refused_and_nothing_is_stored(ledger):
    small = PostgresFileStore(ledger.recorder.datastore, limit=1000)
    with pytest.raises(TooLarge):
        small.put(io.BytesIO(pdf(bytes(2000))), party=AGENCY, actor="a-1")
    assert rows(small) == {"files": 0, "file_chunks": 0, "file_uploads": 0}
    assert small.put(io.BytesIO(pdf()), party=AGENCY, actor="a-1").size == len(pdf())
