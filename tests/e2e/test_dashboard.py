"""The dashboard in a real browser: Debian's Chromium driven by Playwright, clicking through every
page of a simulated county-year, checking that what a person sees equals what the API says.

Needs /usr/bin/chromium (scripts/ensure_chromium.sh installs it) and the `playwright` package.
Without them the tests are skipped — except with CI=true, where that is a failure.

Screenshots of every page go to pytest's temporary folder; set HAZARD_SCREENSHOTS=docs/screenshots
to refresh the ones in the documentation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from infra.auth import Tokens
from projections.operations import running_projections
from services.application import HazardLedger
from tests.e2e.county import YEAR, copied, store_env
from tests.e2e.dashboard_conftest import dashboard_app, served

CHROMIUM = os.environ.get("HAZARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SECRET = "dashboard-test-secret-0123456789-abcdef"
TOWNSHIP, TOWNSHIP_NAME = "330226007", "一市镇"
BUREAU_NAME = "宁海县应急管理局 张科长"
PERIOD = {"discovered_from": f"{YEAR}-01-01", "discovered_to": f"{YEAR}-12-31"}


def _required(what: str, ok: bool) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing (run scripts/ensure_chromium.sh; pin playwright in the test extras)")
    pytest.skip(f"{what} is missing (scripts/ensure_chromium.sh installs Chromium)")


try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # checked in the `browser` fixture: a skip, or a failure in CI
    sync_playwright = None


@dataclass
class Site:
    url: str
    tokens: Tokens
    ledger: HazardLedger
    bureau: str
    township: str

    def api(self, path: str, token: str | None = None, **params) -> dict | list:
        answer = httpx.get(f"{self.url}/api/v1{path}", params=params, timeout=30,
                           headers={"Authorization": f"Bearer {token or self.bureau}"})
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="module")
def site(database_url: str, county_template: str) -> Iterator[Site]:
    """A copy of the simulated county-year (tests/e2e/county.py) with its read models, served as
    `hazard serve` does; each module has its own copy to change."""
    with copied(database_url, county_template) as url:
        env = store_env(url)
        ledger = HazardLedger(env)
        tokens = Tokens(SECRET)
        try:
            with running_projections(env, reference=ledger.reference) as read_models:
                read_models.wait(ledger.recorder.max_notification_id(), ("ledger", "activity"), timeout=60)
                with served(dashboard_app(ledger, tokens, read_models=read_models)) as url:
                    yield Site(url, tokens, ledger, tokens.issue(role="bureau", name=BUREAU_NAME),
                               tokens.issue(role="township", township=TOWNSHIP, name="一市镇安监办 王主任"))
        finally:
            ledger.close()


@pytest.fixture(scope="module")
def browser():
    _required("the Python package playwright", sync_playwright is not None)
    _required(f"Chromium at {CHROMIUM}", os.access(CHROMIUM, os.X_OK))
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HAZARD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def _open(browser, site: Site, token: str | None, phone: bool = False) -> Iterator[Page]:
    """A tab signed in with `token`; `phone`: a 390×844 touch screen (issue 17 §2)."""
    screen = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                  device_scale_factor=2) if phone else dict(viewport={"width": 1280, "height": 800})
    context = browser.new_context(**screen, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    if token:
        context.add_init_script(f"sessionStorage.getItem('hazardledger.token') || "
                                f"sessionStorage.setItem('hazardledger.token', {token!r})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    elsewhere, errors = [], []
    page.on("request", lambda r: r.url.startswith((site.url, "data:", "blob:")) or elsewhere.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()
    assert elsewhere == [], "the dashboard must load nothing from other origins (no CDN)"
    assert errors == [], "uncaught errors in the page"


@pytest.fixture
def page(browser, site) -> Iterator[Page]:
    """A tab signed in with the bureau's token."""
    with _open(browser, site, site.bureau) as tab:
        yield tab


def ready(page: Page, path: str) -> Page:
    page.goto(path)
    page.wait_for_selector("main[data-ready=true]")
    return page


def reloaded(page: Page, action) -> None:
    """Do `action` and wait until the page has drawn its data again."""
    before = page.evaluate("document.querySelector('main').dataset.loaded || '0'")
    action()
    page.wait_for_function("n => (document.querySelector('main').dataset.loaded || '0') !== n", arg=before)


