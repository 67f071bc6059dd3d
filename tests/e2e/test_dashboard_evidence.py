"""Evidence and checklists in a real browser (issue 13 point 7): a photo uploaded through the API
shows as a thumbnail on its hazard's page (the full photo on a click, a PDF opened from its blob),
the cited criterion's article in Chinese, and the inspection's page shows its checklist.

Reuses test_dashboard.py's served county (its `site`, `browser` and `shots` fixtures and helpers),
so it needs what that module needs: Chromium and the playwright package (skips, or fails in CI).
HAZARD_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/hazard-evidence.png and
inspection.png.
"""

from __future__ import annotations

import io
from datetime import date

import httpx
import pytest
from PIL import Image, ImageDraw

from domain.actor import Role
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import _open, browser, ready, shot, shots, site

FIXTURES = (browser, shots, site)  # test_dashboard.py's served county, Chromium and screenshot folder

DAY = date(2026, 6, 1)
CRITERION = "gm10-9-1"  # 纺织: a major-hazard criterion for 工贸 (trade) enterprises


def _jpeg(width: int = 640, height: int = 480) -> bytes:
    image = Image.new("RGB", (width, height), (90, 120, 150))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 80, 420, 400), fill=(200, 40, 40))
    draw.ellipse((380, 60, 600, 280), fill=(240, 220, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 120), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def _post(site, token: str, path: str, **kwargs) -> dict:
    answer = httpx.post(f"{site.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                        timeout=30, **kwargs)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def found(site) -> dict:
    """A 工贸 textile mill inspected by an agency on 1 June: item 01 of the textile checklist failed
    with a photo and became a major hazard citing gm10-9-1 (the photo and an inspection PDF as its
    evidence); item 02 passed."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板证据测试纺织厂",
                                   township="330226001", sector="trade", scale="small_micro").id
    a = ledger.register_agency(bureau, credit_code=credit_code(), name="看板证据测试安评公司").id
    expert = ledger.add_expert(bureau, a, name="陈工", certificate_no="Z-dash-1").id
    c = ledger.propose_contract(bureau, enterprise_id=e, agency_id=a, service="monthly",
                                start=date(2026, 1, 1), end=date(2026, 12, 31), fee=3600).id
    ledger.countersign_contract(actor(Role.AGENCY), c)
    i = ledger.schedule_inspection(bureau, enterprise_id=e, agency_id=a, kind="monthly", basis_id=c,
                                   scheduled_for=DAY).id
    ledger.perform_inspection(actor(Role.AGENCY), i, expert_ids=[expert], performed_on=DAY)
    agency = site.tokens.issue(role="agency", agency_id=str(a), name="安评公司 陈工")

    photo = _post(site, agency, "/files", files={"file": ("现场.jpg", _jpeg(), "image/jpeg")})
    assert photo["media_type"] == "image/jpeg"
    pdf = _post(site, agency, "/files", files={"file": ("报告.pdf", _pdf(), "application/pdf")})
    evidence = [f"sha256:{photo['sha256']}", f"sha256:{pdf['sha256']}", "纱库现场照片一张"]
    hazard = _post(site, agency, "/hazards", json={
        "enterprise_id": str(e), "inspection_id": str(i), "source": "inspection",
        "category": "unsafe_condition", "description": "纱库与车间未设防火分隔", "level": "major",
        "discovered_on": DAY.isoformat(), "criterion": CRITERION, "evidence": evidence})["id"]
    _post(site, agency, f"/inspections/{i}/checklist", json={"template_id": "gm10-textile", "results": [
        {"item_id": "gm10-textile-01", "result": "failed", "note": "纱库与车间未分隔",
         "evidence": [f"sha256:{photo['sha256']}"], "hazard_id": hazard},
        {"item_id": "gm10-textile-02", "result": "passed"}]})
    return {"enterprise": str(e), "inspection": str(i), "hazard": hazard, "agency": agency,
            "photo": photo["sha256"], "pdf": pdf["sha256"]}


def _token_in_addresses(page, token: str) -> list[str]:
    leaked: list[str] = []
    # the event stream is the one route that takes ?token= (EventSource cannot send headers)
    page.on("request", lambda r: token in r.url and "/events/stream" not in r.url and leaked.append(r.url))
    return leaked


def test_the_hazard_page_shows_the_photo_the_pdf_and_the_article(browser, site, shots, found):
    state = site.api(f"/hazards/{found['hazard']}")
    assert state["criterion_article"].startswith("《")
    with _open(browser, site, site.bureau) as page:
        leaked = _token_in_addresses(page, site.bureau)
        ready(page, f"{site.url}/hazards/{found['hazard']}")
        assert page.locator("#criterion-article").inner_text() == state["criterion_article"]

        photo = page.locator(f"#evidence-files figure[data-sha256='{found['photo']}'][data-state=ready]")
        photo.wait_for()
        thumb = photo.locator("img.thumb")
        assert thumb.evaluate("img => img.complete && img.naturalWidth") > 0
        assert thumb.get_attribute("src").startswith("blob:")
        assert "sha256:" not in page.locator("main").inner_text()
        assert "纱库现场照片一张" in page.locator("main").inner_text()  # text evidence stays text
        shot(page, shots / "hazard-evidence.png")

        thumb.click()  # the full photo, over the page
        page.locator("#photo-dialog[data-state=ready]").wait_for()
        assert page.locator("#photo-dialog img.photo").evaluate("img => img.naturalWidth") == 640
        page.locator("#photo-dialog button").click()

        document = page.locator(f"#evidence-files figure[data-sha256='{found['pdf']}'] button.file-link")
        assert document.inner_text().startswith("打开PDF 文档")
        with page.context.expect_page() as opened:
            document.click()
        assert opened.value.url.startswith("blob:")
        opened.value.close()
        assert leaked == []


def test_the_inspection_page_shows_its_checklist_and_the_hazards_it_became(browser, site, shots, found):
    inspection = site.api(f"/inspections/{found['inspection']}")
    summary = inspection["checklist_summary"]
    with _open(browser, site, site.bureau) as page:
        ready(page, f"{site.url}/hazards/{found['hazard']}")
        page.click("#inspection-link")
        page.wait_for_selector("main[data-ready=true]")
        assert page.url == f"{site.url}/inspections/{found['inspection']}"
        for key in ("items", "passed", "failed", "not_applicable"):
            assert page.locator(f"[data-summary={key}] .value").inner_text() == str(summary[key]), key
        assert page.locator("[data-summary=hazards] .value").inner_text() == "1"
        rows = page.locator("[data-testid=checklist-items] tbody tr")
        assert [r.get_attribute("data-result") for r in rows.all()] == ["failed", "passed"]
        assert [r.locator("td").nth(3).inner_text() for r in rows.all()] == ["不合格", "合格"]
        assert "第九条" in rows.first.inner_text()  # the item's criterion, as its article
        failed = page.locator("#failed-items li a")
        assert failed.count() == 1 and failed.inner_text().startswith("纱库与车间未设防火分隔")
        assert failed.get_attribute("href") == f"/hazards/{found['hazard']}"
        rows.first.locator("figure[data-state=ready] img.thumb").wait_for()
        shown = page.locator("main").inner_text()
        for raw in (found["inspection"], found["hazard"], found["enterprise"], "gm10", "failed", "passed",
                    "not_applicable", "monthly", "report_filed", "performed"):
            assert raw not in shown, raw
        shot(page, shots / "inspection.png")
        failed.click()
        page.wait_for_selector("main[data-ready=true]")
        assert page.url == f"{site.url}/hazards/{found['hazard']}"


# --- 未报名单 (issue 13 point 5's list, seen by people) -------------------------------------------
def test_the_non_reporter_list_shows_what_the_api_says_and_exports(browser, site, shots):
    month = "2025-12"
    answer = site.api("/non-reporters", month=month, page_size=50)
    assert answer["non_reporters"] > 0
    with _open(browser, site, site.bureau) as page:
        ready(page, f"{site.url}/non-reporters?month={month}")
        for key in ("enterprises", "self_reported", "inspected_by_agency", "non_reporters"):
            assert page.locator(f"[data-counter={key}] .value").inner_text().replace(",", "") == str(answer[key]), key
        assert page.locator("#total").inner_text().replace(",", "") == str(answer["non_reporters"])
        rows = page.locator("[data-testid=non-reporters-table] tbody tr[data-enterprise]")
        assert [r.get_attribute("data-enterprise") for r in rows.all()] == [i["enterprise_id"] for i in answer["items"]]
        if answer["items"]:
            assert answer["items"][0]["name"] in rows.first.inner_text()
        shot(page, shots / "non-reporters.png", most=1100)
        with page.expect_download() as csv_download:
            page.click("#export-csv")
        lines = open(csv_download.value.path(), encoding="utf-8-sig").read().strip().splitlines()
        assert len(lines) == answer["non_reporters"] + 1

        township = answer["items"][0]["township"] if answer["items"] else "330226001"
        page.select_option("#f-township", township)
        before = page.evaluate("document.querySelector('main').dataset.loaded")
        page.click("#filters button[type=submit]")
        page.wait_for_function("n => document.querySelector('main').dataset.loaded !== n", arg=before)
        narrowed = site.api("/non-reporters", month=month, township=township)
        assert page.locator("#total").inner_text().replace(",", "") == str(narrowed["non_reporters"])
        assert f"township={township}" in page.url
