"""待办 over HTTP (GET /api/v1/todo) on a seeded county: each party's items appear when the
lifecycle makes the next step theirs and disappear once it is taken; a township never sees
another township's items; bad input is 422 naming the field.

The tests' "today" is Tuesday 30 June 2026 (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from tests.conftest import actor, credit_code

API = "/api/v1"
YUELONG, TAOYUAN = "330226001", "330226002"  # 跃龙街道, 桃源街道
PLAN = {k: "内容" for k in ("objectives", "measures", "funds", "organisation", "timeline", "safety_measures")}


@pytest.fixture
def county(ledger):
    """甲化工 (跃龙街道, chem) served by 甲咨询 under a procurement agreement; 乙建筑 (桃源街道,
    construction) served by none. 甲化工: a general hazard (deadline passed) and a major one;
    乙建筑: a general one. All reported by the bureau, none assigned yet."""
    bureau = actor(Role.BUREAU)
    e1 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township=YUELONG,
                                    sector="chem", scale="small_micro").id
    e2 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="乙建筑", township=TAOYUAN,
                                    sector="construction", scale="small_micro").id
    a1 = ledger.register_agency(bureau, credit_code=credit_code(), name="甲咨询").id
    ledger.sign_agreement(bureau, agency_id=a1, townships=[YUELONG], sectors=["chem"], start=date(2026, 1, 1),
                          end=date(2029, 12, 31), prices={"comprehensive": 200}, budget=10000)

    def hazard(enterprise: str, description: str, level: str) -> str:
        return ledger.report_hazard(bureau, enterprise_id=enterprise, source="government_check",
                                    category="unsafe_condition", description=description, level=level,
                                    discovered_on=date(2026, 6, 1)).id

    return {"E1": e1, "E2": e2, "A1": a1, "general": hazard(e1, "配电箱破损", "general"),
            "major": hazard(e1, "储罐区可燃气体报警器失效", "major"), "other": hazard(e2, "脚手架未设防护网", "general")}


class Parties:
    """Each party's token, and its to-do read after the last write (`?after=`)."""

    def __init__(self, api, auth, county):
        self.api, self.position = api, 0
        self.headers = {
            "bureau": auth("bureau"), "enterprise": auth("enterprise", enterprise_id=county["E1"]),
            "enterprise2": auth("enterprise", enterprise_id=county["E2"]),
            "township": auth("township", township=YUELONG), "taoyuan": auth("township", township=TAOYUAN),
            "regulator": auth("regulator", sector="chem"), "agency": auth("agency", agency_id=county["A1"]),
            "auditor": auth("auditor"),
        }

    def post(self, who: str, path: str, body: dict | None = None) -> dict:
        answer = self.api.post(API + path, json=body or {}, headers=self.headers[who])
        assert answer.status_code in (200, 201), answer.text
        self.position = answer.json()["position"]
        return answer.json()

    def todo(self, who: str, **params) -> dict:
        answer = self.api.get(f"{API}/todo", params={"after": self.position, **params}, headers=self.headers[who])
        assert answer.status_code == 200, answer.text
        return answer.json()

    def items(self, who: str, **params) -> set[tuple[str, str]]:
        """(kind, hazard id or month) of each item."""
        return {(i["kind"], i.get("hazard_id") or i["month"]) for i in self.todo(who, **params)["items"]}


@pytest.fixture
def parties(api, auth, county):
    return Parties(api, auth, county)


