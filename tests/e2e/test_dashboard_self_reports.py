"""Enterprise self-reports (自查自报) in a real browser (issue 13 point 7): an enterprise files its
month's 零隐患 report through the page's form, sees it listed 按时 or 逾期 as the API says, opens its
page; a second filing shows the API's refusal; a township office sees the month's list as the API
gives it.

Reuses test_dashboard.py's served county (its `site`, `browser` and `shots` fixtures and helpers),
so it needs what that module needs: Chromium and the playwright package (skips, or fails in CI).
HAZARD_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/self-reports.png.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import _open, browser, ready, shot, shots, site

FIXTURES = (browser, shots, site)  # test_dashboard.py's served county, Chromium and screenshot folder

TOWNSHIP = "330226001"  # 跃龙街道


@pytest.fixture(scope="module")
def firm(site) -> dict:
    """A small trade enterprise of 跃龙街道 with one hazard found today (listed in the form)."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    e = str(ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板自查自报测试五金厂",
                                       township=TOWNSHIP, sector="trade", scale="small_micro").id)
    ledger.report_hazard(bureau, enterprise_id=e, source="self_check", category="unsafe_condition",
                         description="配电箱门未关闭", level="general", discovered_on=ledger.today())
    token = site.tokens.issue(role="enterprise", enterprise_id=e, name="五金厂安全员")
    return {"enterprise": e, "token": token, "month": ledger.today().strftime("%Y-%m")}


def _loaded(page) -> str:
    return page.evaluate("document.querySelector('main').dataset.loaded || '0'")


def test_an_enterprise_files_a_zero_hazard_report_and_opens_it(browser, site, shots, firm):
    month = firm["month"]
    with _open(browser, site, firm["token"]) as page:
        ready(page, f"{site.url}/self-reports")
        assert page.locator("nav a", has_text="自查自报").get_attribute("aria-current") == "page"
        form = page.locator("#file-form")
        assert form.locator("#file-month").input_value() == month  # this month first
        form.locator("#file-hazards li", has_text="配电箱门未关闭").wait_for()  # the month's own hazard to pick
        form.locator("#file-none").check()
        before = _loaded(page)
        form.locator("#file-submit").click()
        page.locator("#file-done").wait_for()
        page.wait_for_function("n => document.querySelector('main').dataset.loaded !== n", arg=before)

        answer = site.api("/self-reports", firm["token"], month=month)
        assert answer["total"] == 1
        row = answer["items"][0]
        assert (row["enterprise_id"], row["none_found"], row["proxy"]) == (firm["enterprise"], True, False)
        assert f"month={month}" in page.url
        shown = page.locator(f"[data-testid=self-reports-table] tbody tr[data-report='{row['report_id']}']")
        cells = [c.inner_text() for c in shown.locator("td").all()]
        assert cells[0] == "看板自查自报测试五金厂"
        assert cells[3] == row["filed_on"] == site.ledger.today().isoformat()  # the business date, Shanghai
        assert cells[4] == ("逾期" if row["late"] else "按时")
        assert (cells[5], cells[6], cells[7]) == ("企业自报", "零隐患", "0")
        shot(page, shots / "self-reports.png", most=1000)

        form.locator("#file-submit").click()  # the same month again: the API's refusal, as it gives it
        refused = page.locator("#file-error")
        refused.wait_for()
        assert (refused.get_attribute("data-status"), refused.get_attribute("data-rule")) == ("409", "self-report-once-a-month")
        assert refused.inner_text().startswith("每家企业每月只有一份自查自报")
        assert refused.locator("a").get_attribute("href") == f"/self-reports/{row['report_id']}"
        assert site.api("/self-reports", firm["token"], month=month)["total"] == 1  # nothing stored

        shown.locator("td a").click()
        page.wait_for_selector("main[data-ready=true]")
        assert page.url == f"{site.url}/self-reports/{row['report_id']}"
        state = site.api(f"/self-reports/{row['report_id']}", firm["token"])
        assert page.locator("#title").inner_text().startswith(f"自查自报：看板自查自报测试五金厂 {month}")
        assert page.locator("#filed-on").inner_text() == state["filed_on"]
        assert page.locator("#due-on").inner_text() == state["due_on"]
        assert page.locator("#late").inner_text() == ("逾期" if state["late"] else "按时")
        assert page.locator("#proxy").inner_text() == "企业自报"
        assert page.locator("#none-found").inner_text() == "本月未发现隐患（零隐患）。"
        history = site.api(f"/self-reports/{row['report_id']}/history", firm["token"])
        steps = page.locator("#timeline li")
        assert [s.locator(".what").inner_text().split(" ")[0] for s in steps.all()] == [e["label"] for e in history]
        assert history[0]["label"] == "企业自查自报"
        text = page.locator("main").inner_text()
        for raw in (row["report_id"], firm["enterprise"], "none_found", "true", "false"):
            assert raw not in text, raw


