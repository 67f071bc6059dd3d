"""The monthly joint meeting pack (联席会材料) over HTTP, on a small county with known figures for
June 2026 (today is 30 June): JSON by section, scopes, the printable page escaping a hostile
description, the XLSX read back, and bad input."""

from __future__ import annotations

import io
import os
import re
from datetime import date

import openpyxl
import pytest

from domain.actor import Role
from projections.labels import LISTING_STATE
from tests.conftest import actor, credit_code

URL = "/api/v1/meetings/pack"
D = date
HOSTILE = "=HYPERLINK(\"http://x\")<script>alert('隐患')</script>"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def county(ledger):
    """跃龙街道: 甲化工 (危险化学品) — H1 major, found 5 June, 挂牌督办 issued and served;
    H3 major found in May, fined on 12 June; 丙五金 (工贸), which self-reported.
    桃源街道: 乙建筑 (建筑施工), no self-report — H2 overdue since 20 June; H4 (hostile text)
    listed the old one-step way. Referrals: R1 to 跃龙街道 (June's meeting, overdue), R2 to
    建筑施工 (answered 12 June), R3 to 桃源街道 (answered in May: not in June's pack)."""
    bureau, owner, regulator = actor(Role.BUREAU), actor(Role.ENTERPRISE), actor(Role.REGULATOR)
    township = actor(Role.TOWNSHIP)

    def enterprise(name, town, sector):
        return ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=town,
                                          sector=sector, scale="small_micro").id

    e1, e2 = enterprise("甲化工", "330226001", "chem"), enterprise("乙建筑", "330226002", "construction")
    e3 = enterprise("丙五金", "330226001", "trade")

    def hazard(e, level, found, description):
        return ledger.report_hazard(bureau, enterprise_id=e, source="government_check",
                                    category="unsafe_condition", description=description, level=level,
                                    discovered_on=found).id

    h1 = hazard(e1, "major", D(2026, 6, 5), "储罐区可燃气体报警器失效")
    h2 = hazard(e2, "general", D(2026, 5, 10), "脚手架未设防护网")
    h3 = hazard(e1, "major", D(2026, 5, 2), "装卸区静电接地失效")
    h4 = hazard(e2, "general", D(2026, 6, 1), HOSTILE)
    ledger.issue_listing(bureau, h1, level="county", government="宁海县人民政府", department="宁海县应急管理局",
                         document_no="宁安委办督〔2026〕1号", finish_days=60, plan_days=15, signatory="张局长",
                         issued_on=D(2026, 6, 8))
    ledger.serve_listing(bureau, h1, served_by="李科员", served_on=D(2026, 6, 9))
    ledger.assign_responsibility(owner, h2, responsible_person="王五", deadline=D(2026, 6, 20),
                                 assigned_on=D(2026, 5, 11))
    ledger.assign_responsibility(owner, h3, responsible_person="赵六", deadline=D(2026, 7, 31),
                                 assigned_on=D(2026, 5, 3))
    ledger.record_enforcement(actor(Role.REGULATOR), h3, kind="fine", document_no="宁应急罚〔2026〕12号",
                              taken_on=D(2026, 6, 12))
    ledger.list_for_supervision(bureau, h4, level="township", document_no="桃督〔2026〕2号",
                                listed_on=D(2026, 6, 2))
    for e in (e1, e3):
        ledger.file_self_report(owner, enterprise_id=e, month="2026-06", hazard_ids=[], none_found=True)
    refer = lambda hs, on, due, **kw: ledger.refer_hazards(  # noqa: E731
        bureau, hazard_ids=hs, instructions="督促整改并书面答复", referred_on=on, due_on=due, **kw).id
    r1 = refer([h1], D(2026, 6, 10), D(2026, 6, 20), township="330226001", meeting="2026-06",
               document_no="宁安委办交〔2026〕6号")
    r2 = refer([h2], D(2026, 6, 1), D(2026, 6, 15), sector="construction")
    ledger.sign_referral(regulator, r2, unit="construction", signed_on=D(2026, 6, 2))
    ledger.answer_referral(regulator, r2, unit="construction", answer="已责令停工整改", answered_on=D(2026, 6, 12))
    r3 = refer([h2], D(2026, 5, 10), D(2026, 5, 20), township="330226002")
    ledger.sign_referral(township, r3, unit="330226002", signed_on=D(2026, 5, 11))
    last = ledger.answer_referral(township, r3, unit="330226002", answer="已督促", answered_on=D(2026, 5, 18))
    return {"H1": h1, "H2": h2, "H3": h3, "H4": h4, "R1": r1, "R2": r2, "R3": r3, "E1": e1, "E2": e2,
            "E3": e3, "after": last.position}


