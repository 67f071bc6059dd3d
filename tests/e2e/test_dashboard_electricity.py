"""智慧用电 in a real browser (issue 15 §4): the bureau sees the alarms per township, kind and month
as the API gives them and the hazard raised from them, linking to its page; an agency is told the
page is not for it. Reuses test_dashboard.py's served county (Chromium and playwright needed).
HAZARD_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/electricity.png."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.actor import Actor, Role
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import YEAR, _open, browser, ready, shot, shots, site

FIXTURES = (browser, shots, site)
TOWNSHIP = "330226001"  # 跃龙街道


@pytest.fixture(scope="module")
def alarms(site) -> dict:
    """Three overload alarms at one enterprise this morning: the third raises a hazard."""
    ledger = site.ledger
    firm = str(ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="看板智慧用电测试五金厂",
                                          township=TOWNSHIP, sector="trade", scale="small_micro").id)
    device = Actor("device-dash", Role.DEVICE, "配电箱监测")
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0)
    answers = [ledger.post_alarm(device, device_enterprise=firm, enterprise_id=firm, device_id="DB-01",
                                 alarm_id=f"D-{n}", kind="overload", reading=36 + n,
                                 occurred_at=now - timedelta(minutes=30 - n)) for n in range(3)]
    mark = ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="看板智慧用电标记",
                                      township=TOWNSHIP, sector="trade", scale="small_micro").position
    site.api("/alarms/rates", year=now.year, after=mark)  # the views have the alarms
    return {"firm": firm, "hazard": answers[-1].hazard_id, "year": now.year}


def test_the_bureau_sees_alarm_rates_and_the_raised_hazard(browser, site, shots, alarms):
    with _open(browser, site, site.bureau) as page:
        ready(page, f"{site.url}/electricity?year={alarms['year']}&township={TOWNSHIP}")
        assert page.locator("nav a", has_text="智慧用电").get_attribute("aria-current") == "page"
        rows = page.locator("[data-testid=alarm-rates] tbody tr")
        rows.first.wait_for()
        assert "过载" in rows.first.inner_text() and "跃龙街道" in rows.first.inner_text()
        api = site.api("/alarms/rates", year=alarms["year"], township=TOWNSHIP)["items"]
        assert rows.count() == len(api)
        hazards = page.locator("[data-testid=alarm-hazards] tbody tr")
        hazards.first.wait_for()
        assert "看板智慧用电测试五金厂" in hazards.first.inner_text()
        assert hazards.first.locator("a").get_attribute("href") == f"/hazards/{alarms['hazard']}"
        shot(page, shots / "electricity.png")


def test_an_agency_is_told_the_page_is_not_for_it(browser, site):
    agency = next(g["key"] for g in site.api("/rates", by="agency", period="year", year=YEAR)["groups"] if g["key"])
    token = site.tokens.issue(role="agency", agency_id=agency, name="机构联络人")
    with _open(browser, site, token) as page:
        page.goto(f"{site.url}/electricity")
        page.get_by_text("智慧用电告警不属于中介机构的查看范围").wait_for()