def shot(page: Page, path: Path, most: int = 1800) -> None:
    """The page from the top, at most `most` pixels high (commit-ready PNGs of modest size)."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), most)
    page.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})


def number(text: str) -> int:
    return int(text.replace(",", "").strip())


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def counter(page: Page, key: str) -> int:
    return number(page.locator(f"[data-counter={key}] .value").inner_text())


# --- signing in ---------------------------------------------------------------------------------
def test_signing_in_with_a_token_shows_who_is_signed_in(browser, site, shots):
    with _open(browser, site, None) as page:
        page.goto(site.url + "/")
        expect(page.locator("#sign-in")).to_be_visible()
        shot(page, shots / "signin.png")
        page.fill("#token", "not-a-token")
        page.click("#sign-in button[type=submit]")
        expect(page.locator("#sign-in-error")).to_contain_text("令牌无效")
        page.fill("#token", site.bureau)
        page.click("#sign-in button[type=submit]")
        page.wait_for_selector("main[data-ready=true]")
        expect(page.locator("#holder-name")).to_have_text(BUREAU_NAME)
        expect(page.locator("#holder-role")).to_have_text("县应急管理局")
        expect(page.locator("#holder-scope")).to_have_text("全县")
        page.click("#sign-out")
        expect(page.locator("#sign-in")).to_be_visible()


# --- 总览 ------------------------------------------------------------------------------------------
def test_the_overview_shows_what_the_rates_say(page, site, shots):
    ready(page, f"{site.url}/?year={YEAR}")
    monthly = site.api("/rates", by="county", period="month", **PERIOD)
    major = site.api("/rates", by="county", period="year", level="major", **PERIOD)
    supervised = site.api("/rates", by="county", period="year", level="supervised", **PERIOD)
    total = monthly["total"]
    assert total["found"] > 100
    for key in ("found", "rectified", "closed", "overdue"):
        assert counter(page, key) == total[key], key
    assert counter(page, "major") == major["total"]["found"]
    assert counter(page, "supervised") == supervised["total"]["found"]
    expect(page.locator("[data-counter=rectified] .note")).to_have_text(f"整改率 {pct(total['rate'])}")
    shot(page, shots / "overview.png")

    # the heat map: its data table, cell by cell, against the rates by township for each sector
    page.click("text=数据表")
    cells = 0
    for sector in site.api("/sectors"):
        for group in site.api("/rates", by="township", period="year", sector=sector["code"], **PERIOD)["groups"]:
            cell = page.locator(f"[data-cell='{group['key']}/{sector['code']}']")
            assert cell.inner_text() == pct(group["rate"]), (group, sector)
            cells += 1
    assert page.locator("[data-cell]").count() == cells
    drawn = page.evaluate("echarts.getInstanceByDom(document.getElementById('heatmap')).getOption().series[0].data.length")
    assert drawn == cells

    # the trend: found and rectified month by month, every month of the year (none: zero)
    trend = page.evaluate("(o => ({months: o.xAxis[0].data, series: o.series.map(s => s.data)}))"
                          "(echarts.getInstanceByDom(document.getElementById('trend')).getOption())")
    assert trend["months"] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    by_month = {g["period"]: g for g in monthly["groups"]}
    for key, series in (("found", trend["series"][0]), ("rectified", trend["series"][1]), ("overdue", trend["series"][2])):
        assert series == [by_month.get(m, {}).get(key, 0) for m in trend["months"]], key

    # the overdue list, the earliest found first
    overdue = site.api("/ledger", overdue="true", page_size=1000, **PERIOD)
    rows = page.locator("[data-testid=overdue-table] tbody tr[data-hazard]")
    assert rows.count() == min(20, overdue["total"]) > 0
    oldest = overdue["items"][-1]
    assert rows.first.get_attribute("data-hazard") == oldest["hazard_id"]
    assert oldest["discovered_on"] in rows.first.inner_text()


def test_a_new_event_moves_the_counters_without_a_reload(page, site):
    ready(page, f"{site.url}/?year={YEAR}")
    expect(page.locator("#live")).to_have_text("● 实时")
    found, major = counter(page, "found"), counter(page, "major")
    page.evaluate("window.__same_page = true")
    firm = site.api("/ledger", page_size=1)["items"][0]
    answer = httpx.post(f"{site.url}/api/v1/hazards", headers={"Authorization": f"Bearer {site.bureau}"}, json={
        "enterprise_id": firm["enterprise_id"], "source": "government_check", "category": "unsafe_condition",
        "description": "看板实时测试：配电箱未接地", "level": "major", "discovered_on": f"{YEAR}-12-30"})
    assert answer.status_code == 201, answer.text
    expect(page.locator("[data-counter=found] .value")).to_have_text(f"{found + 1:,}", timeout=10_000)
    expect(page.locator("[data-counter=major] .value")).to_have_text(f"{major + 1:,}")
    expect(page.locator("#feed")).to_contain_text("看板实时测试")
    assert page.evaluate("window.__same_page") is True  # no reload happened


# --- 隐患台账 --------------------------------------------------------------------------------------
def test_the_ledger_pages_filters_and_exports_like_the_api(page, site, shots):
    ready(page, f"{site.url}/ledger")
    rows = page.locator("[data-testid=ledger-table] tbody tr[data-hazard]")
    first = site.api("/ledger")
    assert page.locator("#total").inner_text() == f"{first['total']:,}"
    assert rows.count() == len(first["items"]) == 50
    assert rows.first.get_attribute("data-hazard") == first["items"][0]["hazard_id"]
    assert first["items"][0]["enterprise_name"] in rows.first.inner_text()
    shot(page, shots / "ledger.png", most=1100)

    reloaded(page, lambda: page.click("#next"))
    second = site.api("/ledger", page=2)
    assert rows.first.get_attribute("data-hazard") == second["items"][0]["hazard_id"]
    expect(page.locator("#page-of")).to_contain_text("第 2 /")

    page.select_option("#f-township", TOWNSHIP)
    page.check("input[name=status][value=closed]")
    reloaded(page, lambda: page.click("#filters button[type=submit]"))
    narrowed = site.api("/ledger", township=TOWNSHIP, status="closed")
    assert page.locator("#total").inner_text() == f"{narrowed['total']:,}"
    assert [r.get_attribute("data-hazard") for r in rows.all()] == [i["hazard_id"] for i in narrowed["items"]]
    assert f"township={TOWNSHIP}" in page.url and "status=closed" in page.url

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    content = Path(csv_download.value.path()).read_bytes()
    assert content.startswith("\ufeff隐患编号".encode())
    assert len(content.decode("utf-8-sig").strip().splitlines()) == narrowed["total"] + 1
    assert csv_download.value.suggested_filename.endswith(".csv")
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    assert Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK"


# --- 隐患详情 --------------------------------------------------------------------------------------
def test_a_hazards_page_shows_its_state_checks_plan_evidence_and_timeline(page, site, shots):
    majors = site.api("/ledger", level="major", page_size=1000)["items"]
    hazard_id = next((i for i in majors if i["status"] == "closed"), majors[0])["hazard_id"]  # the longest story
    ready(page, f"{site.url}/ledger?level=major")
    page.locator(f"[data-testid=ledger-table] tbody tr[data-hazard='{hazard_id}'] a").first.click()
    page.wait_for_selector("main[data-ready=true]")
    assert page.url == f"{site.url}/hazards/{hazard_id}"
    state = site.api(f"/hazards/{hazard_id}")
    history = site.api(f"/hazards/{hazard_id}/history")
    expect(page.locator("#title")).to_contain_text(state["description"])
    assert page.locator("#timeline > li").count() == len(history) >= 2
    assert [li.get_attribute("data-type") for li in page.locator("#timeline > li").all()] == [e["type"] for e in history]
    expect(page.locator("#timeline > li").first).to_contain_text(history[0]["actor"]["name"])
    item = next(i for i in site.api("/compliance", enterprise_id=state["enterprise_id"], page_size=1000)["items"]
                if i["hazard_id"] == hazard_id)
    for check, result in item["checks"].items():
        assert page.locator(f"[data-check={check}]").get_attribute("data-state") == result["state"]
    if state.get("plan"):
        expect(page.get_by_text(state["plan"]["objectives"])).to_be_visible()
    if state.get("rectification"):
        texts = [e for e in state["rectification"]["evidence"] if not e.startswith("sha256:")]
        assert page.locator("#evidence li").all_inner_texts() == texts  # files: as thumbnails
    shot(page, shots / "hazard.png")


# --- 三不放过 --------------------------------------------------------------------------------------
def test_the_compliance_page_shows_the_totals_and_the_hazards_behind_them(page, site, shots):
    ready(page, f"{site.url}/compliance?year={YEAR}")
    answer = site.api("/compliance", page_size=20, state="violated", **PERIOD)
    for row in answer["totals"]["by_township"]:
        cells = page.locator(f"[data-testid=totals-township] tr[data-key='{row['key']}'] td").all_inner_texts()
        assert [number(c) for c in cells[1:4]] == [row["hazards"], row["all_met"], row["any_violated"]], row
        assert number(cells[6]) == row["responsibility"]["violated"]
        assert number(cells[9]) == row["enforcement"]["violated"]
        assert number(cells[12]) == row["elimination"]["violated"]
    assert page.locator("#list-total").inner_text() == f"{answer['total']:,}"
    shot(page, shots / "compliance.png")

    worst = max(answer["totals"]["by_township"], key=lambda r: r["elimination"]["violated"])
    cell = page.locator(f"[data-testid=totals-township] tr[data-key='{worst['key']}'] td").nth(12)
    reloaded(page, lambda: cell.click())
    narrowed = site.api("/compliance", township=worst["key"], check="elimination", state="violated", **PERIOD)
    assert page.locator("#list-total").inner_text() == f"{narrowed['total']:,}" == f"{worst['elimination']['violated']:,}"


# --- 机构 -----------------------------------------------------------------------------------------
def test_the_agency_pages_show_each_agencys_hazards(page, site, shots):
    ready(page, f"{site.url}/agencies?year={YEAR}")
    groups = site.api("/rates", by="agency", period="year", year=YEAR)["groups"]
    rows = page.locator("[data-testid=agencies-table] tbody tr")
    assert rows.count() == len(groups)
    named = sorted((g for g in groups if g["key"]), key=lambda g: -g["found"])
    assert rows.first.get_attribute("data-agency") == named[0]["key"]
    assert str(named[0]["found"]) in rows.first.inner_text()
    shot(page, shots / "agencies.png")

    rows.first.locator("a").click()
    page.wait_for_selector("main[data-ready=true]")
    agency = site.api(f"/agencies/{named[0]['key']}")
    expect(page.locator("#title")).to_contain_text(agency["name"])
    answered = httpx.get(f"{site.url}/api/v1/agencies/{agency['id']}/accountability", params={"year": YEAR},
                         headers={"Authorization": f"Bearer {site.bureau}"}).status_code == 200
    if answered:  # the accountability read model is there: the page shows it
        assert page.locator("main").get_attribute("data-source") == "accountability"
    else:  # until then: the record and the hazards the agency found
        assert page.locator("main").get_attribute("data-source") == "record"
        assert counter(page, "found") == named[0]["found"]
        hazards = site.api("/ledger", agency_id=agency["id"], page_size=20, **PERIOD)
        assert [r.get_attribute("data-hazard") for r in page.locator("[data-testid=agency-hazards] tbody tr").all()] \
            == [i["hazard_id"] for i in hazards["items"]]
    shot(page, shots / "agency.png")


# --- 追溯 -----------------------------------------------------------------------------------------
def test_the_trace_finds_an_enterprise_and_prints(page, site, shots):
    until = f"{YEAR}-10-31"
    firm = site.api("/ledger", level="major", discovered_to=until, page_size=1)["items"][0]
    ready(page, f"{site.url}/trace")
    page.fill("#f-q", firm["enterprise_name"])
    page.fill("#f-until", until)
    page.click("#filters button[type=submit]")
    page.locator("[data-testid=trace-matches]").get_by_role("link", name=firm["enterprise_name"], exact=True).click()
    page.wait_for_selector("#report h1")
    expect(page.locator("#title")).to_have_text(f"追溯：{firm['enterprise_name']}")
    assert f"enterprise={firm['enterprise_id']}" in page.url
    answered = httpx.get(f"{site.url}/api/v1/trace/enterprises/{firm['enterprise_id']}", params={"until": until},
                         headers={"Authorization": f"Bearer {site.bureau}"}).status_code == 200
    if answered:
        assert page.locator("main").get_attribute("data-source") == "trace"
    else:
        assert page.locator("main").get_attribute("data-source") == "ledger"
        rows = site.api("/ledger", enterprise_id=firm["enterprise_id"], as_of=until, page_size=1000)
        shown = [r.get_attribute("data-hazard") for r in page.locator("[data-testid=trace-table] tbody tr[data-hazard]").all()]
        assert sorted(shown) == sorted(i["hazard_id"] for i in rows["items"])
    shot(page, shots / "trace.png")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".print-only")).to_contain_text(BUREAU_NAME)


def test_the_trace_finds_an_enterprise_without_hazards_by_its_credit_code(page, site):
    """An accident at an enterprise the ledger never recorded a hazard for: the investigator still
    finds it, in 企业名录, by part of its credit code, and its trace opens."""
    from domain.actor import Role
    from tests.conftest import actor, credit_code

    code = credit_code()
    firm = str(site.ledger.register_enterprise(actor(Role.BUREAU), credit_code=code, name="追溯测试无隐患五金厂",
                                               township="330226001", sector="trade", scale="small_micro").id)
    site.api("/enterprises", after=site.ledger.recorder.max_notification_id(), q=code)  # the view has it
    ready(page, f"{site.url}/trace")
    page.fill("#f-q", code[-10:])
    page.click("#filters button[type=submit]")
    page.locator("[data-testid=trace-matches]").get_by_role("link", name="追溯测试无隐患五金厂", exact=True).click()
    expect(page.locator("#title")).to_have_text("追溯：追溯测试无隐患五金厂")
    assert f"enterprise={firm}" in page.url


def test_the_directory_lists_a_townships_enterprises_and_finds_by_name(browser, site):
    """企业名录 for a township office: its township's enterprises as GET /enterprises counts them, the
    search narrowing them, each name leading to its ledger rows."""
    everyone = site.api("/enterprises", site.township, limit=500)
    assert everyone["total"] > 0 and {e["township"] for e in everyone["items"]} == {TOWNSHIP}
    with _open(browser, site, site.township) as page:
        ready(page, f"{site.url}/enterprises")
        expect(page.locator("#total")).to_have_text(f"{everyone['total']:,}")
        assert page.locator("#f-township").count() == 0  # its own township only: no choice
        first = everyone["items"][0]
        page.fill("#f-q", first["credit_code"])
        page.click("#filters button[type=submit]")
        expect(page.locator("#total")).to_have_text("1")
        row = page.locator("[data-testid=enterprises-table] tbody tr").first
        assert row.get_attribute("data-enterprise") == first["enterprise_id"]
        row.get_by_role("link", name=first["name"], exact=True).click()
        page.wait_for_url(f"**/ledger?enterprise_id={first['enterprise_id']}*")


# --- scope ----------------------------------------------------------------------------------------
def test_a_township_sees_only_its_township(browser, site, shots):
    with _open(browser, site, site.township) as page:
        ready(page, f"{site.url}/?year={YEAR}")
        expect(page.locator("#holder-scope")).to_have_text(TOWNSHIP_NAME)
        expect(page.locator("#holder-role")).to_have_text("乡镇（街道）")
        assert page.locator("#f-township").count() == 0
        mine = site.api("/rates", token=site.township, by="county", period="month", **PERIOD)["total"]
        county = site.api("/rates", by="county", period="month", **PERIOD)["total"]
        assert counter(page, "found") == mine["found"] < county["found"]
        assert counter(page, "overdue") == mine["overdue"]
        shot(page, shots / "overview-township.png")
        page.click("text=数据表")
        assert page.locator("[data-testid=heat-table] tbody tr").count() == 1

        ready(page, f"{site.url}/ledger")
        townships = page.locator("[data-testid=ledger-table] tbody tr[data-hazard] td:nth-child(4)").all_inner_texts()  # after 隐患编号, 发现日期, 企业名称
        assert townships and set(townships) == {TOWNSHIP_NAME}
        assert page.locator("#total").inner_text() == f"{site.api('/ledger', token=site.township)['total']:,}"


def test_an_enterprise_sees_only_its_own_hazards(browser, site):
    firm = site.api("/ledger", page_size=1, **PERIOD)["items"][0]
    token = site.tokens.issue(role="enterprise", enterprise_id=firm["enterprise_id"], name="企业安全员")
    with _open(browser, site, token) as page:
        ready(page, f"{site.url}/?year={YEAR}")
        expect(page.locator("#holder-scope")).to_have_text(firm["enterprise_name"])
        own = site.api("/rates", token=token, by="county", period="month", **PERIOD)["total"]
        assert counter(page, "found") == own["found"] > 0
        assert page.locator("#f-township").count() == 0 and page.locator("#f-sector").count() == 0
        page.click("text=数据表")
        assert page.locator("[data-testid=heat-table] tbody tr").count() == 1
        assert page.locator("[data-cell]").count() == 1
