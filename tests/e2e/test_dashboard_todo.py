"""待办 and 督办 in a real browser (issue 14 §6): signing in on the overview lands on the holder's
to-do, which lists what GET /todo says, oldest first, each item linking to its record; the 督办
page lists a listed hazard with its paperwork state as GET /supervision/listings gives it.

Reuses test_dashboard.py's served county (its `site`, `browser` and `shots` fixtures and helpers),
so it needs what that module needs: Chromium and the playwright package (skips, or fails in CI).
HAZARD_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/todo.png and supervision.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import _open, browser, ready, shot, shots, site

FIXTURES = (browser, shots, site)  # test_dashboard.py's served county, Chromium and screenshot folder

TOWNSHIP = "330226001"  # 跃龙街道
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def firm(site) -> dict:
    """A chemical works of 跃龙街道 with hazards found a week ago: one to assign, one assigned with
    its deadline passed yesterday, one listed the old way (supervise) and one with its 挂牌督办通知书
    issued, served and signed for."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    today = ledger.today()
    e = str(ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板待办测试化工厂",
                                       township=TOWNSHIP, sector="chem", scale="small_micro").id)

    def hazard(description: str) -> str:
        return str(ledger.report_hazard(bureau, enterprise_id=e, source="government_check",
                                        category="unsafe_condition", description=description, level="general",
                                        discovered_on=today - timedelta(days=7)).id)

    fresh, late, listed = hazard("消防通道堆放杂物"), hazard("配电箱门未关闭"), hazard("液氨储罐压力表失效")
    ledger.assign_responsibility(bureau, late, responsible_person="张三", deadline=today - timedelta(days=1),
                                 assigned_on=today - timedelta(days=6))
    ledger.list_for_supervision(bureau, listed, level="county", document_no="宁安委办〔2026〕9号")
    noticed = hazard("危化品仓库防爆灯损坏")  # the 挂牌督办通知书: issued, served, signed for
    ledger.issue_listing(bureau, noticed, level="county", government="宁海县人民政府", department="宁海县应急管理局",
                         document_no="宁安委办〔2026〕10号", finish_days=60, plan_days=15, signatory="王局长")
    ledger.serve_listing(bureau, noticed, served_by="李四")
    written = ledger.sign_listing(actor(Role.ENTERPRISE), noticed, signed_by="化工厂 张三")
    token = site.tokens.issue(role="enterprise", enterprise_id=e, name="化工厂安全员")
    site.api("/todo", token, after=written.position)  # the views have applied it
    return {"enterprise": e, "token": token, "fresh": fresh, "late": late, "listed": listed, "noticed": noticed}


def _rows(page) -> list[list[str]]:
    rows = page.locator("[data-testid=todo-table] tbody tr")
    return [[c.inner_text().strip() for c in row.locator("td").all()] for row in rows.all()]


def test_signing_in_on_the_overview_lands_on_the_holders_todo(browser, site, shots, firm):
    with _open(browser, site, None) as page:
        page.goto(site.url + "/")
        page.fill("#token", firm["token"])
        page.click("#sign-in button[type=submit]")
        page.wait_for_url(f"{site.url}/todo")
        page.wait_for_selector("main[data-ready=true]")
        assert page.locator("nav a", has_text="待办").get_attribute("aria-current") == "page"
        answer = site.api("/todo", firm["token"], limit=20)
        assert {i["kind"] for i in answer["items"]} == {"assign", "rectify", "self_report"}
        shown = _rows(page)
        assert [r[:4] for r in shown] == [
            [i["kind_label"], i["subject"], i["since"], i["due_on"] or "—"] for i in answer["items"]]
        assert [r[0] for r in shown[:3]] == ["落实责任人和整改期限"] * 3  # found first
        late = page.locator("[data-testid=todo-table] tbody tr[data-overdue=true]")
        assert late.count() == 1 and "配电箱门未关闭" in late.inner_text() and "已逾期" in late.inner_text()
        tile = page.locator("[data-kind=rectify] .value")
        assert tile.inner_text() == "1"
        assert not UUID.search(page.locator("main").inner_text()), "no ids in the page's text"
        shot(page, shots / "todo.png", most=900)

        page.locator("[data-kind=self_report]").first.click()  # the tile filters by kind
        page.wait_for_function("() => location.search.includes('kind=self_report')")
        page.wait_for_function("() => document.querySelectorAll('[data-testid=todo-table] tbody tr').length === 1")
        assert _rows(page)[0][0] == "报送月度自查自报"

        page.goto(site.url + "/todo")
        page.wait_for_selector("main[data-ready=true]")
        page.locator("[data-testid=todo-table] tbody tr", has_text="配电箱门未关闭").locator("a").click()
        page.wait_for_url(f"{site.url}/hazards/{firm['late']}")