def _get(api, headers, county, **params):
    query = "&".join(f"{k}={v}" for k, v in {"month": "2026-06", "after": county["after"], **params}.items())
    return api.get(f"{URL}?{query}", headers=headers)


def _sections(pack):
    return {s["name"]: s for s in pack["sections"]}


def test_the_county_pack_by_township_and_sector(api, auth, county):
    answer = _get(api, auth("bureau"), county)
    assert answer.status_code == 200, answer.text
    pack = answer.json()
    assert (pack["month"], pack["as_of"], pack["complete"]) == ("2026-06", "2026-06-30", False)
    summary = {row["name"]: row for row in pack["summary"]}
    assert len(summary) == 18 + 11  # every township and every sector of the county
    assert {k: summary["跃龙街道"][k] for k in ("new_major", "overdue", "listed", "referrals_open",
                                               "referrals_overdue", "referrals_answered", "enforcement",
                                               "non_reporters")} == {
        "new_major": 1, "overdue": 0, "listed": 1, "referrals_open": 0, "referrals_overdue": 1,
        "referrals_answered": 0, "enforcement": 1, "non_reporters": 0}
    assert set(_sections(pack)) == {"跃龙街道", "桃源街道", "危险化学品", "建筑施工"}  # 工贸: nothing to show
    ids = lambda section, part: [r.get("hazard_id") or r.get("id") for r in section[part]]  # noqa: E731
    yl, ty, chem, build = (_sections(pack)[n] for n in ("跃龙街道", "桃源街道", "危险化学品", "建筑施工"))
    assert (ids(yl, "new_major"), ids(yl, "listed"), ids(yl, "enforcement"), ids(yl, "referrals")) == (
        [county["H1"]], [county["H1"]], [county["H3"]], [county["R1"]])
    assert (ids(ty, "overdue"), ids(ty, "listed"), ids(ty, "referrals")) == (
        [county["H2"]], [county["H4"]], [])  # R3 was answered in May
    assert [r["name"] for r in ty["non_reporters"]] == ["乙建筑"]
    assert (ids(chem, "new_major"), ids(chem, "enforcement")) == ([county["H1"]], [county["H3"]])
    assert (ids(build, "referrals"), build["referrals"][0]["state_label"]) == ([county["R2"]], "已答复")
    [overdue] = ty["overdue"]
    assert (overdue["enterprise_name"], overdue["overdue_days"], overdue["sector_name"]) == ("乙建筑", 10, "建筑施工")
    [listed] = yl["listed"]
    assert (listed["listing_state_label"], listed["listing_served_on"], listed["supervision_label"],
            listed["listing_department"]) == (LISTING_STATE["served"], "2026-06-09", "县级", "宁海县应急管理局")
    assert ty["listed"][0]["listing_state_label"] == LISTING_STATE["listed"]
    [fine] = yl["enforcement"]
    assert (fine["kind_label"], fine["document_no"], fine["taken_on"]) == ("罚款", "宁应急罚〔2026〕12号", "2026-06-12")
    [decision] = pack["decisions"]
    assert (decision["id"], decision["receiver_name"], decision["state_label"], decision["meeting_label"]) == (
        county["R1"], "跃龙街道", "逾期未答复", "2026年6月联席会")
    assert decision["hazards"][0]["enterprise_name"] == "甲化工"


