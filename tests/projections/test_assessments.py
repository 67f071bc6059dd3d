"""考评 of townships, regulators and enterprises from the record (issue 15 §6): a small world with
known answers, the bureau's scores, grades by the county's thresholds; the reward fund."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.actor import Role
from domain.assessment import GradeThresholds
from domain.errors import RuleViolation
from projections.oversight_policy import OversightPolicy, grade_thresholds
from projections.queries import assessments as q
from tests.conftest import actor, credit_code

BUREAU, TOWNSHIP, REGULATOR = actor(Role.BUREAU), actor(Role.TOWNSHIP), actor(Role.REGULATOR)
AGENCY, OWNER = actor(Role.AGENCY), actor(Role.ENTERPRISE)
T1, T2 = "330226001", "330226002"
GOAL = OversightPolicy.load().coverage_goal
GRADES = grade_thresholds()


@pytest.fixture
def world(ledger):
    d = date
    ent = lambda name, town, sector: ledger.register_enterprise(  # noqa: E731
        BUREAU, credit_code=credit_code(), name=name, township=town, sector=sector, scale="small_micro").id
    e1, e2, e3 = ent("甲化工", T1, "chem"), ent("乙化工", T1, "chem"), ent("丙五金", T2, "trade")
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="甲咨询").id
    contract = ledger.propose_contract(BUREAU, enterprise_id=e1, agency_id=agency, service="monthly",
                                       start=d(2026, 1, 1), end=d(2026, 12, 31), fee=3600).id
    ledger.countersign_contract(AGENCY, contract)

    def hazard(enterprise, level, day):
        return ledger.report_hazard(BUREAU, enterprise_id=enterprise, source="government_check",
                                    category="unsafe_condition", description="隐患", level=level,
                                    discovered_on=day).id
    h1 = hazard(e1, "general", d(2026, 6, 1))  # closed, rectified on time
    ledger.assign_responsibility(OWNER, h1, responsible_person="王五", deadline=d(2026, 6, 10),
                                 assigned_on=d(2026, 6, 2))
    ledger.report_rectification(OWNER, h1, evidence=["a.jpg"], cost=1200, rectified_on=d(2026, 6, 5))
    ledger.review_rectification(TOWNSHIP, h1, passed=True, reviewed_on=d(2026, 6, 6))
    ledger.close_hazard(TOWNSHIP, h1, closed_on=d(2026, 6, 7))
    h2 = hazard(e1, "major", d(2026, 6, 1))  # overdue, enforced
    ledger.assign_responsibility(OWNER, h2, responsible_person="赵六", deadline=d(2026, 6, 20),
                                 assigned_on=d(2026, 6, 2))
    ledger.record_enforcement(REGULATOR, h2, kind="order_rectification", document_no="责改1号",
                              taken_on=d(2026, 6, 3))
    h3 = hazard(e2, "general", d(2026, 6, 3))  # reported only
    h4 = hazard(e3, "major", d(2026, 6, 4))  # no enforcement
    hazard(e3, "general", d(2025, 6, 4))  # last year's: not counted
    chem = ledger.refer_hazards(BUREAU, hazard_ids=[h2], sector="chem", instructions="督促整改",
                                due_on=d(2026, 6, 10), referred_on=d(2026, 6, 1)).id
    ledger.sign_referral(REGULATOR, chem, unit="chem", signed_on=d(2026, 6, 2))
    ledger.answer_referral(REGULATOR, chem, unit="chem", answer="已执法", answered_on=d(2026, 6, 8))
    ledger.refer_hazards(BUREAU, hazard_ids=[h4], sector="trade", instructions="督促整改",
                         due_on=d(2026, 6, 15), referred_on=d(2026, 6, 1))
    return {"E1": e1, "E2": e2, "E3": e3, "A": agency, "H3": h3}


def _criteria(row):
    return {c["criterion"]: (None if c["score"] is None else str(c["score"])) for c in row["criteria"]}


def test_townships_from_the_record_then_graded_once_scored(ledger, world, read_models, refresh):
    refresh()
    result = q.townships(read_models, 2026, scope={}, reference=read_models.reference, goal=GOAL,
                         thresholds=GRADES, day=date(2026, 6, 30))
    rows = {r["township"]: r for r in result["items"]}
    assert _criteria(rows[T1]) == {"coverage": "100.0", "rectification": "33.3", "agency_management": None,
                                   "progress": None, "funding": None}
    assert (str(rows[T1]["total"]), rows[T1]["grade"], rows[T1]["grade_label"]) == ("66.7", None, "待县局评分")
    assert _criteria(rows[T2])["coverage"] == "0.0" and _criteria(rows[T2])["rectification"] == "0.0"
    third = next(r for r in result["items"] if r["township"] not in (T1, T2))
    assert third["left_out"] == [c["label"] for c in third["criteria"] if c["source"] == "record"]

    ledger.score_party(BUREAU, kind="township", assessed=T1, year=2026,
                       scores={"agency_management": 90, "progress": 90, "funding": 90}, notes="经费到位")
    refresh()
    [row] = q.townships(read_models, 2026, scope={"township": T1}, reference=read_models.reference,
                        goal=GOAL, thresholds=GRADES, day=date(2026, 6, 30))["items"]
    assert (str(row["total"]), row["grade"], row["grade_label"], row["complete"]) == ("80.7", "good", "良好", True)
    strict = GradeThresholds(excellent=Decimal(95), good=Decimal(85), passing=Decimal(70))
    [row] = q.townships(read_models, 2026, scope={"township": T1}, reference=read_models.reference,
                        goal=GOAL, thresholds=strict, day=date(2026, 6, 30))["items"]
    assert row["grade_label"] == "合格"


def test_regulators_and_enterprises_from_the_record(ledger, world, read_models, refresh):
    refresh()
    regs = {r["sector"]: r for r in q.regulators(read_models, 2026, scope={}, reference=read_models.reference,
                                                 thresholds=GRADES, day=date(2026, 6, 30))["items"]}
    assert _criteria(regs["chem"]) == {"enforcement": "100.0", "referrals": "100.0", "rectification": "33.3",
                                       "duty": None, "cooperation": None}
    assert _criteria(regs["trade"]) == {"enforcement": "0.0", "referrals": "0.0", "rectification": "0.0",
                                        "duty": None, "cooperation": None}
    ledger.score_party(BUREAU, kind="enterprise", assessed=world["E1"], year=2026,
                       scores={"leadership": 100, "investment": 100, "cooperation": 100})
    refresh()
    rows = {r["enterprise_id"]: r for r in q.enterprises(
        read_models, 2026, scope={"township": T1}, reference=read_models.reference, thresholds=GRADES,
        day=date(2026, 6, 30))["items"]}
    assert set(rows) == {world["E1"], world["E2"]}
    e1 = rows[world["E1"]]
    assert _criteria(e1) == {"responsibility": "100.0", "on_time": "50.0", "leadership": "100",
                             "investment": "100", "cooperation": "100"}
    assert (str(e1["total"]), e1["grade_label"], e1["rectification_cost"]) == ("90.0", "优秀", Decimal(1200))
    e2 = rows[world["E2"]]
    assert _criteria(e2)["responsibility"] == "0.0" and _criteria(e2)["on_time"] is None
    assert e2["left_out"] == ["整改是否及时到位（按期整改完成的比例）"] and e2["grade"] is None


def test_the_reward_fund_and_its_allocation(ledger, world, read_models, refresh):
    ledger.establish_reward_fund(BUREAU, year=2026, amount=300000, document_no="宁政〔2026〕3号")
    ledger.allocate_reward_fund(BUREAU, 2026, document_no="宁政〔2026〕30号", awards=[
        {"kind": "township", "recipient": T1, "amount": 100000, "reason": "覆盖率领先"},
        {"kind": "enterprise", "recipient": world["E1"], "amount": 20000, "reason": "整改及时"},
        {"kind": "agency", "recipient": world["A"], "amount": 30000, "reason": "考评优秀"}])
    with pytest.raises(RuleViolation) as info:
        ledger.allocate_reward_fund(BUREAU, 2026, document_no="宁政〔2026〕31号", awards=[
            {"kind": "regulator", "recipient": "chem", "amount": 150001, "reason": "执法到位"}])
    assert info.value.rule == "reward-fund-within-amount"
    refresh()
    [fund] = q.reward_funds(read_models, read_models.reference, year=2026)
    assert (fund["amount"], fund["allocated"], fund["remaining"]) == (300000, 150000, 150000)
    assert [(a["kind_label"], a["recipient_name"], a["amount"]) for a in fund["decisions"][0]["awards"]] == [
        ("乡镇（街道）", read_models.reference.townships[T1], "100000"), ("生产经营单位", "甲化工", "20000"),
        ("中介服务机构", "甲咨询", "30000")]
