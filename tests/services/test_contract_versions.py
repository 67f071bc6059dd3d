"""Issue 10: service contracts stored before countersigning existed still replay.

A version-1 `ServiceContract.Signed` took one signature as binding. Read now, it is a proposal
by its signer's side (an agency's; the enterprise's when signed by the enterprise, a township
office or the bureau), marked as a late entry (补录), binding nobody until the other side
countersigns — which it may do however far back the contract starts.
"""

from __future__ import annotations

import uuid
from datetime import date

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from domain.contracts import ServiceContract
from domain.parties import Agency, Enterprise
from tests.conftest import actor, credit_code


def _store_version_1(ledger, signer, enterprise_id: str, agency_id: str) -> str:
    """A contract as the version-1 code stored it: no `proposed_by`, `migrated` or class_version."""
    proposal = ServiceContract.propose(
        enterprise=ledger.load(Enterprise, enterprise_id), agency=ledger.load(Agency, agency_id),
        service="monthly", start=date(2026, 1, 1), end=date(2026, 12, 31), fee=3600,
        today=date(2026, 1, 1), policy=ledger.contract_policy, actor=signer)
    stored = ledger.mapper.to_stored_event(proposal.collect_events()[0])
    state = orjson.loads(stored.state)
    for key in ("proposed_by", "migrated", "class_version"):
        state.pop(key)
    ident = uuid.uuid4()
    ledger.recorder.insert_events([StoredEvent(originator_id=ident, originator_version=1,
                                               topic=stored.topic, state=orjson.dumps(state))])
    return str(ident)


@pytest.mark.parametrize("signer, side, other", [
    ("agency", "agency", "enterprise"), ("enterprise", "enterprise", "agency"),
    ("bureau", "enterprise", "agency")])
def test_a_version_1_signing_reads_as_a_proposal_awaiting_the_other_side(ledger, signer, side, other):
    bureau = actor("bureau")
    enterprise = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲",
                                            township="330226001", sector="chem", scale="small_micro").id
    agency = ledger.register_agency(bureau, credit_code=credit_code(), name="乙").id
    contract_id = _store_version_1(ledger, actor(signer), enterprise, agency)
    old = ledger.load(ServiceContract, contract_id)
    assert (old.proposed_by, old.migrated, old.binding) == (side, True, False)
    assert not old.in_force(date(2026, 6, 1))
    ledger.countersign_contract(actor(other), contract_id)  # today 2026-06-30: half a year late
    signed = ledger.load(ServiceContract, contract_id)
    assert signed.binding and signed.in_force(date(2026, 6, 1))
    assert ledger.load(Enterprise, enterprise).agencies == {agency: [contract_id]}