def test_a_township_and_a_regulator_see_their_own_section_only(api, auth, county):
    mine = _get(api, auth("township", township="330226001"), county).json()
    assert [s["name"] for s in mine["summary"]] == ["跃龙街道"] and list(_sections(mine)) == ["跃龙街道"]
    assert [d["id"] for d in mine["decisions"]] == [county["R1"]]
    theirs = _get(api, auth("regulator", sector="construction"), county).json()
    assert list(_sections(theirs)) == ["建筑施工"] and theirs["decisions"] == []
    assert [r["name"] for r in _sections(theirs)["建筑施工"]["non_reporters"]] == ["乙建筑"]
    nothing = _get(api, auth("township", township="330226005"), county).json()
    assert (nothing["sections"], nothing["decisions"]) == ([], [])
    for role, scope in (("enterprise", {"enterprise_id": county["E1"]}), ("agency", {"agency_id": "a"})):
        refused = _get(api, auth(role, **scope), county)
        assert (refused.status_code, refused.json()["rule"]) == (403, "access:meeting.pack")


def test_the_printable_page_names_everything_and_escapes_a_hostile_description(api, auth, county):
    page = _get(api, auth("bureau"), county, format="html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;隐患&#x27;)&lt;/script&gt;" in html
    for text in ("安全生产联席会议材料（2026年6月）", "跃龙街道", "建筑施工", "甲化工", LISTING_STATE["served"],
                 "逾期未答复", "宁应急罚〔2026〕12号", "size: A4 landscape"):
        assert text in html, text
    assert UUID.search(html) is None  # no ids, no codes on paper
    assert "330226001" not in html and ">chem<" not in html


def test_the_workbook_reads_back_with_text_never_formulas(api, auth, county):
    answer = _get(api, auth("bureau"), county, format="xlsx")
    assert answer.status_code == 200, answer.text
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["2026-06 汇总", "新增重大隐患", "逾期未整改隐患", "挂牌督办隐患及文书办理情况",
                               "交办事项办理情况", "执法措施", "未自查自报企业", "本次联席会交办事项"]
    summary = [[c.value for c in row] for row in book["2026-06 汇总"].iter_rows(min_row=2)]
    assert summary[0][:4] == ["单位类别", "单位", "新增重大隐患", "逾期隐患"]
    assert ["乡镇（街道）", "桃源街道", 0, 1] == summary[2][:4]
    listed = book["挂牌督办隐患及文书办理情况"]
    cells = [c for row in listed.iter_rows(min_row=3) for c in row if c.value == HOSTILE]
    assert len(cells) == 1 and cells[0].data_type == "s"  # text, not a formula
    assert [c.value for c in book["逾期未整改隐患"][3]][:3] == ["乙建筑", "桃源街道", "建筑施工"]
    values = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not any(UUID.search(v) for v in values)


@pytest.mark.parametrize("params, field", [
    ({"month": "2026-13"}, "month"), ({"month": "2026-07"}, "month"), ({"month": "六月"}, "month"),
    ({"format": "pdf"}, "format")])
def test_bad_input_is_422_naming_the_parameter(api, auth, county, params, field):
    refused = _get(api, auth("bureau"), county, **params)
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert api.get(URL, headers=auth("bureau")).status_code == 422  # month is required


def test_the_page_prints_on_a4_landscape_without_cut_columns(api, auth, county):
    """Chromium prints the page: A4 landscape (from the page's own CSS), and at the printable
    width (277 mm) no table and no cell is wider than its box — long text wraps, nothing is cut."""
    from tests.e2e.test_dashboard import CHROMIUM, CHROMIUM_ARGS, _required, sync_playwright

    _required("the Python package playwright", sync_playwright is not None)
    _required(f"Chromium at {CHROMIUM}", os.access(CHROMIUM, os.X_OK))
    long = "GB30871A2022" * 40  # one unbroken run of text in a cell (CJK text breaks anywhere anyway)
    ledger_html = _get(api, auth("bureau"), county, format="html").text.replace("脚手架未设防护网", long)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1047, "height": 740})  # 277 mm × 196 mm at 96 dpi
            page.set_content(ledger_html)
            page.emulate_media(media="print")
            overflowing = page.evaluate("""() => [...document.querySelectorAll('table, th, td')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 ||
                             e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + ':' + e.textContent.slice(0, 30))""")
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            chromium.close()
    assert overflowing == []
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box and float(box[1]) > float(box[2]) and abs(float(box[1]) - 841.9) < 2  # A4, landscape