def test_each_party_sees_its_next_steps_as_the_hazards_move(parties, county):
    g, m, o = county["general"], county["major"], county["other"]
    p = parties
    assert p.items("enterprise") == {("assign", g), ("assign", m), ("self_report", "2026-06")}
    assert p.items("township") == p.items("regulator") == p.items("agency") == p.items("bureau") == set()

    p.post("enterprise", f"/hazards/{g}/assign", {"responsible_person": "张三", "deadline": "2026-06-20"})
    p.post("enterprise", f"/hazards/{m}/assign", {"responsible_person": "李四", "deadline": "2026-09-30"})
    p.post("enterprise2", f"/hazards/{o}/assign", {"responsible_person": "王五", "deadline": "2026-07-31"})
    body = p.todo("enterprise")
    assert {(i["kind"], i["hazard_id"]) for i in body["items"] if "hazard_id" in i} == {
        ("rectify", g), ("plan", m), ("rectify", m)}
    rectify_g = next(i for i in body["items"] if i["kind"] == "rectify" and i["hazard_id"] == g)
    assert (rectify_g["due_on"], rectify_g["overdue"], rectify_g["since"]) == ("2026-06-20", True, "2026-06-30")
    assert body["overdue"] == 1 and body["counts"]["rectify"] == {"label": "整改隐患", "count": 2, "overdue": 1}

    p.post("enterprise", f"/hazards/{m}/plan", PLAN)
    for who, hazard in (("enterprise", g), ("enterprise", m), ("enterprise2", o)):
        p.post(who, f"/hazards/{hazard}/rectify", {"evidence": ["整改后照片说明"], "cost": 100})
    assert {k for k, _ in p.items("enterprise")} == {"self_report"}
    assert p.items("township") == {("review", g), ("joint_review", m)}
    assert p.items("agency") == {("review", g), ("joint_review", m)}
    assert p.items("regulator") == {("joint_review", m)}
    assert p.items("taoyuan") == {("review", o)}  # its own township's only
    assert p.items("bureau") == set()

    p.post("township", f"/hazards/{g}/review", {"passed": True})
    assert p.items("township") == {("joint_review", m)}
    assert p.items("agency") == {("joint_review", m)}  # whoever reviews first takes it off both lists
    assert p.items("bureau") == {("close", g)}

    for who in ("township", "regulator"):
        p.post(who, f"/hazards/{m}/review", {"passed": True})
        assert ("joint_review", m) not in p.items(who)
    assert p.items("agency") == {("joint_review", m)}
    p.post("agency", f"/hazards/{m}/review", {"passed": True})
    assert p.items("agency") == set()
    assert ("closure_report", m) in p.items("enterprise")
    p.post("enterprise", f"/hazards/{m}/closure-report", {"document_no": "甲化工销〔2026〕1号"})
    assert p.items("bureau") == {("close", g), ("close", m)}
    p.post("bureau", f"/hazards/{g}/close")
    p.post("bureau", f"/hazards/{m}/close")
    assert p.items("bureau") == set()
    assert {k for k, _ in p.items("enterprise")} == {"self_report"}

    p.post("enterprise", "/self-reports", {"enterprise_id": county["E1"], "month": "2026-06", "none_found": True})
    assert p.items("enterprise") == set()


def test_a_failed_review_gives_the_enterprise_its_rectification_back(parties, county):
    g, p = county["general"], parties
    p.post("enterprise", f"/hazards/{g}/assign", {"responsible_person": "张三", "deadline": "2026-07-20"})
    p.post("enterprise", f"/hazards/{g}/rectify", {"evidence": ["照片说明"], "cost": 10})
    assert ("rectify", g) not in p.items("enterprise")
    p.post("agency", f"/hazards/{g}/review", {"passed": False, "notes": "未整改到位"})
    assert ("rectify", g) in p.items("enterprise")
    assert p.items("township") == p.items("agency") == set()


def test_extension_requests_go_to_the_approver_the_policy_names(parties, county):
    g, m, p = county["general"], county["major"], parties
    for hazard in (g, m):
        p.post("enterprise", f"/hazards/{hazard}/assign", {"responsible_person": "张三", "deadline": "2026-10-20"})
    p.post("enterprise", f"/hazards/{m}/plan", PLAN)
    for hazard in (g, m):
        p.post("enterprise", f"/hazards/{hazard}/extension-requests",
               {"new_deadline": "2026-11-30", "reason": "进口阀门到货延迟", "interim_controls": "停用，设警戒线"})
    township = p.todo("township")["items"]
    assert [(i["kind"], i["hazard_id"], i["since"], i["due_on"]) for i in township] == [
        ("extension_decision", g, "2026-06-30", "2026-10-20")]
    assert p.items("bureau") == {("extension_decision", m)}
    assert p.items("taoyuan") == set()
    p.post("township", f"/hazards/{g}/extension-requests/decision", {"approved": True, "opinion": "同意"})
    p.post("bureau", f"/hazards/{m}/extension-requests/decision", {"approved": False, "opinion": "按期整改"})
    assert p.items("township") == p.items("bureau") == set()
    dues = {i["hazard_id"]: i["due_on"] for i in p.todo("enterprise", kind="rectify")["items"]}
    assert dues == {g: "2026-11-30", m: "2026-10-20"}


