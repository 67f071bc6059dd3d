"""安责险 in the activity view (issue 15 §3): the prevention-fee ledger's figures per insurer and
year (premiums of the policies that start in the year, 10% due to the fen, paid by kind,
shortfall), the policies in scope, the coverage of the mandatory sectors per township; a refused
overlapping policy leaves nothing behind in the views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.actor import Actor, Role
from domain.errors import RuleViolation
from projections.queries import insurance as q
from tests.conftest import actor, credit_code

INSURER = Actor("u-insurer", Role.INSURER, "保险机构 测试")


@pytest.fixture
def world(ledger, refresh):
    bureau = actor(Role.BUREAU)

    def enterprise(name, township, sector):
        return ledger.register_enterprise(bureau, credit_code=credit_code(), name=name, township=township,
                                          sector=sector, scale="small_micro").id
    w = {"E1": enterprise("甲化工", "330226001", "chem"), "E2": enterprise("乙矿山", "330226002", "mining"),
         "E3": enterprise("丙五金", "330226001", "trade"), "E4": enterprise("丁运输", "330226001", "transport"),
         "I1": ledger.register_insurer(bureau, credit_code=credit_code(), name="甲财险").id,
         "I2": ledger.register_insurer(bureau, credit_code=credit_code(), name="乙财险").id}

    def policy(insurer, e, no, start, end, premium):
        return ledger.record_insurance_policy(INSURER, insurer_id=w[insurer], enterprise_id=w[e], policy_no=no,
                                              start=start, end=end, premium=premium).id
    policy("I1", "E1", "A-1", date(2026, 3, 1), date(2027, 2, 28), "10000.05")
    policy("I1", "E3", "A-2", date(2026, 5, 1), date(2027, 4, 30), "3333.33")
    policy("I1", "E4", "A-0", date(2025, 6, 1), date(2026, 5, 31), 8000)  # 2025's income
    policy("I2", "E2", "B-1", date(2026, 1, 1), date(2026, 12, 31), 2500)
    with pytest.raises(RuleViolation) as info:  # overlapping A-1: nothing stored, nothing in the views
        policy("I1", "E1", "A-3", date(2027, 2, 28), date(2028, 2, 27), 9999)
    assert info.value.rule == "insurance-policy-no-overlap"
    for kind, amount, ref, day in (("assessment", "600.00", "V-1", date(2026, 4, 1)),
                                   ("training", "400.12", "V-2", date(2026, 6, 1)),
                                   ("expert_check", "500", "V-3", date(2025, 12, 1))):
        ledger.record_prevention_service(INSURER, w["I1"], kind=kind, amount=amount, reference=ref, paid_on=day)
    ledger.record_prevention_service(INSURER, w["I2"], kind="publicity", amount=300, reference="V-1",
                                     paid_on=date(2026, 2, 1))
    refresh()
    return w


def test_the_fee_ledger_of_a_year(world, read_models, ledger):
    rules = ledger.insurance_rules
    rows = {r["name"]: r for r in q.prevention(read_models.activity, 2026, scope={}, rules=rules)["items"]}
    first = rows["甲财险"]
    assert (first["policies"], first["premiums"], first["fee_due"], first["paid"], first["shortfall"], first["met"]) == (
        2, Decimal("13333.38"), Decimal("1333.34"), Decimal("1000.12"), Decimal("333.22"), False)
    assert first["paid_by_kind"] == {"风险评估": Decimal("600.00"), "安全培训": Decimal("400.12")}
    second = rows["乙财险"]
    assert (second["premiums"], second["fee_due"], second["paid"], second["shortfall"], second["met"]) == (
        Decimal("2500.00"), Decimal("250.00"), Decimal("300.00"), Decimal("0.00"), True)
    earlier = q.prevention(read_models.activity, 2025, scope={"insurer_id": world["I1"]}, rules=rules)
    assert [(r["premiums"], r["fee_due"], r["paid"], r["met"]) for r in earlier["items"]] == [
        (Decimal("8000.00"), Decimal("800.00"), Decimal("500.00"), False)]
    assert q.prevention(read_models.activity, 2026, scope={"township": "330226001"}, rules=rules)["items"] == []


def test_policies_in_scope_and_the_coverage_of_mandatory_sectors(world, read_models, ledger):
    listed = q.policies(read_models.activity, scope={"insurer_id": world["I1"]}, reference=read_models.reference,
                        on=date(2026, 6, 30))
    assert [(p["policy_no"], p["mandatory"], p["in_force"]) for p in listed] == [
        ("A-2", False, True), ("A-1", True, True), ("A-0", True, False)]  # A-3 was refused
    assert [p["policy_no"] for p in q.policies(read_models.activity, scope={"township": "330226002"},
                                               reference=read_models.reference, on=date(2026, 6, 30))] == ["B-1"]
    cover = q.coverage(read_models.activity, date(2026, 6, 30), scope={}, rules=ledger.insurance_rules,
                       reference=read_models.reference)
    assert [(r["township"], r["enterprises"], r["insured"], r["rate"]) for r in cover["items"]] == [
        ("330226001", 2, 1, 50.0), ("330226002", 1, 1, 100.0)]  # E3 trade: not mandatory; E4's ended in May
    may = q.coverage(read_models.activity, date(2026, 5, 31), scope={"sector": "transport"},
                     rules=ledger.insurance_rules, reference=read_models.reference)
    assert [(r["enterprises"], r["insured"]) for r in may["items"]] == [(1, 1)]
