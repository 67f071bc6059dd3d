"""/docs (Swagger UI) and /redoc (ReDoc) work on a network closed to the internet (issue 17 §6):
Chromium loads them with every request to anything but the server aborted, and sees the API's
operations listed with their Chinese summaries. Needs Chromium and playwright (skips, or fails in CI),
like test_dashboard.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.dashboard_conftest import dashboard_app, served
from tests.e2e.test_dashboard import CHROMIUM, CHROMIUM_ARGS, _required

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - reported by _required
    sync_playwright = None


@pytest.fixture
def server(ledger, tokens) -> Iterator[str]:
    with served(dashboard_app(ledger, tokens)) as url:
        yield url


@pytest.fixture
def offline_page(server):
    """A tab on which every request that does not go to the server is aborted and recorded."""
    import os
    _required("the Python package playwright", sync_playwright is not None)
    _required(f"Chromium at {CHROMIUM}", os.access(CHROMIUM, os.X_OK))
    elsewhere, errors = [], []

    def only_the_server(route) -> None:
        if route.request.url.startswith((server, "data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="zh-CN")
        context.route("**/*", only_the_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            yield page
        finally:
            context.close()
            chromium.close()
    assert elsewhere == [], "the documentation pages must load nothing from other hosts"
    assert errors == [], "uncaught errors in the page"


def test_swagger_ui_lists_the_operations_offline(offline_page, server):
    offline_page.goto(server + "/docs")
    offline_page.wait_for_selector(".opblock-summary", state="attached")
    # Swagger UI renders the operations near the viewport only (more as one scrolls): its parsed
    # document holds them all; the page shows them as the reader scrolls down to the hazards
    assert offline_page.evaluate("ui.specSelectors.operations().size") >= 100
    seen = ""
    for _ in range(60):
        seen += offline_page.locator("#swagger-ui").inner_text()
        if "隐患上报" in seen or "上报隐患" in seen:
            break
        offline_page.mouse.wheel(0, 1500)
        offline_page.wait_for_timeout(100)
    assert "隐患上报" in seen or "上报隐患" in seen
    assert offline_page.locator(".opblock").count() > 5
    assert "HazardLedger" in offline_page.title()


def test_redoc_lists_the_operations_offline(offline_page, server):
    offline_page.goto(server + "/redoc")
    offline_page.wait_for_selector("[data-section-id^='operation/']", state="attached")
    assert offline_page.locator("[data-section-id^='operation/']").count() >= 100


def test_the_pages_name_only_the_projects_own_assets(server):
    for path in ("/docs", "/redoc"):
        html = httpx.get(server + path).text
        assert "cdn" not in html.lower() and "googleapis" not in html, path
        assert "/static/api-docs/" in html, path
