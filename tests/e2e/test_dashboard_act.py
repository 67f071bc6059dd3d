"""Acting from the browser (issue 17 §2): one major hazard carried from report to closure through
the dashboard's forms only — the agency reports it with a photo from its inspection's page on a
390×844 phone, the enterprise (phone) assigns, files the plan (治理方案) and reports rectification
with a photo, the bureau lists it for supervision (挂牌督办: issues the notice and records its
service, the enterprise signs for it), the township office, the sector
regulator and the agency sign the joint review (联合验收), the enterprise files the written closure
report and the bureau closes it. Refusals: a 422 shown in Chinese next to its fields, the bureau's
close before the joint review shown as the rule's text; nothing stored for either; a double click
stores once.

Reuses test_dashboard.py's served county (its `site`, `browser` and `shots` fixtures and helpers),
so it needs what that module needs: Chromium and the playwright package (skips, or fails in CI).
HAZARD_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/act-*.png.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image, ImageDraw

from domain.actor import Role
from infra.calendar import load_calendar
from tests.conftest import actor, credit_code
from tests.e2e.test_dashboard import _open, browser, ready, shots, site

FIXTURES = (browser, shots, site)  # test_dashboard.py's served county, Chromium and screenshot folder

TOWNSHIP = "330226001"  # 跃龙街道
SECTOR = "trade"
CRITERION = "gm10-9-1"  # 纺织: a major-hazard criterion for 工贸 enterprises
PLAN = {"objectives": "纱库与车间之间设置防火分隔", "measures": "砌筑防火墙，安装甲级防火门",
        "funds": "企业自筹两万元", "organisation": "设备科负责，安全员李明督促",
        "timeline": "三十日内完成", "safety_measures": "施工期间停用纱库，配备灭火器材"}


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (800, 600), (90, 120, 150))
    ImageDraw.Draw(image).rectangle((100, 100, 500, 450), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture(scope="module")
def mill(site) -> dict:
    """A 工贸 textile mill of 跃龙街道 served by an agency (a contract in force today) whose
    inspection of today is performed; a token for each party of the hazard's life."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    today = ledger.today()
    e = str(ledger.register_enterprise(bureau, credit_code=credit_code(), name="看板办理测试纺织厂",
                                       township=TOWNSHIP, sector=SECTOR, scale="small_micro").id)
    a = str(ledger.register_agency(bureau, credit_code=credit_code(), name="看板办理测试安评公司").id)
    expert = ledger.add_expert(bureau, a, name="周工", certificate_no="Z-act-1").id
    c = ledger.propose_contract(bureau, enterprise_id=e, agency_id=a, service="monthly",
                                start=today - timedelta(days=30), end=today + timedelta(days=365), fee=3600).id
    ledger.countersign_contract(actor(Role.AGENCY), c)
    i = str(ledger.schedule_inspection(bureau, enterprise_id=e, agency_id=a, kind="monthly", basis_id=c,
                                       scheduled_for=today).id)
    ledger.perform_inspection(actor(Role.AGENCY), i, expert_ids=[expert], performed_on=today)
    tokens = site.tokens
    return {"enterprise": e, "inspection": i, "today": today.isoformat(), "agency_id": a,
            "agency": tokens.issue(role="agency", agency_id=a, name="安评公司 周工"),
            "firm": tokens.issue(role="enterprise", enterprise_id=e, name="纺织厂 安全员 李明"),
            "township": tokens.issue(role="township", township=TOWNSHIP, name="跃龙街道安监办 王主任"),
            "regulator": tokens.issue(role="regulator", sector=SECTOR, name="经信局 工贸科"),
            "bureau": site.bureau}


def _fits(page) -> None:
    """No horizontal scrolling: nothing is wider than the (phone's) screen."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _state(site, hazard: str) -> dict:
    return site.api(f"/hazards/{hazard}")


def _types(site, hazard: str) -> list[str]:
    return [e["type"].split(".")[-1] for e in site.api(f"/hazards/{hazard}/history")]


def _photo(page, field: str, colour: tuple[int, int, int], caption: str) -> None:
    """Take a photo into a form's photo field: uploaded at once, shown as a captioned thumbnail."""
    page.set_input_files(field, files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(colour)}])
    figure = page.locator(f"{field}-list figure.evidence-file[data-state=ready]")
    figure.wait_for()
    assert figure.locator("img.thumb").evaluate("img => img.src.startsWith('blob:') && img.naturalWidth > 0")
    assert figure.locator(".caption").inner_text() == caption


