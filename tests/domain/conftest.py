"""Small builders for the pure domain tests: aggregates constructed directly, fixed dates.

Test modules import these with `from .conftest import ...` (tests/domain is a package), so
they never collide with another folder's conftest module.
"""

from __future__ import annotations

import copy
from datetime import date
from itertools import count

import pytest

from domain.actor import Actor, Role
from domain.contracts import ContractPolicy, ProcurementAgreement, ServiceContract
from domain.credit_code import make
from domain.errors import InvalidValue, RuleViolation
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.parties import Agency, Enterprise

# --- fixed business dates -------------------------------------------------------------------
TODAY = date(2026, 6, 30)
DISCOVERED = date(2026, 6, 1)
ASSIGNED_ON = date(2026, 6, 2)
PLAN_FILED = date(2026, 6, 3)
DEADLINE = date(2026, 6, 20)
RECTIFIED = date(2026, 6, 10)
REVIEWED = date(2026, 6, 12)
CLOSED = date(2026, 6, 15)

TOWNSHIP_CODE = "330226001"

# --- actors ---------------------------------------------------------------------------------
BUREAU = Actor("u-bureau", Role.BUREAU, "县应急管理局 王科长")
TOWNSHIP = Actor("u-township", Role.TOWNSHIP, "跃龙街道 李主任")
REGULATOR = Actor("u-regulator", Role.REGULATOR, "住建局 张科长")
AGENCY = Actor("u-agency", Role.AGENCY, "安评公司 陈工")
ENTERPRISE = Actor("u-enterprise", Role.ENTERPRISE, "某化工厂 安全员")
AUDITOR = Actor("u-auditor", Role.AUDITOR, "审计 赵")
ADMIN = Actor("u-admin", Role.ADMIN, "管理员")

JOINT_PARTIES = (TOWNSHIP, REGULATOR, AGENCY)

PLAN = {
    "objectives": "消除储罐区泄漏隐患",
    "measures": "更换阀门、增设可燃气体报警",
    "funds": "专项资金 5 万元",
    "organisation": "设备部牵头，安全员配合",
    "timeline": "2026 年 6 月 20 日前完成",
    "safety_measures": "动火作业审批，编制应急处置方案",
}

_serial = count(1)


def credit_code() -> str:
    """A fresh valid credit code (GB 32100-2015 check character computed)."""
    return make(f"91330226MA{next(_serial):07d}")


# --- parties and contracts ------------------------------------------------------------------
def enterprise(**overrides) -> Enterprise:
    kwargs = dict(credit_code=credit_code(), name="宁海某化工有限公司", township=TOWNSHIP_CODE,
                  sector="chem", scale="small_micro", annual_output=1_500_000, actor=BUREAU)
    return Enterprise.register(**{**kwargs, **overrides})


def agency(**overrides) -> Agency:
    kwargs = dict(credit_code=credit_code(), name="宁波某安全技术服务有限公司", actor=BUREAU)
    return Agency.register(**{**kwargs, **overrides})


def contract(ent: Enterprise, ag: Agency, *, countersigned: bool = True, **overrides) -> ServiceContract:
    """Proposed by the agency on its first day and, by default, countersigned by the enterprise."""
    kwargs = dict(enterprise=ent, agency=ag, service="monthly", start=date(2026, 1, 1),
                  end=date(2026, 12, 31), fee=3600, actor=AGENCY, policy=ContractPolicy())
    kwargs.update(overrides)
    kwargs.setdefault("today", kwargs["start"])
    c = ServiceContract.propose(**kwargs)
    if countersigned:
        other = AGENCY if kwargs["actor"].role != Role.AGENCY else ENTERPRISE
        c.countersign(today=kwargs["today"], policy=kwargs["policy"], actor=other)
    return c


def agreement(ag: Agency, **overrides) -> ProcurementAgreement:
    kwargs = dict(agency=ag, townships=[TOWNSHIP_CODE], sectors=["chem"],
                  start=date(2026, 1, 1), end=date(2026, 12, 31),
                  prices={"comprehensive": 200, "monthly": 360}, budget=700_000, actor=BUREAU)
    return ProcurementAgreement.sign(**{**kwargs, **overrides})


def scheduled_inspection(ent: Enterprise, ag: Agency | None, **overrides) -> Inspection:
    """Scheduled for 20 May 2026; by default a monthly inspection under a fresh contract."""
    if "basis" not in overrides:
        overrides["basis"] = contract(ent, ag)
    kwargs = dict(enterprise=ent, agency=ag, kind="monthly", scheduled_for=date(2026, 5, 20),
                  actor=AGENCY)
    return Inspection.schedule(**{**kwargs, **overrides})