def test_items_speak_chinese_and_link_to_the_dashboard(parties, county):
    body = parties.todo("enterprise")
    assert (body["role"], body["role_label"]) == ("enterprise", "企业")
    assign = next(i for i in body["items"] if i["hazard_id"] == county["major"])
    assert assign["kind_label"] == "落实责任人和整改期限"
    assert assign["subject"] == "宁海-2026-000002 甲化工：储罐区可燃气体报警器失效（2026-06-01 发现，重大隐患）"
    assert assign["hazard_no"] == "宁海-2026-000002"  # the second reported that year (issue 17 §4)
    assert assign["enterprise_name"] == "甲化工" and assign["link"] == f"/hazards/{county['major']}"
    month = next(i for i in body["items"] if i["kind"] == "self_report")
    assert (month["kind_label"], month["subject"], month["due_on"], month["link"]) == (
        "报送月度自查自报", "甲化工：2026 年 6 月隐患自查自报", "2026-07-05", "/self-reports")
    assert [i["since"] for i in body["items"]] == sorted(i["since"] for i in body["items"])  # oldest first


def test_paging_and_the_kind_filter(parties):
    everything = parties.todo("enterprise")["items"]
    assert len(everything) == 3
    pages = [parties.todo("enterprise", limit=2, offset=o)["items"] for o in (0, 2)]
    assert pages[0] + pages[1] == everything and len(pages[0]) == 2
    only = parties.todo("enterprise", kind="self_report")
    assert (only["total"], [i["kind"] for i in only["items"]]) == (1, ["self_report"])


def test_reading_roles_get_an_empty_list_with_a_note(parties):
    body = parties.todo("auditor")
    assert body["items"] == [] and body["total"] == 0 and "没有待办" in body["note"]


@pytest.mark.parametrize("params, field", [({"kind": "nonsense"}, "kind"), ({"limit": 0}, "limit"),
                                           ({"limit": 501}, "limit"), ({"offset": -1}, "offset")])
def test_bad_input_is_422_naming_the_field(parties, params, field):
    answer = parties.api.get(f"{API}/todo", params=params, headers=parties.headers["bureau"])
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_a_referral_is_signed_for_then_answered_by_the_receiving_unit_only(parties, county):
    p = parties
    referral = p.post("bureau", "/referrals", {"hazard_ids": [county["general"], county["major"]],
                                               "township": YUELONG, "instructions": "督促企业限期整改",
                                               "due_on": "2026-07-10", "document_no": "宁安委办〔2026〕3号"})["id"]
    p.post("bureau", "/referrals", {"hazard_ids": [county["other"]], "sector": "construction",
                                    "instructions": "依法查处", "due_on": "2026-07-29"})
    [item] = [i for i in p.todo("township")["items"]]
    assert (item["kind"], item["kind_label"], item["referral_id"], item["since"], item["due_on"], item["overdue"]) == (
        "referral_sign", "签收交办事项", referral, "2026-06-30", "2026-07-10", False)
    assert item["subject"] == "交办（宁安委办〔2026〕3号）：2 项隐患（配电箱破损、储罐区可燃气体报警器失效）"
    assert p.items("taoyuan") == set() and p.items("regulator") == set()  # chem: not its referral
    assert p.todo("bureau")["items"] == []  # the bureau refers; it signs nothing
    p.post("township", f"/referrals/{referral}/sign")
    assert [i["kind"] for i in p.todo("township")["items"]] == ["referral_answer"]
    p.post("township", f"/referrals/{referral}/answer", {"answer": "已督促整改，企业已落实责任人"})
    assert p.todo("township")["items"] == []


def test_a_regulator_sees_its_sectors_referrals_overdue(parties, auth, county):
    parties.headers["construction"] = auth("regulator", sector="construction")
    parties.post("bureau", "/referrals", {"hazard_ids": [county["other"]], "sector": "construction",
                                          "instructions": "依法查处", "due_on": "2026-06-29",
                                          "referred_on": "2026-06-20"})
    [item] = parties.todo("construction")["items"]
    assert (item["kind"], item["since"], item["overdue"]) == ("referral_sign", "2026-06-20", True)
    assert item["subject"] == "交办：1 项隐患（脚手架未设防护网）"