def _submitted(page, form: str, then: str) -> None:
    """Submit `form` and wait for the page to show `then` (the next step's form, a notice …)."""
    page.click(f"{form}-submit")
    try:
        page.locator(then).first.wait_for()
    except Exception:  # say what the form shows (a refusal) rather than only that it timed out
        raise AssertionError(page.locator(form).inner_text() if page.locator(form).count() else page.url) from None


def test_a_major_hazard_goes_from_report_to_closure_in_the_browser(browser, site, shots, mill):
    # 1. the agency, on its phone, reports from its inspection's page with a photo
    with _open(browser, site, mill["agency"], phone=True) as page:
        ready(page, f"{site.url}/inspections/{mill['inspection']}")
        form = page.locator("#report-form")
        assert form.locator("h2").inner_text() == "上报本次排查发现的隐患"
        page.fill("#report-form-description", "纱库与车间未设防火分隔")
        page.check("#report-form-level-major")
        page.select_option("#report-form-criterion", CRITERION)
        page.fill("#report-form-location", "一号纱库")
        _photo(page, "#report-form-evidence", (200, 40, 40), "现场照片 1")
        _fits(page)
        page.locator("#report-form").screenshot(path=shots / "act-report.png")
        page.click("#report-form-submit")
        page.wait_for_url(f"{site.url}/hazards/*")
        page.wait_for_selector("main[data-ready=true]")
        hazard = page.url.rsplit("/", 1)[1]
        assert page.locator("#steps > form").count() == 0  # nothing for the agency to do while it is 已上报
        assert page.locator("#more-steps form").count() == 1  # but 调整等级, folded away
        _fits(page)
    state = _state(site, hazard)
    assert (state["level"], state["source"], state["inspection_id"], state["criterion"], state["location"]) == \
        ("major", "inspection", mill["inspection"], CRITERION, "一号纱库")
    assert len(state["evidence"]) == 1 and state["evidence"][0].startswith("sha256:")
    assert site.api(f"/hazards/{hazard}/history")[0]["actor"]["role"] == "agency"

    # 2. the enterprise, on its phone: a refusal in Chinese next to the fields, then assign and plan
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#listing-form").count() == 0  # the bureau's step: not offered
        page.click("#assign-form-submit")  # nothing filled in: the API's 422, field by field
        page.locator("#assign-form-error").wait_for()
        assert page.locator("#assign-form-responsible_person-error").inner_text() == "必填"
        assert page.locator("#assign-form-deadline-error").inner_text() == "必填"
        assert page.locator("#assign-form-error").get_attribute("data-status") == "422"
        assert _state(site, hazard)["status"] == "reported"  # nothing stored
        page.fill("#assign-form-responsible_person", "李明")
        assert page.locator("#assign-form-responsible_person-error").inner_text() == ""  # corrected: its error goes
        assert page.locator("#assign-form-deadline-error").inner_text() == "必填"
        page.fill("#assign-form-responsible_phone", "13800000000")
        deadline = (site.ledger.today() + timedelta(days=30)).isoformat()
        page.fill("#assign-form-deadline", deadline)
        _fits(page)
        page.locator("#assign-form").screenshot(path=shots / "act-assign.png")
        _submitted(page, "#assign-form", "#plan-form")
        assert page.locator("#step-done").inner_text() == "已落实整改责任人和期限。"
        for name, text in PLAN.items():
            page.fill(f"#plan-form-{name}", text)
        page.dblclick("#plan-form-submit")  # a double click stores once
        page.locator("#rectify-form").wait_for()
        _fits(page)
    assert _types(site, hazard).count("RectificationPlanFiled") == 1
    assert {k: _state(site, hazard)["plan"][k] for k in PLAN} == PLAN
    state = _state(site, hazard)
    assert (state["status"], state["responsible_person"], state["deadline"]) == ("assigned", "李明", deadline)

    # 3. the bureau lists it for supervision (挂牌督办): issues the notice and records its service
    with _open(browser, site, mill["bureau"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        page.select_option("#listing-form-level", "county")
        for name, text in (("government", "宁海县人民政府"), ("department", "宁海县应急管理局"),
                           ("document_no", "宁安督〔2026〕99号"), ("finish_days", "30"), ("plan_days", "10"),
                           ("signatory", "张局长")):
            page.fill(f"#listing-form-{name}", text)
        _submitted(page, "#listing-form", "#serve-form")
        assert page.locator("#step-done").inner_text() == "挂牌督办通知书已下达，待送达。"
        page.fill("#serve-form-served_by", "应急局 陈科员")
        _submitted(page, "#serve-form", "#step-done")
        page.wait_for_function("() => !document.querySelector('#serve-form')")
        assert page.locator("#listing-form").count() == 0
    listing = _state(site, hazard)["listing"]
    assert (listing["state"], listing["document_no"], listing["served_by"]) == ("served", "宁安督〔2026〕99号", "应急局 陈科员")

    # 4. the enterprise reports rectification with a photo (phone)
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#sign-form h2").inner_text() == "签收挂牌督办通知书（宁安督〔2026〕99号）"
        page.fill("#sign-form-signed_by", "纺织厂 法定代表人 赵刚")
        _submitted(page, "#sign-form", "#step-done")
        page.wait_for_function("() => !document.querySelector('#sign-form')")
        _photo(page, "#rectify-form-evidence", (40, 160, 60), "整改照片 1")
        page.fill("#rectify-form-evidence_note", "已砌筑防火墙并安装防火门")
        page.fill("#rectify-form-cost", "18500")
        _fits(page)
        page.locator("#rectify-form").screenshot(path=shots / "act-rectify.png")
        _submitted(page, "#rectify-form", "#step-done:has-text('已报告整改完成')")
        assert page.locator("#title .badge").first.inner_text() == "待复查"
        assert page.locator("#review-form, #close-form").count() == 0  # not the enterprise's steps
    state = _state(site, hazard)
    assert state["status"] == "rectified"
    assert state["rectification"]["evidence"][-1] == "已砌筑防火墙并安装防火门"
    assert state["rectification"]["evidence"][0].startswith("sha256:")

    # 5. the bureau closes too early: the rule's text in Chinese, nothing stored
    with _open(browser, site, mill["bureau"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#review-form").count() == 0  # the bureau is no party to the joint review
        page.click("#close-form-submit")
        refused = page.locator("#close-form-error")
        refused.wait_for()
        assert (refused.get_attribute("data-status"), refused.get_attribute("data-rule")) == \
            ("409", "close-requires-joint-review")
        assert refused.inner_text().startswith("重大隐患和挂牌督办隐患销号前须经乡镇（街道）、行业主管部门、中介机构三方联合复查通过")
        page.locator("#close-form").screenshot(path=shots / "act-refused.png")
    assert _state(site, hazard)["status"] == "rectified"

    # 6. the joint review (联合验收): township office, sector regulator, agency (on its phone)
    for party, label, phone in (("township", "乡镇（街道）", False), ("regulator", "行业主管部门", False),
                                ("agency", "中介机构", True)):
        with _open(browser, site, mill[party], phone=phone) as page:
            ready(page, f"{site.url}/hazards/{hazard}")
            assert page.locator("#review-form h2").inner_text() == f"联合验收签字（{label}）"
            page.fill("#review-form-notes", f"{label}现场验收合格")
            if phone:
                _photo(page, "#review-form-evidence", (60, 60, 200), "验收照片 1")
                _fits(page)
            _submitted(page, "#review-form", "#step-done")
            assert page.locator("#review-form").count() == 0  # signed once
    assert set(_state(site, hazard)["joint_review"]) == {"township", "regulator", "agency"}

    # 7. the enterprise files the written closure report (phone); 8. the bureau closes it
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        page.fill("#closure-report-form-document_no", "纺织厂销号〔2026〕1号")
        _submitted(page, "#closure-report-form", "#step-done")
        _fits(page)
    with _open(browser, site, mill["bureau"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        _submitted(page, "#close-form", "#step-done")
        assert page.locator("#step-done").inner_text() == "已销号。"
        page.wait_for_function("() => document.querySelector('#title .badge').textContent === '已销号'")
        assert page.locator("#steps form").count() == 0
        history = site.api(f"/hazards/{hazard}/history")
        page.wait_for_function("n => document.querySelectorAll('#timeline li').length === n", arg=len(history))
        captions = page.locator("#evidence-files .caption")
        captions.first.wait_for()
        page.wait_for_function("() => [...document.querySelectorAll('#evidence-files figure')].every(f => f.dataset.state === 'ready')")
        assert sorted(c.inner_text() for c in captions.all()) == ["整改照片 1", "现场照片 1", "验收照片 1"]
        assert "sha256" not in page.locator("main").inner_text()
    state = _state(site, hazard)
    assert (state["status"], state["closed_on"]) == ("closed", mill["today"])
    assert _types(site, hazard) == [
        "Reported", "ResponsibilityAssigned", "RectificationPlanFiled", "ListingIssued", "ListingServed",
        "ListingSigned", "RectificationReported",
        "JointReviewSigned", "JointReviewSigned", "JointReviewSigned", "ClosureReportFiled", "Closed"]
    assert [e["actor"]["role"] for e in history] == [
        "agency", "enterprise", "enterprise", "bureau", "bureau", "enterprise", "enterprise", "township",
        "regulator", "agency",
        "enterprise", "bureau"]


def test_an_enterprise_reports_its_own_finding_from_the_ledger_on_its_phone(browser, site, mill):
    """The ledger of an enterprise's token offers 上报本企业自查发现的隐患 (source 企业自查): citing a
    major criterion while grading the hazard general is refused with the rule's text (nothing
    stored), then graded major it is stored and its page opens; no other role gets the form."""
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/ledger")
        page.click("#report-box > summary")
        assert page.locator("#report-form h2").inner_text() == "上报本企业自查发现的隐患"
        page.fill("#report-form-description", "织布车间消防通道堆放布匹")
        page.select_option("#report-form-criterion", CRITERION)  # a major criterion, the level left 一般隐患
        _photo(page, "#report-form-evidence", (220, 180, 40), "现场照片 1")
        _fits(page)
        page.click("#report-form-submit")
        refused = page.locator("#report-form-error")
        refused.wait_for()
        assert (refused.get_attribute("data-status"), refused.get_attribute("data-rule")) == ("409", "major-criterion")
        assert refused.inner_text().startswith("引用重大事故隐患判定标准条款的隐患即为重大隐患，不能定为一般隐患")
        page.check("#report-form-level-major")
        page.click("#report-form-submit")
        page.wait_for_url(f"{site.url}/hazards/*")
        page.wait_for_selector("main[data-ready=true]")
        hazard = page.url.rsplit("/", 1)[1]
        page.locator("#assign-form").wait_for()  # its next step, for the enterprise itself
        _fits(page)
    state = _state(site, hazard)
    assert (state["source"], state["level"], state["enterprise_id"], state["inspection_id"]) == \
        ("self_check", "major", mill["enterprise"], None)
    assert _types(site, hazard) == ["Reported"]
    rows = site.api("/ledger", mill["firm"], after=site.ledger.recorder.max_notification_id(), page_size=100)["items"]
    assert [r["hazard_id"] for r in rows if r["description"] == "织布车间消防通道堆放布匹"] == [hazard]  # the refusal stored none
    with _open(browser, site, mill["agency"]) as page:  # an agency reports on its inspection's page only
        ready(page, f"{site.url}/ledger")
        assert page.locator("#report-box").count() == 0


def test_a_township_office_reports_a_tip_at_an_enterprise_it_finds_in_the_directory(browser, site, mill):
    """The ledger of a township office's token offers 上报检查发现的隐患: it finds the enterprise in
    企业名录 by part of its name (an enterprise of another township is not found), picks it, and
    reports a 群众举报 hazard; the hazard's page opens at its next step."""
    other = site.ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="名录测试桃源纺织厂",
                                            township="330226002", sector=SECTOR, scale="small_micro").id
    site.api("/enterprises", site.bureau, after=site.ledger.recorder.max_notification_id())  # the view has it
    with _open(browser, site, mill["township"]) as page:
        ready(page, f"{site.url}/ledger")
        page.click("#report-box > summary")
        page.fill("#enterprise-q", "名录测试桃源")
        page.click("#enterprise-finder button[type=submit]")
        page.locator("#enterprise-none").wait_for()  # another township's enterprise: not in its directory
        page.fill("#enterprise-q", "看板办理测试纺织")
        page.click("#enterprise-finder button[type=submit]")
        page.click("#enterprise-picks button:has-text('看板办理测试纺织厂')")
        assert page.locator("#report-form h2").inner_text() == "上报看板办理测试纺织厂的隐患"
        assert page.locator("#report-form-source option").all_inner_texts() == ["执法检查", "群众举报", "网格化协查"]
        page.select_option("#report-form-source", "public_tip")
        page.fill("#report-form-description", "群众反映厂区后门消防通道被锁闭")
        page.click("#report-form-submit")
        page.wait_for_url(f"{site.url}/hazards/*")
        page.wait_for_selector("main[data-ready=true]")
        hazard = page.url.rsplit("/", 1)[1]
        page.locator("#assign-form").wait_for()  # a township office may assign
    state = _state(site, hazard)
    assert (state["source"], state["level"], state["enterprise_id"]) == ("public_tip", "general", mill["enterprise"])
    assert str(other) != state["enterprise_id"]


def _extendable_deadline(today):
    """A deadline an extension may still be asked for today: inside the working calendar's years
    (infra/data/calendar_cn.json) and more than the county's 15 working days ahead."""
    calendar = load_calendar()
    for deadline in (today + timedelta(days=40), date(today.year, 12, 31)):
        if deadline.year in calendar.years and calendar.working_days_between(today, deadline) > 15:
            return deadline
    pytest.skip(f"the working calendar does not reach far enough past {today} for an extension request")


def test_enforcement_an_extension_and_a_withdrawal_from_the_browser(browser, site, mill):
    """A general hazard: the regulator records its enforcement (执法措施) — its first answer lost on
    the way, the same submission sent again is stored once (Idempotency-Key) — the enterprise (phone)
    applies for an extension, the township office — the approver of a general hazard's extension —
    approves it (the bureau is offered no decision); a false tip is withdrawn by the township office."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    today = ledger.today()
    hazard = str(ledger.report_hazard(bureau, enterprise_id=mill["enterprise"], source="government_check",
                                      category="unsafe_act", description="叉车司机无证驾驶", level="general",
                                      discovered_on=today).id)
    deadline = _extendable_deadline(today)
    ledger.assign_responsibility(bureau, hazard, responsible_person="李明", deadline=deadline, assigned_on=today)
    tip = str(ledger.report_hazard(bureau, enterprise_id=mill["enterprise"], source="public_tip",
                                   category="unsafe_condition", description="群众反映仓库堆放危化品",
                                   level="general", discovered_on=today).id)

    with _open(browser, site, mill["regulator"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        page.select_option("#enforce-form-kind", "order_rectification")
        page.fill("#enforce-form-document_no", "宁经信责改〔2026〕7号")
        lost = []

        def answer_lost(route):  # the write reaches the server, its answer never reaches the page
            lost.append(route.fetch().status)
            route.abort()
        page.route("**/api/v1/hazards/*/enforce", answer_lost)
        page.click("#enforce-form-submit")
        refused = page.locator("#enforce-form-error")
        refused.wait_for()
        assert refused.get_attribute("data-status") == "network" and lost == [200]
        assert refused.inner_text().startswith("网络中断，未收到服务器的应答")
        page.unroute("**/api/v1/hazards/*/enforce")
        _submitted(page, "#enforce-form", "#step-done:has-text('执法措施已记录')")  # the same submission again
    assert [(e["kind"], e["document_no"]) for e in _state(site, hazard)["enforcement"]] == \
        [("order_rectification", "宁经信责改〔2026〕7号")]

    later = (deadline + timedelta(days=30)).isoformat()
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#enforce-form, #withdraw-form, #decision-form").count() == 0
        page.fill("#extension-form-new_deadline", later)
        page.fill("#extension-form-reason", "持证培训班下月开班")
        page.fill("#extension-form-interim_controls", "叉车停用，由持证司机临时代班")
        _fits(page)
        _submitted(page, "#extension-form", "#step-done:has-text('延期申请已提交')")
        assert page.locator("#extension-form").count() == 0  # one pending request at a time
    assert _state(site, hazard)["extension_request"]["new_deadline"] == later

    with _open(browser, site, mill["bureau"]) as page:  # a general hazard's extension is the township's to decide
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#decision-form").count() == 0
    with _open(browser, site, mill["township"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert "持证培训班下月开班" in page.locator("#decision-form").inner_text()
        page.fill("#decision-form-opinion", "同意，严格落实临时管控措施")
        _submitted(page, "#decision-form", "#step-done:has-text('审批意见已提交')")
        ready(page, f"{site.url}/hazards/{tip}")
        page.click("#more-steps > summary")
        page.fill("#withdraw-form-reason", "经核实为误报：仓库存放的是普通纸箱")
        _submitted(page, "#withdraw-form", "#step-done:has-text('已撤销')")
        assert page.locator("#title .badge").first.inner_text() == "已撤销"
    state = _state(site, hazard)
    assert (state["deadline"], state["extension_request"]) == (later, None)
    assert _types(site, hazard)[-2:] == ["ExtensionRequested", "ExtensionDecided"]
    assert _state(site, tip)["status"] == "withdrawn"


def test_the_bureau_regrades_a_hazard_citing_a_criterion_from_the_browser(browser, site, mill):
    """调整等级 from the hazard's page: a general hazard found to be major, the 判定依据 chosen from
    its sector's criteria; the reason is required (a 422 beside the field, nothing stored); the
    enterprise is offered no regrade."""
    bureau, ledger = actor(Role.BUREAU), site.ledger
    hazard = str(ledger.report_hazard(bureau, enterprise_id=mill["enterprise"], source="government_check",
                                      category="unsafe_condition", description="纱库与车间之间无防火分隔",
                                      level="general", discovered_on=ledger.today()).id)
    with _open(browser, site, mill["firm"], phone=True) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        assert page.locator("#regrade-form").count() == 0
    with _open(browser, site, mill["bureau"]) as page:
        ready(page, f"{site.url}/hazards/{hazard}")
        page.click("#more-steps > summary")
        assert page.locator("#regrade-form-level input[value=major]").is_checked()  # the other level, offered
        page.select_option("#regrade-form-criterion", CRITERION)
        page.evaluate("document.querySelector('#regrade-form-reason').removeAttribute('required')")
        page.click("#regrade-form-submit")  # no reason: the API's refusal beside the field
        page.locator("#regrade-form-reason-error").wait_for()
        assert _state(site, hazard)["level"] == "general"
        page.fill("#regrade-form-reason", "经专家论证，属纺织企业纱库重大事故隐患")
        _submitted(page, "#regrade-form", "#step-done:has-text('隐患等级已调整')")
        assert "现为重大隐患" in page.locator("#regrade-form").text_content()  # the page read it again
    state = _state(site, hazard)
    assert (state["level"], state["criterion"]) == ("major", CRITERION)
    assert _types(site, hazard)[-1] == "Regraded"


def test_the_service_platform_from_the_browser_post_offer_accept_and_rate(browser, site, mill):
    """服务平台 (issue 15 §5) from the browser: the enterprise posts a need (without a service: 422
    beside the field, nothing stored), an agency in the pool offers, the enterprise accepts — the
    contract is signed by both sides at once — and an enterprise whose platform contract has
    ended rates the agency once (the form is gone after)."""
    bureau = actor(Role.BUREAU)
    site.ledger.admit_agency_to_pool(bureau, mill["agency_id"])
    with _open(browser, site, mill["firm"]) as page:
        ready(page, f"{site.url}/platform")
        page.click("#need-box > summary")
        page.fill("#need-form-description", "每月一次隐患排查并出具报告")
        page.click("#need-form-submit")
        page.locator("#need-form-error").wait_for()
        assert page.locator("#need-form-services-error").inner_text() != ""  # no service chosen: refused beside it
        page.check("#need-form-services-monthly")
        page.click("#need-form-submit")
        page.locator("#need-form-done").wait_for()
        page.locator("[data-testid=needs-table] td:has-text('每月一次隐患排查并出具报告')").wait_for()
    needs = [n for n in site.api("/needs", mill["firm"], after=site.ledger.recorder.max_notification_id())["items"]
             if n["description"] == "每月一次隐患排查并出具报告"]
    assert len(needs) == 1 and needs[0]["services"] == ["monthly"]  # the refused submission stored nothing
    with _open(browser, site, mill["agency"]) as page:
        ready(page, f"{site.url}/platform")
        row = page.locator("[data-testid=needs-table] tr", has_text="每月一次隐患排查并出具报告")
        row.locator("details.act-box > summary", has_text="报价").click()
        row.locator("input[name=end]").fill((site.ledger.today() + timedelta(days=180)).isoformat())
        row.locator("input[name=fee]").fill("3000")
        row.locator("textarea[name=terms]").fill("每月排查一次，三日内出具报告")
        row.locator("button[type=submit]").click()
        row = page.locator("[data-testid=needs-table] tr", has_text="每月一次隐患排查并出具报告")
        row.locator("[data-offer]", has_text="看板办理测试安评公司：按月排查").wait_for()  # its own offer, read again
        assert row.locator("details.act-box > summary", has_text="报价").count() == 0  # one offer per agency
    with _open(browser, site, mill["firm"]) as page:
        ready(page, f"{site.url}/platform")
        row = page.locator("[data-testid=needs-table] tr", has_text="每月一次隐患排查并出具报告")
        row.locator("details.act-box > summary", has_text="接受此报价").click()
        row.locator("button[type=submit]", has_text="接受此报价").click()
        page.locator("[data-testid=needs-table] tr", has_text="每月一次隐患排查并出具报告").locator("text=已接受报价").wait_for()
    need = site.api(f"/needs/{needs[0]['need_id']}", mill["firm"])
    assert need["accepted_offer"] and need["contract_id"]
    contract = site.api(f"/contracts/{need['contract_id']}", mill["firm"])
    assert (contract["agency_id"], contract["countersigned_on"]) == (mill["agency_id"], mill["today"])  # in force

    # rating: an enterprise of the simulated county whose platform contract has ended, not yet rated
    rated = {r["contract_id"] for r in site.api("/ratings", site.bureau)["items"]}
    today = site.ledger.today().isoformat()
    ended = [n for n in site.api("/needs", site.bureau, status="accepted", limit=500)["items"]
             if n["contract_id"] not in rated and any(o["accepted"] and o["end"] <= today for o in n["offers"])]
    assert ended, "the simulated county has an ended platform contract not yet rated"
    firm = site.tokens.issue(role="enterprise", enterprise_id=ended[0]["enterprise_id"], name="企业 安全员")
    with _open(browser, site, firm) as page:
        ready(page, f"{site.url}/platform")
        box = page.locator("details.act-box", has_text="评价服务机构")
        box.locator("summary").click()
        for name, value in (("quality", "90"), ("attitude", "85"), ("effect", "80")):
            box.locator(f"input[name={name}]").fill(value)
        box.locator("textarea[name=comment]").fill("排查认真，报告及时")
        box.locator("button[type=submit]").click()
        page.locator("text=已评价").wait_for()
        assert page.locator("details.act-box", has_text="评价服务机构").count() == 0
    mine = [r for r in site.api("/ratings", firm, after=site.ledger.recorder.max_notification_id())["items"]
            if r["contract_id"] == ended[0]["contract_id"]]
    assert [(s["score"]) for s in mine[0]["scores"]] == [90, 85, 80] and mine[0]["comment"] == "排查认真，报告及时"