def performed_inspection(ent: Enterprise, ag: Agency) -> Inspection:
    expert = ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    insp = scheduled_inspection(ent, ag)
    insp.perform(performed_on=date(2026, 5, 20), expert_ids=[expert], agency=ag, today=TODAY,
                 actor=AGENCY)
    return insp


# --- hazards at each lifecycle step ---------------------------------------------------------
def hazard(level: str = "general", **overrides) -> Hazard:
    """A freshly reported hazard (self-check), discovered on DISCOVERED."""
    kwargs = dict(enterprise=overrides.pop("ent", None) or enterprise(), inspection=None,
                  source="self_check", category="unsafe_condition",
                  description="储罐区阀门泄漏", level=level, discovered_on=DISCOVERED,
                  today=TODAY, actor=ENTERPRISE, location="储罐区", evidence=["photo-001.jpg"])
    return Hazard.report(**{**kwargs, **overrides})


def assign(h: Hazard, deadline: date = DEADLINE, actor: Actor = ENTERPRISE) -> Hazard:
    h.assign_responsibility(responsible_person="张三", deadline=deadline, assigned_on=ASSIGNED_ON,
                            today=TODAY, actor=actor)
    return h


def file_plan(h: Hazard) -> Hazard:
    h.file_rectification_plan(parts=PLAN, filed_on=PLAN_FILED, today=TODAY, actor=ENTERPRISE)
    return h


def rectify(h: Hazard) -> Hazard:
    h.report_rectification(evidence=["after-001.jpg"], cost="12000.50", rectified_on=RECTIFIED,
                           today=TODAY, actor=ENTERPRISE)
    return h


def assigned(level: str = "general") -> Hazard:
    return assign(hazard(level))


def rectified(level: str = "general") -> Hazard:
    h = assigned(level)
    if level == "major":
        file_plan(h)
    return rectify(h)


def review(h: Hazard, actor: Actor, passed: bool = True) -> Hazard:
    h.review_rectification(passed=passed, notes="现场复查", reviewed_on=REVIEWED, today=TODAY,
                           actor=actor)
    return h


def joint_review(h: Hazard, parties=JOINT_PARTIES) -> Hazard:
    for party in parties:
        review(h, party)
    return h


def file_closure(h: Hazard) -> Hazard:
    h.file_closure_report(document_no="宁安销〔2026〕1号", filed_on=REVIEWED, today=TODAY,
                          actor=TOWNSHIP)
    return h


def ready_to_close_major() -> Hazard:
    return file_closure(joint_review(rectified("major")))


def extend(h: Hazard, deadline: date, by: Actor = TOWNSHIP, reason: str = "设备到货延迟",
           requested_on: date = ASSIGNED_ON, **overrides) -> Hazard:
    """延期 on a paper application (issue 14 §2), decided by `by`; no notice period unless
    `min_working_days` is given (the notice rule is tested in test_supervision_notice.py)."""
    from .test_working_days import CALENDAR
    kwargs = dict(new_deadline=deadline, reason=reason, requested_on=requested_on,
                  interim_controls="", opinion="同意", decided_on=requested_on, today=TODAY,
                  calendar=CALENDAR, min_working_days=0, by=by)
    h.extend_on_paper(**{**kwargs, **overrides})
    return h


# --- asserting a refusal changes nothing ----------------------------------------------------
def snapshot(agg) -> tuple:
    """Version, pending-event count and every attribute: what a refusal must leave alone."""
    state = {k: v for k, v in vars(agg).items() if k != "_pending_events"}
    return agg.version, len(agg.pending_events), copy.deepcopy(state)


def refused(agg, rule: str, command, **kwargs) -> RuleViolation:
    """Run `command(**kwargs)`; it must raise RuleViolation(rule) and leave `agg` unchanged."""
    before = snapshot(agg)
    with pytest.raises(RuleViolation) as info:
        command(**kwargs)
    assert info.value.rule == rule, info.value
    assert snapshot(agg) == before
    return info.value


def last_actor(agg) -> dict:
    return agg.pending_events[-1].actor


def rejected(agg, field: str, command, **kwargs) -> InvalidValue:
    """Run `command(**kwargs)`; it must raise InvalidValue(field) and leave `agg` unchanged."""
    before = snapshot(agg)
    with pytest.raises(InvalidValue) as info:
        command(**kwargs)
    assert info.value.field == field, info.value
    assert snapshot(agg) == before
    return info.value
