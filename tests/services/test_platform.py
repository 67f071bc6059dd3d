"""The service platform on the real store (issue 15 §5): accepting an offer stores the need's
acceptance, the contract's two signatures and the enterprise's record of it in ONE transaction,
and the agency serves the enterprise from then on exactly as after two separate signatures;
a second acceptance stores nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from domain.contracts import ServiceContract
from domain.errors import RuleViolation
from domain.parties import Enterprise
from domain.platform import ServiceNeed
from services.access import Subject
from tests.conftest import actor, credit_code, stored_count


@pytest.fixture
def offered(ledger):
    bureau = actor(Role.BUREAU)
    e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲厂", township="330226001",
                                   sector="chem", scale="small_micro").id
    a = ledger.register_agency(bureau, credit_code=credit_code(), name="甲咨询").id
    ledger.admit_agency_to_pool(bureau, a, admitted_on=date(2026, 1, 1))
    need = ledger.post_need(actor(Role.ENTERPRISE), enterprise_id=e, services=["monthly"],
                            description="按月排查").id
    offer = ledger.offer_on_need(actor(Role.AGENCY), need, agency_id=a, service="monthly",
                                 start=date(2026, 6, 30), end=date(2027, 6, 29), fee=5000,
                                 terms="每月一次").id
    return {"E": e, "A": a, "N": need, "O": offer}


def test_acceptance_is_one_transaction_of_the_same_steps_as_two_signatures(ledger, offered):
    before = stored_count(ledger)
    written = ledger.accept_offer(actor(Role.ENTERPRISE), offered["N"], offer_id=offered["O"])
    assert stored_count(ledger) == before + 4
    events = ledger.recorder.select_notifications(start=written.position - 3, limit=10)
    assert [n.topic.split(":")[1] for n in events] == [
        "ServiceNeed.Accepted", "ServiceContract.Signed", "ServiceContract.Countersigned",
        "Enterprise.ContractSigned"]
    contract = ledger.load(ServiceContract, written.id)
    assert contract.binding and contract.proposed_by == "agency"
    assert ledger.load(Enterprise, offered["E"]).agencies == {offered["A"]: [written.id]}
    assert ledger.load(ServiceNeed, offered["N"]).contract_id == written.id
    subject = Subject(enterprise_id=offered["E"])
    assert [e.agency_id for e in ledger.engagements(offered["A"], subject)] == [offered["A"]]


def test_before_acceptance_an_offer_engages_nobody(ledger, offered):
    assert list(ledger.engagements(offered["A"], Subject(enterprise_id=offered["E"]))) == []


def test_a_second_acceptance_stores_nothing(ledger, offered):
    ledger.accept_offer(actor(Role.ENTERPRISE), offered["N"], offer_id=offered["O"])
    before = stored_count(ledger)
    with pytest.raises(RuleViolation) as info:
        ledger.accept_offer(actor(Role.ENTERPRISE), offered["N"], offer_id=offered["O"])
    assert info.value.rule == "need-accepted-once"
    assert stored_count(ledger) == before