def test_the_supervision_page_lists_a_listed_hazard_with_its_state(browser, site, shots, firm):
    township = site.tokens.issue(role="township", township=TOWNSHIP, name="跃龙街道安监办")
    with _open(browser, site, township) as page:
        ready(page, f"{site.url}/supervision")
        assert page.locator("nav a", has_text="督办").get_attribute("aria-current") == "page"
        answer = site.api("/supervision/listings", township, limit=20)
        assert page.locator("#total").inner_text() == str(answer["total"])
        row = page.locator(f"[data-testid=listings-table] tbody tr[data-hazard='{firm['listed']}']")
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        item = next(i for i in answer["items"] if i["hazard_id"] == firm["listed"])
        assert cells[:6] == ["看板待办测试化工厂\n液氨储罐压力表失效", "县级", "—", "宁安委办〔2026〕9号",
                             item["listed_on"], "已挂牌（旧记录）"]
        noticed = next(i for i in answer["items"] if i["hazard_id"] == firm["noticed"])
        cells = [c.inner_text().strip() for c in page.locator(
            f"[data-testid=listings-table] tbody tr[data-hazard='{firm['noticed']}'] td").all()]
        assert cells[1:] == ["县级", "宁海县应急管理局", "宁安委办〔2026〕10号", noticed["listed_on"], "已签收",
                             f"{noticed['listing_served_on']}\n（李四）", f"{noticed['listing_signed_on']}\n（化工厂 张三）",
                             noticed["listing_finish_by"], noticed["listing_plan_by"], "—", "已上报"]
        assert not UUID.search(page.locator("main").inner_text()), "no ids in the page's text"
        shot(page, shots / "supervision.png", most=900)
    with _open(browser, site, firm["token"]) as page:  # the enterprise: its own listing only
        ready(page, f"{site.url}/supervision")
        assert page.locator("[data-testid=listings-table] tbody tr").count() == 2


def test_a_township_signs_for_and_answers_a_referral_from_its_todo(browser, site, shots, firm):
    """The bureau refers the firm's late hazard to 跃龙街道: the office's 待办 lists it, its link opens
    the referral on top of the 交办 page, where the office signs for it and then answers it."""
    written = site.ledger.refer_hazards(actor(Role.BUREAU), hazard_ids=[firm["late"]], township=TOWNSHIP,
                                        instructions="督促企业立即整改配电箱", due_on=site.ledger.today() + timedelta(days=10),
                                        document_no="宁安委办〔2026〕21号")
    office = site.tokens.issue(role="township", township=TOWNSHIP, name="跃龙街道安监办")
    site.api("/todo", office, after=written.position)
    with _open(browser, site, office) as page:
        ready(page, f"{site.url}/todo?kind=referral_sign")
        row = page.locator("[data-testid=todo-table] tbody tr", has_text="宁安委办〔2026〕21号")
        assert row.locator("td").first.inner_text() == "签收交办事项"
        row.locator("a").click()
        page.wait_for_url(f"{site.url}/referrals?id={written.id}")
        page.wait_for_selector("main[data-ready=true]")
        mine = page.locator("[data-testid=current-referral] tbody tr")
        assert "配电箱门未关闭" in mine.inner_text() and "待签收" in mine.inner_text()
        mine.locator("[data-action=sign]").click()
        mine.locator("[data-field=answer]").fill("已督促企业整改，配电箱已更换")
        shot(page, shots / "referrals.png", most=900)
        mine.locator("[data-action=answer]").click()
        expect_text = "已督促企业整改，配电箱已更换"
        page.wait_for_function("t => document.querySelector('[data-testid=current-referral]').innerText.includes(t)",
                               arg=expect_text)
        assert "已答复" in mine.inner_text()
        assert not UUID.search(page.locator("main").inner_text()), "no ids in the page's text"
    answered = site.api("/referrals", office, state="answered")["items"]
    assert [(r["id"], r["answer"]) for r in answered] == [(written.id, expect_text)]
    assert all(i["kind"] not in ("referral_sign", "referral_answer") for i in site.api("/todo", office)["items"])
