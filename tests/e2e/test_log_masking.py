"""Logs carry no personal data (issue 10 §7): a real `hazard serve` is sent every query
parameter that can carry a person's name or phone, and its whole output is searched for them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest

from infra.auth import Tokens
from services.api.log_masking import MaskPersonalData, mask_text
from tests.e2e.serving import serve_env, serving

SECRET = "log-masking-test-secret-0123456789abcdef"
NAME = "安全员 张三"
FIRM = "宁海县李四五金店"
PHONE = "13912345678"


def _forms(text: str) -> list[str]:
    """How a value can appear in an access log line: as is, percent-encoded, form-encoded."""
    return [text, quote(text), quote_plus(text), quote(text, safe="")]


@pytest.fixture
def served_log(tmp_path: Path, database_url: str, schema: str):
    """`hazard serve` on the test's schema (embedded NATS); yields (base URL, log file)."""
    log_file = tmp_path / "serve.log"
    with serving(serve_env(tmp_path / "var", database_url, schema, SECRET), log_file) as url:
        yield url, log_file


def test_names_phones_and_tokens_in_query_strings_never_reach_the_log(served_log):
    url, log_file = served_log
    token = Tokens(SECRET).issue(role="bureau", name="县应急管理局 测试")
    bearer = {"Authorization": f"Bearer {token}"}
    api = f"{url}/api/v1"
    asked = [
        ("/ledger", {"responsible_person": NAME}),
        ("/rates", {"responsible_person": NAME, "by": "county"}),
        ("/compliance", {"responsible_person": NAME}),
        ("/ledger", {"enterprise": FIRM}),
        ("/ledger", {"responsible_person": PHONE}),
        ("/ledger", {"township": f"+86 {PHONE}"}),           # a phone in any parameter
        ("/ledger", {"responsible_person": NAME + "\x00"}),   # refused (422) — and still masked
    ]
    for path, params in asked:
        answer = httpx.get(f"{api}{path}", params=params, headers=bearer, timeout=10)
        assert answer.status_code in (200, 422), answer.text
    stream = httpx.get(f"{api}/events/stream", params={"token": token, "once": 1, "after": 0}, timeout=10)
    assert stream.status_code == 200
    forged = httpx.get(f"{api}/events/stream", params={"token": "forged." + token[-20:]}, timeout=10)
    assert forged.status_code == 401
    assert httpx.get(f"{api}/hazards/{PHONE}", headers=bearer, timeout=10).status_code == 404
    logged = log_file.read_text()

    assert "responsible_person=***" in logged and "enterprise=***" in logged and "token=***" in logged
    for secret in (NAME, "张三", FIRM, PHONE, token, token[-20:]):
        for form in _forms(secret):
            assert form not in logged, f"{form!r} is in the log:\n{logged}"


def test_the_filter_masks_the_access_log_record_as_uvicorn_formats_it():
    record = __import__("logging").LogRecord(
        "uvicorn.access", 20, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/events/stream?token=eyJ.secret.sig&after=3", "1.1", 200), None)
    MaskPersonalData().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/v1/events/stream?token=***&after=3 HTTP/1.1" 200'


@pytest.mark.parametrize("line, expected", [
    ("GET /api/v1/ledger?responsible_person=%E5%BC%A0%E4%B8%89&page=2",
     "GET /api/v1/ledger?responsible_person=***&page=2"),
    ("GET /api/v1/ledger?Responsible_Person=x", "GET /api/v1/ledger?Responsible_Person=***"),
    ("GET /api/v1/ledger?township=%2B86%2013912345678", "GET /api/v1/ledger?township=***"),
    ("GET /api/v1/hazards/13912345678 404", "GET /api/v1/hazards/*** 404"),
    ("GET /api/v1/ledger?after=12&page=3", "GET /api/v1/ledger?after=12&page=3"),
    ("hazard 3f2a9c1e-0000-4000-8000-123456789012 assigned", "hazard 3f2a9c1e-0000-4000-8000-123456789012 assigned"),
])
def test_mask_text(line, expected):
    assert mask_text(line) == expected
