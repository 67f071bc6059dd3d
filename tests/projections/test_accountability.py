"""Issue 6 read side on a small world with known answers: agency accountability, coverage and
the enforcement list, the subsidy ledger, the investigator's trace, the auditor's export."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.actor import Role
from domain.errors import InvalidValue, RuleViolation
from domain.evaluation import CRITERIA
from domain.subsidy import planned_budget
from projections import audit_export
from projections.operations import catch_up
from projections.oversight_policy import OversightPolicy
from projections.queries.accountability import accountability, owed_months
from projections.queries.coverage import coverage
from projections.queries.records import enterprise_events
from projections.queries.subsidies import served, subsidy_ledger
from projections.queries.trace import trace
from projections.readmodels import ReadModels
from services.application import HazardLedger
from services.commands.subsidies import SubsidyCommands, subsidy_policy
from infra.clock import today as shanghai_today
from tests.conftest import TODAY, actor, credit_code

BUREAU = actor(Role.BUREAU, "县应急管理局 张科长")
OFFICE = actor(Role.TOWNSHIP, "跃龙街道安监办 王主任")
AGENT = actor(Role.AGENCY, "李工（注册安全工程师）")
OWNER = actor(Role.ENTERPRISE, "甲化工 安全员")
INVESTIGATOR = actor(Role.INVESTIGATOR, "事故调查组 赵组长")
POLICY = OversightPolicy.load()


@dataclass
class World:
    e1: str   # 跃龙街道, chem: monthly contract with A1, inspected monthly (April missed)
    e2: str   # 跃龙街道, trade: comprehensive inspection under A1's agreement, a self-inspection
    e3: str   # 桃源街道, construction: nothing at all → the enforcement list
    a1: str
    a2: str
    experts: list[str]
    contract: str
    agreement: str
    inspections: dict[str, str]
    hazards: dict[str, str]
    accident: str


def build_world(app) -> World:
    d = date
    ent = lambda name, town, sector: app.register_enterprise(  # noqa: E731
        BUREAU, credit_code=credit_code(), name=name, township=town, sector=sector, scale="small_micro").id
    e1, e2, e3 = ent("甲化工", "330226001", "chem"), ent("乙五金", "330226001", "trade"), ent("丙建筑", "330226002", "construction")
    a1 = app.register_agency(BUREAU, credit_code=credit_code(), name="宁海安评咨询有限公司").id
    a2 = app.register_agency(BUREAU, credit_code=credit_code(), name="宁海安泰咨询有限公司").id
    experts = [app.add_expert(AGENT, a1, name=n, certificate_no=c).id
               for n, c in (("李工", "ZJ-001"), ("周工", "ZJ-002"))]
    contract = app.propose_contract(BUREAU, enterprise_id=e1, agency_id=a1, service="monthly",  # 补录
                                    start=d(2026, 1, 1), end=d(2026, 12, 31), fee=3600).id
    app.countersign_contract(AGENT, contract)
    agreement = app.sign_agreement(BUREAU, agency_id=a1, townships=["330226001"], sectors=["chem", "trade"],
                                   start=d(2026, 1, 1), end=d(2026, 12, 31),
                                   prices={"comprehensive": 200, "monthly": 360}, budget=100000).id

    def inspect(enterprise, kind, basis, on, filed=None, agency=a1, who=AGENT):
        i = app.schedule_inspection(who, enterprise_id=enterprise, agency_id=agency, kind=kind,
                                    basis_id=basis, scheduled_for=on).id
        app.perform_inspection(who, i, expert_ids=experts if agency else [], performed_on=on)
        if filed:
            app.file_inspection_report(who, i, document_no=f"排查报告-{on}", filed_on=filed)
        return i

    insp = {"jan": inspect(e1, "monthly", contract, d(2026, 1, 12), d(2026, 1, 15)),
            "feb": inspect(e1, "monthly", contract, d(2026, 2, 5), d(2026, 2, 25)),   # 20 days: late
            "mar": inspect(e1, "monthly", contract, d(2026, 3, 10)),                  # never filed
            "may": inspect(e1, "monthly", contract, d(2026, 5, 12)),                  # never filed
            "jun": inspect(e1, "monthly", contract, d(2026, 6, 25)),                  # pending
            "comp": inspect(e2, "comprehensive", agreement, d(2026, 4, 15), d(2026, 4, 20)),
            "self": inspect(e2, "self", None, d(2026, 3, 1), agency=None, who=OWNER)}
    late = app.schedule_inspection(AGENT, enterprise_id=e2, agency_id=a1, kind="special",
                                   basis_id=agreement, scheduled_for=d(2026, 6, 1)).id  # never performed
    hz = lambda i, level, on: app.report_hazard(  # noqa: E731
        AGENT, enterprise_id=e1, inspection_id=i, source="inspection", category="unsafe_condition",
        description=f"{level} 隐患 {on}", level=level, discovered_on=on).id
    h1, h2, h3 = hz(insp["jan"], "general", d(2026, 1, 12)), hz(insp["mar"], "major", d(2026, 3, 10)), \
        hz(insp["may"], "general", d(2026, 5, 12))
    app.assign_responsibility(OWNER, h1, responsible_person="王五", deadline=d(2026, 2, 28), assigned_on=d(2026, 1, 13))
    app.report_rectification(OWNER, h1, evidence=["after.jpg"], cost="800", rectified_on=d(2026, 2, 20))
    app.review_rectification(OFFICE, h1, passed=True, reviewed_on=d(2026, 2, 22))
    app.close_hazard(BUREAU, h1, closed_on=d(2026, 2, 25))
    app.assign_responsibility(OWNER, h2, responsible_person="钱七", deadline=d(2026, 4, 30), assigned_on=d(2026, 3, 11))
    app.withdraw_hazard(OFFICE, h3, reason="经核实为误报")
    h4 = app.report_hazard(BUREAU, enterprise_id=e2, source="government_check", category="unsafe_act",
                           description="乙五金 未戴安全帽", level="general", discovered_on=d(2026, 5, 2)).id
    accident = app.record_accident(BUREAU, enterprise_id=e1, occurred_on=d(2026, 6, 20), category="poisoning",
                                   deaths=1, injuries=2, description="储罐区中毒窒息").id
    app.record_finding(INVESTIGATOR, accident, agency_id=a1, kind="missed_hazard", description="未查出报警器失效")
    app.evaluate_agency(BUREAU, a1, year=2025, scores={k: 80 for k in CRITERIA}, notes="合格")
    app.blacklist_agency(BUREAU, a2, reason="出具虚假报告")
    app.reinstate_agency(BUREAU, a2, reason="整改到位")
    app.blacklist_agency(BUREAU, a1, reason="漏查重大隐患，导致事故")
    return World(e1, e2, e3, a1, a2, experts, contract, agreement, {**insp, "late": late},
                 {"h1": h1, "h2": h2, "h3": h3, "h4": h4}, accident)


@pytest.fixture
def app(store_env):
    app = HazardLedger(store_env, clock=lambda: TODAY)
    yield app
    app.close()


@pytest.fixture
def world(app, refresh) -> World:
    w = build_world(app)
    refresh()
    return w


def test_a_monthly_contract_owes_the_months_in_force_on_their_due_day():
    contract = {"start_on": date(2026, 1, 20), "end_on": date(2026, 12, 31), "terminated_on": date(2026, 6, 10)}
    assert owed_months(contract, 2026, 15, date(2026, 12, 31)) == [2, 3, 4, 5]  # from Feb, through May
    assert owed_months(contract, 2026, 15, date(2026, 4, 30)) == [2, 3]  # April has not ended yet


def test_agency_accountability(world, app, read_models):
    r = accountability(read_models, world.a1, 2026, policy=POLICY, day=TODAY)
    assert r["contracts"] == {"in_force": 1, "monthly": 1} and len(r["agreements"]) == 1
    e1 = next(e for e in r["enterprises"] if e["enterprise_id"] == world.e1)
    assert (e1["months_due"], e1["months_done"], e1["months_missed"]) == ([1, 2, 3, 4, 5], [1, 2, 3, 5, 6], [4])
    assert r["monthly_inspections"] == {"months_due": 5, "months_missed": 1}
    i = r["inspections"]
    # the withdrawal carries no date of its own: it takes its record date (the real today, after
    # TODAY), so as of TODAY the false report still counts; as of the real today it does not
    assert (i["scheduled"], i["performed"], i["hazards_found"], i["withdrawn_reports"]) == (7, 6, 3, 0)
    assert i["zero_hazard"] == 3 and i["hazards_per_inspection"] == 0.5
    now = accountability(read_models, world.a1, 2026, policy=POLICY, day=shanghai_today())
    assert (now["inspections"]["hazards_found"], now["inspections"]["withdrawn_reports"]) == (2, 1)
    assert i["reports"] == {"on_time": 2, "late": 1, "overdue": 2, "pending": 1}
    feb = next(x for x in r["inspection_list"] if x["inspection_id"] == world.inspections["feb"])
    assert feb["report"] == {"state": "late", "delay_days": 20, "days_late": 5, "label": "迟报"}
    late = next(x for x in r["inspection_list"] if x["inspection_id"] == world.inspections["late"])
    assert late["not_performed_past_date"] is True
    # its enterprises: E1 (2 hazards, 1 rectified) and E2 (1 hazard found by a government check)
    assert r["rectification"] == {"enterprises": 2, "found": 4, "rectified": 1, "overdue": 1, "rate": 0.25}
    assert [c["label"] for c in r["evaluations"][0]["criteria"]][:2] == ["专家数量", "专家质量"]
    assert r["evaluations"][0]["grade_label"] == "合格" and r["evaluations"][0]["total"] == Decimal("80.0")
    assert [b["label"] for b in r["blacklist"]] == ["列入黑名单"]
    assert r["agency"]["blacklisted"] and all(e["served_by_blacklisted"] for e in r["enterprises"])
    assert [f["kind_label"] for f in r["findings"]] == ["漏查隐患"]
    a2 = accountability(read_models, world.a2, 2026, policy=POLICY, day=TODAY)
    assert [b["action"] for b in a2["blacklist"]] == ["blacklisted", "reinstated"]
    assert not a2["agency"]["blacklisted"] and a2["enterprises"] == []


def test_coverage_and_the_enforcement_list(world, read_models):
    r = coverage(read_models.activity, 2026, scope={}, reference=read_models.reference, goal=POLICY.coverage_goal)
    yl, ty = r["townships"]
    assert (yl["township_name"], yl["enterprises"], yl["served"], yl["contracted"], yl["agreement_inspected"]) == \
        ("跃龙街道", 2, 2, 1, 1)
    assert yl["coverage"] == 1.0 and yl["meets_goal"] and ty["coverage"] == 0.0 and not ty["meets_goal"]
    assert [e["enterprise_id"] for e in r["enforcement_list"]] == [world.e3]
    assert {e["enterprise_id"] for e in r["served_by_blacklisted"]} == {world.e1, world.e2}
    assert r["total"]["served"] == 2 and r["total"]["coverage"] == round(2 / 3, 4)
    mine = coverage(read_models.activity, 2026, scope={"township": "330226002"},
                    reference=read_models.reference, goal=POLICY.coverage_goal)
    assert [t["township"] for t in mine["townships"]] == ["330226002"]
    assert coverage(read_models.activity, 2025, scope={}, reference=read_models.reference,
                    goal=POLICY.coverage_goal)["total"]["enforcement"] == 3  # nothing happened in 2025


def test_subsidy_ledger_and_claim_follow_the_policy(world, app, read_models, refresh):
    facts = served(read_models.activity, 2026, [world.a1])[world.a1]
    assert {(f.enterprise_id, f.comprehensive, f.monthly) for f in facts} == {
        (world.e1, False, True), (world.e2, True, False)}
    r = subsidy_ledger(read_models.activity, 2026, subsidy_policy(2026), detail=True)
    a1 = next(a for a in r["agencies"] if a["agency_id"] == world.a1)
    # signing rate 0 % (E2, inspected, signed no monthly contract): 3 bands below 30 % → 70 % of 200
    assert (a1["signing_rate"], a1["factor"], a1["comprehensive_total"], a1["monthly_total"], a1["total"]) == \
        (Decimal("0.0000"), Decimal("0.7"), Decimal("140"), Decimal("360"), Decimal("500"))
    assert a1["claim"]["status"] is None and a1["claim"]["status_label"] == "未申报"
    written = app.file_subsidy_claim(AGENT, agency_id=world.a1, year=2026, served=facts)
    with pytest.raises(RuleViolation, match="已申报"):
        app.file_subsidy_claim(AGENT, agency_id=world.a1, year=2026, served=facts)
    app.check_subsidy_claim(OFFICE, written.id, passed=False, notes="缺验收单", on=date(2026, 6, 27))
    refiled = app.file_subsidy_claim(AGENT, agency_id=world.a1, year=2026, served=facts)  # after a return
    assert refiled.id == written.id
    app.check_subsidy_claim(OFFICE, written.id, passed=True, on=date(2026, 6, 28))
    with pytest.raises(InvalidValue):
        subsidy_policy(2013)  # Ninghai's first policy is 2014's
    refresh()
    a1 = next(a for a in subsidy_ledger(read_models.activity, 2026, subsidy_policy(2026))["agencies"]
              if a["agency_id"] == world.a1)
    assert a1["claim"]["status"] == "township_checked" and a1["claim"]["matches_bill"]
    assert [(x["label"], x["passed"]) for x in a1["claim"]["steps"]] == [
        ("乡镇（街道）初审", False), ("乡镇（街道）初审", True)] and a1["claim_id"] == written.id


def test_the_trace_shows_each_hazard_as_it_stood_and_who_acted(world, app, read_models):
    _, records = enterprise_events(app, read_models, world.e1)
    t = trace(read_models, records, world.e1, date(2026, 5, 31), policy=read_models.policy, oversight=POLICY)
    (agency,) = t["agencies"]
    assert {b["by"] for b in agency["bound_by"]} == {"contract", "agreement"}
    assert agency["blacklisted_now"] and not agency["blacklisted_on_until"]  # listed after the date
    assert [i["inspection_id"] for i in t["inspections"]] == [world.inspections[k] for k in ("jan", "feb", "mar", "may")]
    assert sorted(x["name"] for x in t["inspections"][0]["experts"]) == ["周工", "李工"]
    assert t["missed_months"] == [{"contract_id": world.contract, "agency_id": world.a1, "months": ["2026-04"]}]
    states = {h["hazard_id"]: h["status"] for h in t["hazards"]}
    assert states == {world.hazards["h1"]: "closed", world.hazards["h2"]: "assigned", world.hazards["h3"]: "reported"}
    assert all(h["hazard_no"].startswith("宁海-2026-") for h in t["hazards"])  # issue 17 §4
    assert t["overdue"] == [world.hazards["h2"]] and t["unenforced"] == [world.hazards["h2"]]
    (closure,) = t["closures"]
    assert [r["by"] for r in closure["reviews"]] == ["跃龙街道安监办 王主任（乡镇（街道））"]
    assert t["accidents"] == []  # the accident happened after the date
    people = {p["name"]: [s["label"] for s in p["steps"]] for p in t["actors"]}
    assert "落实责任人和整改期限" in people["甲化工 安全员"] and "复查" in people["跃龙街道安监办 王主任"]
    assert all(s["business_date"] <= date(2026, 5, 31) for s in t["steps"])
    assert t["summary"]["late_entries"] == len(t["steps"])  # all entered after the fact, in this test
    later = trace(read_models, records, world.e1, date(2026, 6, 30), policy=read_models.policy, oversight=POLICY)
    assert later["accidents"][0]["findings"][0]["agency_name"] == "宁海安评咨询有限公司"
    assert len(later["inspections"]) == 5 and later["missed_months"][0]["months"] == ["2026-04"]


def test_the_export_holds_one_enterprise_whole_and_nothing_of_another(world, app, read_models):
    doc = audit_export.export(app, read_models, world.e1, exported_by="审计 孙", now=datetime.now(UTC))
    mine = {world.e1, world.contract, world.accident, *world.hazards.values(), *world.inspections.values()}
    mine -= {world.hazards["h4"], world.inspections["comp"], world.inspections["self"], world.inspections["late"]}
    assert {e["originator_id"] for e in doc["events"]} == mine
    every = [e for i in mine for e in app.events.get(UUID(i))]
    assert doc["event_count"] == len(every) and doc["unchained"] == 0
    assert [e["position"] for e in doc["events"]] == sorted(e["position"] for e in doc["events"])
    others = {world.e2, world.e3, world.hazards["h4"], world.inspections["comp"], world.inspections["self"]}
    text = str(doc)
    assert not any(o in text for o in others)
    first = doc["events"][0]
    assert first["type"] == "Enterprise.Registered" and first["recorded_at"].endswith("+08:00")
    assert first["actor"]["name"] == "县应急管理局 张科长"
    assert base64.b64decode(first["stored_state_b64"])
    assert audit_export.check_offline(doc) == []
    chain = app.audit_chain()
    assert audit_export.check_against_store(doc, chain) == [] and chain.verify().ok
    doc["events"][3]["stored_state_b64"] = base64.b64encode(b'{"forged": true}').decode()
    assert audit_export.check_offline(doc) == [f"{doc['events'][3]['position']}: 事件内容与摘要不符"]


def test_a_simulated_county_year_adds_up(simulated, sim_env):
    """Seed 4 at scale 0.01: 300 enterprises, 33 comprehensive inspections, 7 monthly contracts
    (5 of them after a comprehensive inspection), 9 self-inspections, 2 agencies; and the contracts
    accepted on the service platform (issue 15 §5, services/simulate_platform.py: never monthly);
    served also counts the groups', associations' and insurers' inspections (issue 15 §7)."""
    catch_up(sim_env, ["ledger", "activity"])
    rm = ReadModels(sim_env)
    try:
        s, year_end = simulated.summary, date(2025, 12, 31)
        c = coverage(rm.activity, 2025, scope={}, reference=rm.reference, goal=POLICY.coverage_goal)["total"]
        assert (c["enterprises"], c["contracted"], c["self_inspected"], c["served"]) == (300, 17, 9, 91)
        assert c["meets_goal"] and 300 - 26 <= c["enforcement"] <= 300 - 17  # neither contracted (17) nor self-inspected (9)
        bills = subsidy_ledger(rm.activity, 2025, subsidy_policy(2025))
        assert (bills["total"]["comprehensive_enterprises"], bills["total"]["monthly_enterprises"]) == (33, 7)
        planned = planned_budget(subsidy_policy(2025), comprehensive=33, monthly=7, monthly_after_comprehensive=5)
        assert planned == 8120 and 2520 < bills["total"]["total"] <= planned
        assert all(a["factor"] == 1 for a in bills["agencies"] if a["signing_rate"] >= Decimal("0.3"))
        agencies = [accountability(rm, a["agency_id"], 2025, policy=POLICY, day=year_end) for a in bills["agencies"]]
        assert sum(a["inspections"]["performed"] for a in agencies) == s["inspections"]["comprehensive"] + \
            s["inspections"]["monthly"] + s["inspections"]["insurance_assessment"]  # insurers commission agencies
        assert sum(a["monthly_inspections"]["months_due"] for a in agencies) > 7 * 6
        assert all(a["monthly_inspections"]["months_missed"] == 0 for a in agencies)  # it never skips a month
        assert all(a["inspections"]["reports"]["late"] == 0 for a in agencies)  # filed within 10 days
        assert sum(a["inspections"]["reports"]["on_time"] for a in agencies) == s["reports_filed"] + \
            s["inspections"]["insurance_assessment"]  # the insurers' risk assessments file their reports too
    finally:
        rm.close()