def test_the_listing_paperwork_moves_between_the_bureau_and_the_enterprise(parties, county):
    g, p = county["general"], parties
    p.post("enterprise", f"/hazards/{g}/assign", {"responsible_person": "张三", "deadline": "2026-12-31"})
    p.post("bureau", f"/hazards/{g}/listing", {
        "level": "county", "government": "宁海县人民政府", "department": "宁海县应急管理局",
        "document_no": "宁安委办〔2026〕12号", "finish_days": 60, "plan_days": 15, "signatory": "王局长"})
    assert p.items("bureau") == {("listing_serve", g)}
    assert ("listing_sign", g) not in p.items("enterprise")
    listing = p.api.get(f"{API}/supervision/listings", params={"after": p.position}, headers=p.headers["bureau"]).json()
    assert [(r["hazard_id"], r["listing_state"], r["listing_state_label"]) for r in listing["items"]] == [
        (g, "issued", "已下达待送达")]

    p.post("bureau", f"/hazards/{g}/listing/serve", {"served_by": "李四"})
    assert p.items("bureau") == set()
    [sign] = [i for i in p.todo("enterprise")["items"] if i["kind"] == "listing_sign"]
    assert (sign["kind_label"], sign["since"], sign["link"]) == ("签收挂牌督办通知书", "2026-06-30", f"/hazards/{g}")

    p.post("enterprise", f"/hazards/{g}/listing/sign", {"signed_by": "甲化工 张三"})
    items = {i["kind"]: i for i in p.todo("enterprise")["items"] if i.get("hazard_id") == g}
    assert set(items) == {"plan", "rectify"}  # a listed hazard files its plan by the notice's date
    assert items["plan"]["due_on"] == "2026-07-15"
    assert items["rectify"]["due_on"] == "2026-08-29"  # 治理完毕期限, earlier than the deadline
    row = p.api.get(f"{API}/supervision/listings", params={"after": p.position, "state": "signed"},
                    headers=p.headers["township"]).json()["items"][0]
    assert (row["listing_signed_on"], row["listing_finish_by"], row["listing_plan_by"], row["supervision_doc"],
            row["listing_department"], row["supervision_level_label"]) == (
        "2026-06-30", "2026-08-29", "2026-07-15", "宁安委办〔2026〕12号", "宁海县应急管理局", "县级")

    p.post("bureau", f"/hazards/{g}/listing/cancel", {"reason": "经核查不属于挂牌督办情形", "document_no": "宁安委办〔2026〕13号"})
    items = {i["kind"]: i for i in p.todo("enterprise")["items"] if i.get("hazard_id") == g}
    assert set(items) == {"rectify"} and items["rectify"]["due_on"] == "2026-12-31"


def test_listings_are_scoped_and_bad_filters_are_422(parties, county):
    p = parties
    p.post("bureau", f"/hazards/{county['other']}/supervise", {"level": "county", "document_no": "督1号"})
    get = lambda who, **params: p.api.get(f"{API}/supervision/listings", params={"after": p.position, **params},
                                          headers=p.headers[who])
    assert [r["hazard_id"] for r in get("taoyuan").json()["items"]] == [county["other"]]
    assert get("township").json()["items"] == []  # another township's listing
    assert get("township", township=TAOYUAN).json()["items"] == []  # a filter never widens the scope
    assert get("enterprise").json()["total"] == 0 and get("enterprise2").json()["total"] == 1
    row = get("bureau").json()["items"][0]
    assert (row["listing_state_label"], row["enterprise_name"], row["township_name"]) == (
        "已挂牌（旧记录）", "乙建筑", "桃源街道")
    for params, field in (({"township": "nowhere"}, "township"), ({"state": "odd"}, "state"),
                          ({"limit": 0}, "limit")):
        answer = get("bureau", **params)
        assert answer.status_code == 422 and field in answer.text


def test_an_agency_sees_the_hazards_of_the_enterprises_it_serves_today(parties, auth, ledger, county):
    """甲咨询 serves 甲化工 through its agreement; 乙咨询 serves 乙建筑 through a contract in force
    today, and had one with 甲化工 that ended: it may act on 乙建筑's hazards only."""
    bureau = actor(Role.BUREAU)
    a2 = ledger.register_agency(bureau, credit_code=credit_code(), name="乙咨询").id
    for enterprise, start, end in ((county["E2"], date(2026, 1, 1), date(2027, 12, 31)),
                                   (county["E1"], date(2025, 1, 1), date(2025, 12, 31))):
        c = ledger.propose_contract(bureau, enterprise_id=enterprise, agency_id=a2, service="monthly",
                                    start=start, end=end, fee=3600).id
        ledger.countersign_contract(actor(Role.AGENCY), c)
    parties.headers["agency2"] = auth("agency", agency_id=str(a2))
    for who, hazard in (("enterprise", county["general"]), ("enterprise2", county["other"])):
        parties.post(who, f"/hazards/{hazard}/assign", {"responsible_person": "张三", "deadline": "2026-07-31"})
        parties.post(who, f"/hazards/{hazard}/rectify", {"evidence": ["照片说明"], "cost": 10})
    assert parties.items("agency2") == {("review", county["other"])}
    assert parties.items("agency") == {("review", county["general"])}
    parties.post("agency2", f"/hazards/{county['other']}/review", {"passed": True})  # it may indeed act on it
    assert parties.items("agency2") == set()
