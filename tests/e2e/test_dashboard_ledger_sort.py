"""The ledger page as a clerk uses it (issue 17 §4), in a real browser: sort by a column header,
jump to a page, search by credit code; hazard numbers shown (宁海-2025-000123) and linked."""

from __future__ import annotations

from tests.e2e.test_dashboard import browser, page, reloaded, ready, site  # noqa: F401 (fixtures)


def _rows(page):
    return page.locator("[data-testid=ledger-table] tbody tr[data-hazard]")


def _ids(page) -> list[str]:
    return [r.get_attribute("data-hazard") for r in _rows(page).all()]


def test_sort_by_a_header_jump_to_a_page_and_search_by_credit_code(page, site):  # noqa: F811
    ready(page, f"{site.url}/ledger")
    first = site.api("/ledger")["items"][0]
    assert first["hazard_no"].startswith("宁海-2025-")
    expect_text = _rows(page).first.locator("td").first.inner_text()
    assert expect_text == first["hazard_no"]

    reloaded(page, lambda: page.click("button[data-sort=deadline]"))  # 整改期限 ascending
    ascending = site.api("/ledger", sort="deadline")
    assert _ids(page) == [i["hazard_id"] for i in ascending["items"]]
    assert "sort=deadline" in page.url and page.get_attribute("button[data-sort=deadline]", "data-direction") == "asc"
    reloaded(page, lambda: page.click("button[data-sort=deadline]"))  # again: descending
    assert _ids(page) == [i["hazard_id"] for i in site.api("/ledger", sort="-deadline")["items"]]
    assert "▼" in page.inner_text("button[data-sort=deadline]")

    pages = -(-ascending["total"] // 50)
    assert pages >= 3
    page.fill("#page-jump", "3")
    reloaded(page, lambda: page.click("#page-go"))
    assert page.inner_text("#page-of") == f"第 3 / {pages} 页"
    assert _ids(page) == [i["hazard_id"] for i in site.api("/ledger", sort="-deadline", page=3)["items"]]
    page.fill("#page-jump", str(pages + 10))  # past the end: the last page
    reloaded(page, lambda: page.press("#page-jump", "Enter"))
    assert page.inner_text("#page-of") == f"第 {pages} / {pages} 页"

    wanted = site.api("/ledger", page=2)["items"][0]
    page.fill("#f-q", wanted["credit_code"])
    reloaded(page, lambda: page.click("#filters button[type=submit]"))
    mine = site.api("/ledger", q=wanted["credit_code"], sort="-deadline")
    assert page.inner_text("#total") == f"{mine['total']:,}" and mine["total"] >= 1
    assert _ids(page) == [i["hazard_id"] for i in mine["items"]]
    assert all(wanted["enterprise_name"] in r.inner_text() for r in _rows(page).all())
    headers = page.locator("[data-testid=ledger-table] thead th").all_inner_texts()
    assert {"隐患编号", "隐患类别", "督办级别"} <= {t.strip(" ▲▼") for t in headers}

    page.fill("#f-q", wanted["hazard_no"])  # the number, as a clerk types it
    reloaded(page, lambda: page.click("#filters button[type=submit]"))
    assert _ids(page) == [wanted["hazard_id"]]
    page.click(f"text={wanted['hazard_no']}")
    page.wait_for_selector("main[data-ready=true]")
    assert page.url.endswith(f"/hazards/{wanted['hazard_id']}")
    assert page.inner_text("#hazard-no").strip() == wanted["hazard_no"]  # the hazard page names it too


def test_the_trace_names_each_hazard_by_its_number(page, site):  # noqa: F811
    firm = site.api("/ledger", level="major", page_size=1)["items"][0]
    ready(page, f"{site.url}/trace?enterprise={firm['enterprise_id']}&until=2025-12-31")
    page.wait_for_selector("#report h1")
    assert firm["hazard_no"] in page.inner_text("#report")
