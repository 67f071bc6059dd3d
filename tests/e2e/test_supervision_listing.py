"""挂牌督办通知书 over HTTP (issue 14 §1) and 延期 as a decision on a paper application (§2), on the
real store: the paperwork's steps, each refusal's status and rule with nothing stored, the old
one-step `supervise`, the history in Chinese. The tests' "today" is 30 June 2026."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code, stored_count

TOWNSHIP = "330226001"
NOTICE = {"level": "county", "government": "宁海县人民政府", "department": "宁海县应急管理局",
          "document_no": "宁政督〔2026〕第3号", "finish_days": 30, "plan_days": 15, "signatory": "王县长",
          "issued_on": "2026-06-05"}


@pytest.fixture
def w(ledger):
    """Two enterprises of 跃龙街道; hazards with deadlines in force."""
    bureau = actor(Role.BUREAU)

    def firm() -> str:
        return ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township=TOWNSHIP,
                                          sector="chem", scale="small_micro").id
    e, other = firm(), firm()

    def hazard(deadline: date = date(2026, 10, 20), level: str = "general") -> str:
        h = ledger.report_hazard(bureau, enterprise_id=e, source="government_check", category="unsafe_condition",
                                 description="储罐区阀门泄漏", level=level, discovered_on=date(2026, 6, 1)).id
        ledger.assign_responsibility(bureau, h, responsible_person="张三", deadline=deadline,
                                     assigned_on=date(2026, 6, 2))
        return h
    return {"E": e, "other": other, "hazard": hazard}


def _post(client, headers, hazard_id: str, step: str, body: dict):
    return client.post(f"/api/v1/hazards/{hazard_id}/{step}", json=body, headers=headers)


def _issue(client, auth, h: str, **body):
    return _post(client, auth("bureau"), h, "listing", {**NOTICE, **body})


def _serve(client, auth, h: str, **body):
    return _post(client, auth("bureau"), h, "listing/serve", {"served_by": "县应急管理局 李四",
                                                              "served_on": "2026-06-08", **body})


def _sign(client, headers, h: str, **body):
    return _post(client, headers, h, "listing/sign", {"signed_by": "企业负责人 赵六", "signed_on": "2026-06-10", **body})


def _cancel(client, auth, h: str, **body):
    return _post(client, auth("bureau"), h, "listing/cancel",
                 {"reason": "经复核不属于挂牌督办范围", "document_no": "宁政督撤〔2026〕第1号", **body})


def _state(client, auth, h: str) -> dict:
    return client.get(f"/api/v1/hazards/{h}", headers=auth("bureau")).json()


def _labels(client, auth, h: str) -> list[str]:
    return [e["label"] for e in client.get(f"/api/v1/hazards/{h}/history", headers=auth("bureau")).json()]


def test_the_paperwork_issue_serve_sign_with_deadlines_from_signing(client, auth, w):
    h = w["hazard"]()
    enterprise = auth("enterprise", enterprise_id=w["E"])
    for answer in (_issue(client, auth, h), _serve(client, auth, h), _sign(client, enterprise, h)):
        assert answer.status_code == 200, answer.text
    s = _state(client, auth, h)
    assert s["supervision"] == {"level": "county", "document_no": "宁政督〔2026〕第3号", "listed_on": "2026-06-05"}
    listing = s["listing"]
    assert (listing["state"], listing["government"], listing["department"], listing["signatory"]) == (
        "signed", "宁海县人民政府", "宁海县应急管理局", "王县长")
    assert (listing["served_by"], listing["signed_by"], listing["channel"]) == ("县应急管理局 李四", "企业负责人 赵六", "online")
    assert (listing["finish_by"], listing["plan_by"]) == ("2026-07-10", "2026-06-25")
    assert _labels(client, auth, h)[-3:] == ["下达挂牌督办通知书", "挂牌督办通知书送达", "挂牌督办通知书签收"]


def test_the_bureau_records_a_paper_receipt_and_cancels(client, auth, w):
    h = w["hazard"]()
    assert _issue(client, auth, h).status_code == 200
    assert _serve(client, auth, h).status_code == 200
    assert _sign(client, auth("bureau"), h).json()["id"] == h
    assert _cancel(client, auth, h).status_code == 200
    s = _state(client, auth, h)
    assert s["supervision"] is None and s["listing"]["state"] == "cancelled"
    assert s["listing"]["channel"] == "paper"
    assert s["listing"]["cancellation"]["document_no"] == "宁政督撤〔2026〕第1号"
    assert _labels(client, auth, h)[-1] == "撤销挂牌督办"


def _refused(client, ledger, answer, status: int, rule: str, before: int) -> None:
    assert (answer.status_code, answer.json().get("rule")) == (status, rule), answer.text
    assert stored_count(ledger) == before


def test_each_refusal_names_its_rule_and_stores_nothing(client, auth, ledger, w):
    h, listed = w["hazard"](), w["hazard"]()
    assert _issue(client, auth, listed).status_code == 200
    before = stored_count(ledger)
    township = auth("township", township=TOWNSHIP)
    _refused(client, ledger, _post(client, township, h, "listing", NOTICE), 403, "access:hazard.listing-issue", before)
    _refused(client, ledger, _serve(client, auth, h), 409, "listing-serve-after-issue", before)
    _refused(client, ledger, _sign(client, auth("enterprise", enterprise_id=w["E"]), listed), 409,
             "listing-sign-after-serve", before)
    _refused(client, ledger, _issue(client, auth, listed, document_no="宁政督〔2026〕第4号"), 409, "supervision-once", before)
    _refused(client, ledger, _cancel(client, auth, h), 409, "listing-cancel-in-force", before)
    _refused(client, ledger, _post(client, auth("agency"), listed, "listing/sign", {"signed_by": "x"}), 403,
             "access:hazard.listing-sign", before)
    # another enterprise's token is outside the record's scope
    _refused(client, ledger, _sign(client, auth("enterprise", enterprise_id=w["other"]), listed), 403,
             "access:hazard.listing-sign", before)
    _refused(client, ledger, _post(client, auth("regulator", sector="chem"), listed, "listing/cancel",
                                   {"reason": "x", "document_no": "y"}), 403, "access:hazard.listing-cancel", before)


def test_no_cancellation_nor_notice_once_rectification_is_reported(client, auth, ledger, w):
    h = w["hazard"]()
    assert _issue(client, auth, h).status_code == 200
    ledger.report_rectification(actor(Role.ENTERPRISE), h, evidence=["整改后照片"], cost=100,
                                rectified_on=date(2026, 6, 20))
    unlisted = w["hazard"]()
    ledger.report_rectification(actor(Role.ENTERPRISE), unlisted, evidence=["整改后照片"], cost=100,
                                rectified_on=date(2026, 6, 20))
    before = stored_count(ledger)
    _refused(client, ledger, _cancel(client, auth, h), 409, "listing-cancel-before-rectification", before)
    _refused(client, ledger, _issue(client, auth, unlisted), 409, "listing-issue-before-rectification", before)


@pytest.mark.parametrize("step, body, field", [
    ("listing", {**NOTICE, "finish_days": 0}, "finish_days"),
    ("listing", {**NOTICE, "plan_days": 45}, "plan_days"),
    ("listing", {**NOTICE, "finish_days": "30"}, "finish_days"),
    ("listing", {**NOTICE, "level": "village"}, "level"),
    ("listing", {**NOTICE, "issued_on": "2026-07-01"}, "issued_on"),
    ("listing", {**NOTICE, "government": ""}, "government"),
    ("listing", {**NOTICE, "extra": "x"}, "extra"),
    ("listing/serve", {"served_by": "李四", "served_on": "2026-06-04"}, "served_on"),
    ("listing/serve", {"served_on": "2026-06-08"}, "served_by"),
])
def test_bad_input_is_422_naming_the_field_and_stores_nothing(client, auth, ledger, w, step, body, field):
    h = w["hazard"]()
    if step != "listing":
        assert _issue(client, auth, h).status_code == 200
    before = stored_count(ledger)
    answer = _post(client, auth("bureau"), h, step, body)
    assert (answer.status_code, answer.json()["field"]) == (422, field), answer.text
    assert stored_count(ledger) == before


def test_the_old_supervise_still_works_and_reads_as_an_old_listing(client, auth, ledger, w):
    h = w["hazard"]()
    old = _post(client, auth("bureau"), h, "supervise", {"level": "city", "document_no": "督1号",
                                                          "listed_on": "2026-06-03"})
    assert old.status_code == 200, old.text
    s = _state(client, auth, h)
    assert s["listing"]["state"] == "listed" and s["supervision"]["document_no"] == "督1号"
    assert _labels(client, auth, h)[-1] == "挂牌督办"
    before = stored_count(ledger)
    _refused(client, ledger, _issue(client, auth, h), 409, "supervision-once", before)
    _refused(client, ledger, _serve(client, auth, h), 409, "listing-serve-after-issue", before)
    assert _cancel(client, auth, h).status_code == 200
    assert _issue(client, auth, h, issued_on="2026-06-30", document_no="宁政督〔2026〕第9号").status_code == 200


# --- 延期: the approver's decision on a paper application (issue 14 §2) ---------------------
def _extend(client, headers, h: str, **body):
    return _post(client, headers, h, "extend", {"deadline": "2026-11-30", "reason": "进口阀门到货延迟",
                                                 "requested_on": "2026-06-29", **body})


def test_extend_records_the_paper_application_and_its_approval(client, auth, w):
    h = w["hazard"]()
    answer = _extend(client, auth("township", township=TOWNSHIP), h, interim_controls="储罐区停用")
    assert answer.status_code == 200, answer.text
    assert _state(client, auth, h)["deadline"] == "2026-11-30"
    history = client.get(f"/api/v1/hazards/{h}/history", headers=auth("bureau")).json()
    requested, decided = history[-2:]
    assert [requested["label"], decided["label"]] == ["申请延期", "延期审批"]
    assert requested["data"]["channel"] == "paper" and requested["data"]["requested_on"] == "2026-06-29"
    assert requested["actor"]["role"] == "township" and decided["data"]["approved"] is True
    assert decided["version"] == requested["version"] + 1 and answer.json()["position"] > 0


def test_extend_refusals_name_their_rule_and_store_nothing(client, auth, ledger, w):
    general, soon, listed = w["hazard"](), w["hazard"](date(2026, 7, 10)), w["hazard"]()
    assert _issue(client, auth, listed).status_code == 200
    township = auth("township", township=TOWNSHIP)
    before = stored_count(ledger)
    _refused(client, ledger, _extend(client, auth("regulator", sector="chem"), general), 403,
             "access:hazard.extend", before)
    _refused(client, ledger, _extend(client, auth("bureau"), general), 403, "extension-approver", before)
    _refused(client, ledger, _extend(client, township, listed), 403, "extension-approver", before)
    _refused(client, ledger, _extend(client, township, soon), 409, "extension-request-notice", before)
    missing = client.post(f"/api/v1/hazards/{general}/extend", headers=township,
                          json={"deadline": "2026-11-30", "reason": "待料"})
    assert (missing.status_code, missing.json()["field"]) == (422, "requested_on")
    assert stored_count(ledger) == before
    assert _extend(client, auth("bureau"), listed).status_code == 200  # a listed hazard: the bureau decides


def test_the_trace_names_each_step_in_chinese(api, auth, w):
    h = w["hazard"]()
    _issue(api, auth, h)
    _serve(api, auth, h)
    last = _sign(api, auth("bureau"), h)
    assert last.status_code == 200, last.text
    url = f"/api/v1/trace/enterprises/{w['E']}?until=2026-06-30&after={last.json()['position']}"
    steps = api.get(url, headers=auth("investigator")).json()["steps"]
    mine = [(s["label"], str(s["business_date"])) for s in steps if s["subject_id"] == h][-3:]
    assert mine == [("下达挂牌督办通知书", "2026-06-05"), ("挂牌督办通知书送达", "2026-06-08"),
                    ("挂牌督办通知书签收", "2026-06-10")]
    page = api.get(url + "&format=html", headers=auth("investigator")).text
    assert "下达挂牌督办通知书" in page and "挂牌督办通知书签收" in page and "ListingSigned" not in page


def test_the_ledger_shows_the_paperwork_and_exports_it(api, auth, w):
    h = w["hazard"]()
    _issue(api, auth, h)
    _serve(api, auth, h)
    last = _sign(api, auth("bureau"), h)
    bureau = auth("bureau")
    item = next(i for i in api.get("/api/v1/ledger", headers=bureau,
                                   params={"after": last.json()["position"]}).json()["items"] if i["hazard_id"] == h)
    assert (item["listing_state"], item["listing_state_label"], item["supervision_level_label"]) == \
        ("signed", "已签收", "县级")
    assert (item["listing_signed_on"], item["listing_plan_by"], item["listing_finish_by"]) == \
        ("2026-06-10", "2026-06-25", "2026-07-10")
    table = api.get("/api/v1/ledger", headers=bureau, params={"format": "csv"}).content.decode("utf-8-sig")
    header, *rows = table.splitlines()
    assert header.endswith("隐患类别,督办级别,督办文书状态,督办部门,督办签收日期,治理方案备案期限,责令治理完毕期限,待审批延期申请日期")
    assert any('"已签收","宁海县应急管理局","2026-06-10","2026-06-25","2026-07-10"' in row for row in rows)