def test_an_enterprise_lists_last_months_hazards_and_sees_the_amendment(browser, site):
    """Filing last month's report with the hazard it found then; the page lists the hazard (linked,
    description and status) and, once amended over the API, shows 修改自查自报 in its timeline."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    e = str(ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板自查自报测试木器厂",
                                       township=TOWNSHIP, sector="trade", scale="small_micro").id)
    today = ledger.today()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    hazard = str(ledger.report_hazard(bureau, enterprise_id=e, source="self_check", category="unsafe_condition",
                                      description="喷漆房排风机停用", level="general", discovered_on=last).id)
    token = site.tokens.issue(role="enterprise", enterprise_id=e, name="木器厂安全员")
    with _open(browser, site, token) as page:
        ready(page, f"{site.url}/self-reports")
        page.select_option("#file-month", last.strftime("%Y-%m"))
        page.locator(f"#file-hazards input[value='{hazard}']").check()  # picking it chooses 发现以下隐患
        assert page.locator("#file-some").is_checked()
        page.click("#file-submit")
        page.click("#file-done a")
        page.wait_for_selector("main[data-ready=true]")
        listed = page.locator(f"#hazards li[data-hazard='{hazard}']")
        assert listed.locator("a").inner_text() == "喷漆房排风机停用"
        assert listed.locator("a").get_attribute("href") == f"/hazards/{hazard}"
        assert site.api(f"/hazards/{hazard}", token)["status"] == "reported"
        assert listed.locator(".badge").inner_text() == "已上报"
        report = page.url.rsplit("/", 1)[1]
        state = site.api(f"/self-reports/{report}", token)
        assert (state["hazard_ids"], state["none_found"]) == ([hazard], False)
        assert page.locator("#found").inner_text() == "1 项隐患"

        amended = httpx.post(f"{site.url}/api/v1/self-reports/{report}/amend", timeout=30,
                             headers={"Authorization": f"Bearer {token}"}, json={"none_found": True})
        assert amended.status_code == 200, amended.text
        page.wait_for_function("() => document.querySelectorAll('#timeline li').length === 2")  # live: the page follows the stream
        history = site.api(f"/self-reports/{report}/history", token)
        assert [s.locator(".what").inner_text().split(" ")[0] for s in page.locator("#timeline li").all()] == \
            [e["label"] for e in history] == ["企业自查自报", "修改自查自报"]
        assert page.locator("#none-found").is_visible()


def _busiest_month(site) -> tuple[str, list[dict]]:
    """The simulated year's month with the most self-reports, and its rows (county-wide)."""
    months = {m: site.api("/self-reports", month=m, page_size=1000)["items"] for m in (f"2025-{n:02d}" for n in range(1, 12))}
    month = max(months, key=lambda m: len(months[m]))
    return month, months[month]


def test_a_township_sees_the_months_list_as_the_api_gives_it(browser, site, shots, firm):
    month, county = _busiest_month(site)
    assert county, "the simulated year files self-reports"
    township = county[0]["township"]
    token = site.tokens.issue(role="township", township=township, name="乡镇安监办")
    answer = site.api("/self-reports", token, month=month, page_size=50)
    assert answer["total"] == sum(r["township"] == township for r in county) > 0
    with _open(browser, site, token) as page:
        ready(page, f"{site.url}/self-reports?month={month}")
        assert page.locator("#file-form").count() == 0  # filing here is the enterprise's form
        _same_rows(page, answer)
        with page.expect_download() as csv_download:
            page.click("#export-csv")
        lines = open(csv_download.value.path(), encoding="utf-8-sig").read().strip().splitlines()
        assert len(lines) == answer["total"] + 1


def test_a_paper_report_recorded_late_by_the_township_reads_逾期_and_代报(browser, site, firm):
    township = site.tokens.issue(role="township", township=TOWNSHIP, name="跃龙街道安监办")
    month = date.fromisoformat(f"{firm['month']}-01")
    month = f"{month.year - (month.month <= 2)}-{(month.month - 3) % 12 + 1:02d}"  # two months ago: past the grace day
    filed = httpx.post(f"{site.url}/api/v1/self-reports", headers={"Authorization": f"Bearer {township}"}, timeout=30,
                       json={"enterprise_id": firm["enterprise"], "month": month, "none_found": True})
    assert filed.status_code == 201, filed.text
    answer = site.api("/self-reports", township, month=month, after=filed.json()["position"])
    row = next(r for r in answer["items"] if r["report_id"] == filed.json()["id"])
    assert (row["late"], row["proxy"]) == (True, True)
    with _open(browser, site, township) as page:
        ready(page, f"{site.url}/self-reports?month={month}&township={TOWNSHIP}")
        _same_rows(page, answer)
        cells = page.locator(f"tr[data-report='{row['report_id']}'] td")
        assert (cells.nth(4).inner_text(), cells.nth(5).inner_text()) == ("逾期", "代报")


def _same_rows(page, answer: dict) -> None:
    """The page's total and rows, in order, with the words for the API's flags."""
    assert page.locator("#total").inner_text().replace(",", "") == str(answer["total"])
    rows = page.locator("[data-testid=self-reports-table] tbody tr[data-report]")
    assert [r.get_attribute("data-report") for r in rows.all()] == [i["report_id"] for i in answer["items"]]
    for shown, row in zip(rows.all(), answer["items"]):
        cells = [c.inner_text() for c in shown.locator("td").all()]
        assert cells[0] == row["name"]
        assert cells[4] == ("逾期" if row["late"] else "按时")
        assert cells[5] == ("代报" if row["proxy"] else "企业自报")
        assert cells[6] == ("零隐患" if row["none_found"] else f"{row['hazards']} 项隐患")
        assert shown.locator("td a").get_attribute("href") == f"/self-reports/{row['report_id']}"


def test_agencies_have_no_self_report_entry(browser, site):
    agency = site.ledger.register_agency(actor(Role.BUREAU), credit_code=credit_code(), name="看板自查自报测试安评公司").id
    token = site.tokens.issue(role="agency", agency_id=str(agency), name="安评公司")
    with _open(browser, site, token) as page:
        ready(page, f"{site.url}/ledger")
        assert page.locator("nav a", has_text="自查自报").count() == 0
