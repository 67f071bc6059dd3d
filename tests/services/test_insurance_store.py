"""安责险 on the real event store (issue 15 §3): a policy is stored together with its period on the
insurer, so an overlapping policy is refused even when recorded through another application
process whose copy of the insurer is older; a refusal stores nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor, Role
from domain.errors import RuleViolation
from domain.insurance import InsurancePolicy, Insurer
from services.application import HazardLedger
from tests.conftest import TODAY, actor, credit_code, one_at_a_time, stored_count

INSURER = Actor("u-insurer", Role.INSURER, "保险机构 测试")


def test_an_overlap_is_refused_across_processes_and_nothing_is_stored(ledger, store_env):
    bureau = actor(Role.BUREAU)
    firm = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township="330226001",
                                      sector="chem", scale="small_micro").id
    insurer = ledger.register_insurer(bureau, credit_code=credit_code(), name="甲财险").id
    other = HazardLedger(one_at_a_time(store_env), clock=lambda: TODAY)
    try:
        assert other.load(Insurer, insurer).policies == {}  # the other process holds an older copy
        first = ledger.record_insurance_policy(INSURER, insurer_id=insurer, enterprise_id=firm, policy_no="P-1",
                                               start=date(2026, 1, 1), end=date(2026, 12, 31), premium=1000)
        before = stored_count(ledger)
        with pytest.raises(RuleViolation) as info:
            other.record_insurance_policy(INSURER, insurer_id=insurer, enterprise_id=firm, policy_no="P-2",
                                          start=date(2026, 7, 1), end=date(2027, 6, 30), premium=1000)
        assert info.value.rule == "insurance-policy-no-overlap"
        assert stored_count(ledger) == before
        stored = ledger.load(InsurancePolicy, first.id)
        assert (stored.premium, stored.mandatory, stored.insurer_id) == ("1000", True, insurer)
        assert list(ledger.load(Insurer, insurer).policies) == [first.id]
    finally:
        other.close()
