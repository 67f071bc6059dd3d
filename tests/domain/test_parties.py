"""Enterprises, agencies (pool, experts, blacklist) and accidents."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import AGENCY, BUREAU, TODAY, agency, enterprise, last_actor, refused
from domain.accident import Accident
from domain.actor import Actor, Role
from domain.credit_code import make
from domain.errors import InvalidValue
from domain.parties import Agency, Enterprise


# --- enterprises ----------------------------------------------------------------------------
def test_register_enterprise_normalises_values():
    code = make("91330226MA0000001")
    ent = enterprise(credit_code=code.lower(), annual_output="1000000.00",
                     risk_flags=["multi_tenant", "industrial_park", "multi_tenant"])
    assert ent.credit_code == code
    assert ent.annual_output == "1000000.00"
    assert ent.risk_flags == ["industrial_park", "multi_tenant"]
    assert last_actor(ent) == BUREAU.record()


def test_one_id_per_credit_code():
    code = make("91330226MA0000002")
    assert enterprise(credit_code=code).id == enterprise(credit_code=code).id
    assert Agency.register(credit_code=code, name="机构", actor=BUREAU).id != \
        Enterprise.create_id(code)


@pytest.mark.parametrize("field, overrides", [
    ("risk_flags", {"risk_flags": ["nuclear"]}),
    ("township", {"township": "33022600"}),
    ("township", {"township": "33022600A"}),
    ("scale", {"scale": "huge"}),
    ("annual_output", {"annual_output": -1}),
    ("name", {"name": "  "}),
    ("credit_code", {"credit_code": "91330226MA00000010"}),
])
def test_register_enterprise_rejects_bad_values(field, overrides):
    with pytest.raises(InvalidValue) as info:
        enterprise(**overrides)
    assert info.value.field == field


# --- agency pool (入库, two years) ----------------------------------------------------------
def test_pool_admission_lasts_two_years():
    ag = agency()
    ag.admit_to_pool(admitted_on=date(2025, 3, 15), today=TODAY, actor=BUREAU)
    assert ag.pool_expires_on == date(2027, 3, 15)
    assert not ag.in_pool(date(2025, 3, 14))
    assert ag.in_pool(date(2025, 3, 15)) and ag.in_pool(date(2027, 3, 14))
    assert not ag.in_pool(date(2027, 3, 15))


def test_pool_admission_on_29_february_expires_1_march():
    ag = agency()
    ag.admit_to_pool(admitted_on=date(2024, 2, 29), today=TODAY, actor=BUREAU)
    assert ag.pool_expires_on == date(2026, 3, 1)
    assert ag.in_pool(date(2026, 2, 28))
    assert not ag.in_pool(date(2026, 3, 1))


def test_pool_admission_refused_within_the_term_and_renewable_after():
    ag = agency()
    ag.admit_to_pool(admitted_on=date(2024, 6, 1), today=TODAY, actor=BUREAU)
    refused(ag, "pool-admission-once-per-term", ag.admit_to_pool, admitted_on=date(2026, 5, 31),
            today=TODAY, actor=BUREAU)
    ag.admit_to_pool(admitted_on=date(2026, 6, 1), today=TODAY, actor=BUREAU)
    assert ag.pool_expires_on == date(2028, 6, 1)


def test_pool_admission_date_cannot_be_in_the_future():
    ag = agency()
    with pytest.raises(InvalidValue) as info:
        ag.admit_to_pool(admitted_on=date(2026, 7, 1), today=TODAY, actor=BUREAU)
    assert info.value.field == "admitted_on"


def test_blacklisted_agency_cannot_be_admitted():
    ag = agency()
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    refused(ag, "agency-blacklisted", ag.admit_to_pool, admitted_on=TODAY, today=TODAY,
            actor=BUREAU)


# --- blacklist ------------------------------------------------------------------------------
def test_blacklist_and_reinstate():
    ag = agency()
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    assert (ag.blacklisted, ag.blacklist_reason) == (True, "出具虚假报告")
    assert last_actor(ag) == BUREAU.record()
    ag.reinstate(reason="整改到位", actor=BUREAU)
    assert (ag.blacklisted, ag.blacklist_reason) == (False, "")


def test_blacklisting_twice_is_refused():
    ag = agency()
    ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    refused(ag, "agency-blacklisted", ag.blacklist, reason="再次", actor=BUREAU)


def test_reinstating_a_clean_agency_is_refused():
    ag = agency()
    refused(ag, "agency-not-blacklisted", ag.reinstate, reason="无", actor=BUREAU)


# --- experts --------------------------------------------------------------------------------
def test_experts_join_and_leave():
    ag = agency()
    expert = ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    assert ag.experts == {expert: {"name": "陈工", "certificate_no": "ZA-0001"}}
    assert last_actor(ag) == AGENCY.record()
    ag.remove_expert(expert_id=expert, reason="离职", actor=AGENCY)
    assert ag.experts == {}


def test_expert_certificate_unique_within_agency():
    ag = agency()
    ag.add_expert(name="陈工", certificate_no="ZA-0001", actor=AGENCY)
    refused(ag, "expert-certificate-unique", ag.add_expert, name="另一位", certificate_no="ZA-0001",
            actor=AGENCY)


def test_removing_an_unknown_expert_is_refused():
    ag = agency()
    refused(ag, "expert-registered", ag.remove_expert, expert_id="nobody", reason="离职",
            actor=AGENCY)


# --- accidents ------------------------------------------------------------------------------
INVESTIGATOR = Actor("u-inv", Role.INVESTIGATOR, "事故调查组")


def accident(**overrides) -> Accident:
    kwargs = dict(enterprise=enterprise(), occurred_on=date(2026, 5, 1), category="fall",
                  deaths=0, injuries=2, description="脚手架坠落", today=TODAY, actor=INVESTIGATOR)
    return Accident.record(**{**kwargs, **overrides})


def test_record_accident_and_finding():
    acc = accident()
    assert (acc.category, acc.deaths, acc.injuries) == ("fall", 0, 2)
    ag = agency()
    acc.record_finding(agency_id=str(ag.id), kind="missed_hazard", description="漏查脚手架隐患",
                       actor=INVESTIGATOR)
    assert acc.findings[0]["kind"] == "missed_hazard"
    assert last_actor(acc) == {"id": "u-inv", "role": "investigator", "name": "事故调查组"}


@pytest.mark.parametrize("field, overrides", [
    ("deaths", {"deaths": -1}),
    ("injuries", {"injuries": -3}),
    ("deaths", {"deaths": True}),
    ("deaths", {"deaths": 1.5}),
    ("injuries", {"injuries": 10001}),
    ("occurred_on", {"occurred_on": date(2026, 7, 1)}),
    ("category", {"category": "meteor"}),
])
def test_accident_rejects_bad_values(field, overrides):
    with pytest.raises(InvalidValue) as info:
        accident(**overrides)
    assert info.value.field == field


def test_finding_kind_is_checked():
    acc = accident()
    with pytest.raises(InvalidValue) as info:
        acc.record_finding(agency_id="a", kind="gossip", description="x", actor=INVESTIGATOR)
    assert info.value.field == "kind"
    assert acc.findings == []


# --- regressions: bugs found and fixed in the domain ------------------------------------------
def test_back_dated_admission_does_not_replace_the_current_term():
    ag = agency()
    ag.admit_to_pool(admitted_on=date(2026, 1, 1), today=TODAY, actor=BUREAU)
    refused(ag, "pool-admission-once-per-term", ag.admit_to_pool, admitted_on=date(2025, 6, 1),
            today=TODAY, actor=BUREAU)
