"""Evidence files over HTTP: upload as an agency, read back by its own party and the county,
refused to others; judged by content; bounded in size; nothing stored on any refusal."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator
from itertools import chain

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from psycopg import sql

from services.api.app import create_app
from tests.services.test_files import jpeg, pdf, photo_exif

A1 = {"agency_id": "agency-1"}


@pytest.fixture
def upload(client, auth):
    def post(data: bytes, name: str = "photo.jpg", media_type: str = "image/jpeg", role: str = "agency",
             web: TestClient | None = None, **scope: str):
        scope = scope or (A1 if role == "agency" else {})
        return (web or client).post("/api/v1/files", files={"file": (name, data, media_type)},
                                    headers=auth(role, **scope))
    return post


def stored_rows(ledger) -> dict[str, int]:
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        counts = {}
        for table in ("files", "file_chunks", "file_uploads"):
            curs.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(sql.Identifier(datastore.schema, table)))
            counts[table] = curs.fetchone()["n"]
        return counts


NOTHING = {"files": 0, "file_chunks": 0, "file_uploads": 0}


def test_an_agency_uploads_a_photo_and_reads_it_back_others_may_not(client, auth, upload, ledger):
    data = jpeg(exif=photo_exif())
    sha = hashlib.sha256(data).hexdigest()
    first = upload(data)
    assert first.status_code == 201
    assert first.json() == {"sha256": sha, "size": len(data), "media_type": "image/jpeg"}
    again = upload(data, name="same-photo-again.jpg")  # the same bytes: one file, the same answer
    assert (again.status_code, again.json()) == (201, first.json())
    assert stored_rows(ledger) == {"files": 1, "file_chunks": 1, "file_uploads": 1}

    mine = client.get(f"/api/v1/files/{sha}", headers=auth("agency", name="同机构另一人", **A1))
    assert mine.status_code == 200 and mine.content == data
    assert mine.headers["content-type"] == "image/jpeg"
    assert mine.headers["content-disposition"] == f'inline; filename="{sha[:16]}.jpg"'
    assert mine.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/v1/files/{sha}", headers=auth("bureau")).status_code == 200
    for role, scope in [("agency", {"agency_id": "agency-2"}), ("enterprise", {"enterprise_id": "e-1"}),
                        ("township", {"township": "330226001"}), ("regulator", {"sector": "chem"})]:
        refused = client.get(f"/api/v1/files/{sha}", headers=auth(role, **scope))
        assert (refused.status_code, refused.json()["rule"]) == (403, "access:file.read"), role
        assert client.get(f"/api/v1/files/{sha}/thumbnail", headers=auth(role, **scope)).status_code == 403

    unknown = client.get(f"/api/v1/files/{'0' * 64}", headers=auth("bureau"))
    assert unknown.status_code == 404
    assert client.get("/api/v1/files/not-a-hash", headers=auth("bureau")).status_code == 422


def test_a_party_that_uploads_the_same_bytes_may_read_them_too(client, auth, upload):
    data = jpeg()
    sha = upload(data).json()["sha256"]
    enterprise = {"enterprise_id": "e-1"}
    assert client.get(f"/api/v1/files/{sha}", headers=auth("enterprise", **enterprise)).status_code == 403
    assert upload(data, role="enterprise", **enterprise).status_code == 201
    assert client.get(f"/api/v1/files/{sha}", headers=auth("enterprise", **enterprise)).content == data


def test_thumbnail_and_the_photos_time_and_place(client, auth, upload):
    sha = upload(jpeg((1600, 1200), exif=photo_exif())).json()["sha256"]
    thumb = client.get(f"/api/v1/files/{sha}/thumbnail", headers=auth("agency", **A1))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
    assert thumb.headers["x-content-type-options"] == "nosniff"
    meta = client.get(f"/api/v1/files/{sha}/metadata", headers=auth("agency", **A1)).json()
    assert meta["taken_at"] == "2026-06-12T14:30:05+08:00"  # stored in UTC, shown in Asia/Shanghai
    assert meta["position"] == {"latitude": pytest.approx(29.2916667), "longitude": pytest.approx(121.4330)}
    assert (meta["width"], meta["height"], meta["thumbnail"]) == (1600, 1200, True)

    document = upload(pdf(), name="整改报告.pdf", media_type="application/pdf").json()["sha256"]
    none = client.get(f"/api/v1/files/{document}/thumbnail", headers=auth("agency", **A1))
    assert none.status_code == 404 and "PDF" in none.json()["message"]
    served = client.get(f"/api/v1/files/{document}", headers=auth("agency", **A1))
    assert served.headers["content-type"] == "application/pdf" and served.content == pdf()


@pytest.mark.parametrize("name, data, media_type, status, says", [
    ("photo.jpg", b"this is not a photo\n", "image/jpeg", 415, "纯文本"),
    ("photo.jpg", b"GIF89a" + bytes(64), "image/jpeg", 415, "GIF"),
    ("scan.png", None, "image/png", 422, "JPEG"),  # JPEG bytes declared as PNG
    ("photo.jpg", b"", "image/jpeg", 422, "0 字节"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "image/jpeg", 422, "可读取"),
])
def test_bad_files_are_refused_naming_what_was_found_and_nothing_is_stored(upload, ledger, name, data,
                                                                           media_type, status, says):
    refused = upload(jpeg() if data is None else data, name=name, media_type=media_type)
    assert refused.status_code == status
    assert refused.json()["field"] == "file" and says in refused.json()["message"]
    assert stored_rows(ledger) == NOTHING


def test_an_upload_must_be_one_file_in_the_field_file(client, auth, ledger):
    headers = auth("agency", **A1)
    assert client.post("/api/v1/files", json={"file": "x"}, headers=headers).status_code == 415
    other = client.post("/api/v1/files", files={"photo": ("a.jpg", jpeg(), "image/jpeg")}, headers=headers)
    assert other.status_code == 422 and "file" in other.json()["message"]
    two = client.post("/api/v1/files", files=[("file", ("a.jpg", jpeg(), "image/jpeg")),
                                               ("file", ("b.jpg", jpeg(colour=(1, 1, 1)), "image/jpeg"))],
                      headers=headers)
    assert two.status_code == 422
    assert stored_rows(ledger) == NOTHING


def test_auditors_do_not_upload(upload, ledger):
    refused = upload(jpeg(), role="auditor")
    assert (refused.status_code, refused.json()["rule"]) == (403, "access:file.upload")
    assert stored_rows(ledger) == NOTHING


def test_over_the_size_limit_is_413_and_nothing_is_stored(ledger, tokens, auth, upload):
    """A limit of 4,000 bytes: a 6 KB photo is stopped as it streams (the body is within the
    multipart slack), a 100 KB one by its declared length; other routes keep their own limit."""
    with TestClient(create_app(ledger, tokens, max_file=4000)) as small:
        for side, stopped_by in ((90, "file"), (400, "body")):  # photos of noise: 6 KB and 100 KB
            out = io.BytesIO()
            Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG")
            refused = upload(out.getvalue(), web=small)
            assert refused.status_code == 413 and refused.json()["error"] == "too_large"
            assert refused.json()["field"] == stopped_by
        assert upload(pdf(), name="a.pdf", media_type="application/pdf", web=small).status_code == 201
        big = small.post("/api/v1/hazards", content=b"{" + b" " * 300_000 + b"}",
                         headers={**auth("bureau"), "Content-Type": "application/json"})
        assert big.status_code == 413
    assert stored_rows(ledger) == {"files": 1, "file_chunks": 1, "file_uploads": 1}


def test_a_streamed_upload_without_a_length_is_cut_at_the_limit(live_url, auth, ledger):
    """Over real HTTP, a chunked body (no Content-Length) of 11 MiB: 413, nothing stored; a
    chunked upload of exactly the limit (10 MiB) is stored whole and read back, neither way
    holding the file in memory."""
    boundary = "hazardledger-test-boundary"

    def body(payload_blocks):
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
               f"Content-Type: application/pdf\r\n\r\n").encode()
        yield from payload_blocks
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**auth("agency", **A1), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    with httpx.Client(base_url=live_url, timeout=30) as http:
        huge = http.post("/api/v1/files", content=body([b"%PDF-1.7\n"] + [os.urandom(1 << 20)] * 11),
                         headers=headers)
        assert huge.status_code == 413
        assert stored_rows(ledger) == NOTHING
        sent = hashlib.sha256()
        tracemalloc.start()  # the server runs in this process: its memory is counted too
        fine = http.post("/api/v1/files", content=body(_pdf_blocks(10 * 1024 * 1024, sent)), headers=headers)
        _, peak_in = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        back, received = hashlib.sha256(), 0
        with http.stream("GET", f"/api/v1/files/{fine.json()['sha256']}", headers=auth("agency", **A1)) as r:
            for block in r.iter_bytes():
                back.update(block)
                received += len(block)
        _, peak_out = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert fine.status_code == 201
    assert fine.json() == {"sha256": sent.hexdigest(), "size": 10 * 1024 * 1024, "media_type": "application/pdf"}
    assert (back.hexdigest(), received) == (sent.hexdigest(), 10 * 1024 * 1024)
    print(f"10 MiB upload over HTTP: peak Python memory (client + server) {peak_in / 2**20:.1f} MiB in, "
          f"{peak_out / 2**20:.1f} MiB out")
    assert peak_in < 4 * 1024 * 1024 and peak_out < 4 * 1024 * 1024


def _pdf_blocks(size: int, digest) -> Iterator[bytes]:
    """A PDF of exactly `size` bytes, made 64 KiB at a time as it is sent (never whole)."""
    head, tail, block = b"%PDF-1.7\n", b"\n%%EOF\n", 64 * 1024
    middle = size - len(head) - len(tail)
    for data in chain([head], (os.urandom(min(block, middle - at)) for at in range(0, middle, block)), [tail]):
        digest.update(data)
        yield data
