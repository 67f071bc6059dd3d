"""挂牌督办通知书 on the hazard's page in a real browser (issue 14 §1): the paperwork (督办文书)
with its state and deadlines in Chinese, and each step of the timeline described in Chinese.

Reuses test_dashboard.py's served county (its `site`, `browser` and `shots` fixtures and helpers),
so it needs what that module needs: Chromium and the playwright package (skips, or fails in CI).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from domain.actor import Role
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import browser, page, ready, shot, shots, site

FIXTURES = (browser, page, shots, site)  # test_dashboard.py's served county, Chromium and screenshot folder


@pytest.fixture(scope="module")
def listed(site) -> dict:
    """A hazard of 跃龙街道 whose notice was issued, served and signed for (dates before today)."""
    bureau, ledger, today = actor(Role.BUREAU), site.ledger, site.ledger.today()
    e = str(ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板挂牌督办测试化工厂",
                                       township="330226001", sector="chem", scale="small_micro").id)
    h = ledger.report_hazard(bureau, enterprise_id=e, source="government_check", category="unsafe_condition",
                             description="储罐区阀门泄漏（挂牌督办）", level="general",
                             discovered_on=today - timedelta(days=20)).id
    ledger.issue_listing(bureau, h, level="county", government="宁海县人民政府", department="宁海县应急管理局",
                         document_no="宁政督〔2026〕第3号", finish_days=30, plan_days=15, signatory="王县长",
                         issued_on=today - timedelta(days=10))
    ledger.serve_listing(bureau, h, served_by="县应急管理局 李四", served_on=today - timedelta(days=8))
    signed = today - timedelta(days=7)
    ledger.sign_listing(actor(Role.ENTERPRISE), h, signed_by="企业负责人 赵六", signed_on=signed)
    return {"hazard": str(h), "finish_by": (signed + timedelta(days=30)).isoformat(),
            "plan_by": (signed + timedelta(days=15)).isoformat()}


def test_the_hazard_page_shows_the_paperwork_and_its_steps_in_chinese(page, site, shots, listed):
    ready(page, f"{site.url}/hazards/{listed['hazard']}")
    body = page.locator("main")
    expect(body).to_contain_text("挂牌督办隐患（县级）")
    expect(body).to_contain_text("已签收；宁海县人民政府 · 宁海县应急管理局 · 签发人 王县长")
    expect(body).to_contain_text(f"责令治理完毕期限 {listed['finish_by']}，治理方案备案期限 {listed['plan_by']}")
    steps = page.locator("#timeline > li")
    expect(steps.locator("xpath=self::*[@data-type='Hazard.ListingIssued']")).to_contain_text("下达挂牌督办通知书")
    expect(steps.locator("xpath=self::*[@data-type='Hazard.ListingServed']")).to_contain_text("送达人 县应急管理局 李四")
    expect(steps.locator("xpath=self::*[@data-type='Hazard.ListingSigned']")).to_contain_text(
        f"签收人 企业负责人 赵六 · 责令治理完毕期限 {listed['finish_by']}")
    assert "ListingSigned" not in page.locator("#timeline").inner_text()  # no raw codes for people
    shot(page, shots / "hazard-listing.png", most=1200)
