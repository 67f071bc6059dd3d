"""The service platform (服务平台, issue 15 §5): needs, offers from pool agencies, acceptance as a
countersigned contract; served enterprises' ratings (绩效评比, 000 §五(六))."""

from __future__ import annotations

from datetime import date

import pytest

from .conftest import (AGENCY, BUREAU, ENTERPRISE, TOWNSHIP, agency, contract, enterprise, refused,
                       rejected)
from domain.actor import Actor, Role
from domain.contracts import ContractPolicy, ServiceContract
from domain.errors import RuleViolation
from domain.platform import AgencyRating, ServiceNeed, offer_id

POSTED = date(2026, 3, 1)
OFFERED = date(2026, 3, 2)
ACCEPTED = date(2026, 3, 5)
POLICY = ContractPolicy()
OTHER_AGENCY = Actor("u-agency-2", Role.AGENCY, "另一家机构 刘工")


def pool_agency(**overrides):
    a = agency(**overrides)
    a.admit_to_pool(admitted_on=date(2026, 1, 1), today=date(2026, 1, 1), actor=BUREAU)
    return a


def need(ent=None):
    return ServiceNeed.post(enterprise=ent or enterprise(), services=["monthly", "training"],
                            description="每月隐患排查和一次全员培训", posted_on=POSTED, actor=ENTERPRISE)


def offer(n, ag, actor=AGENCY, **overrides):
    kwargs = dict(agency=ag, service="monthly", start=date(2026, 4, 1), end=date(2027, 3, 31),
                  fee=6000, terms="每月一次，出具排查报告", offered_on=OFFERED, actor=actor)
    return n.offer(**{**kwargs, **overrides})


def test_accepting_an_offer_yields_the_contract_two_signatures_make():
    ent, ag = enterprise(), pool_agency()
    n = need(ent)
    ident = offer(n, ag)
    assert ident == offer_id(str(n.id), str(ag.id))
    c = n.accept(offer_id=ident, enterprise=ent, agency=ag, today=ACCEPTED, policy=POLICY,
                 actor=ENTERPRISE)
    assert isinstance(c, ServiceContract) and c.binding
    assert (c.proposed_by, c.countersigned_on, c.service, c.fee) == ("agency", ACCEPTED, "monthly", "6000")
    assert (c.start, c.end, c.enterprise_id, c.agency_id) == (date(2026, 4, 1), date(2027, 3, 31),
                                                            str(ent.id), str(ag.id))
    names = [type(e).__name__ for e in c.pending_events]
    assert names == ["Signed", "Countersigned"]
    assert c.pending_events[0].actor == AGENCY.record() and c.pending_events[1].actor == ENTERPRISE.record()
    assert ent.agencies == {str(ag.id): [str(c.id)]}
    assert n.contract_id == str(c.id) and not n.open


def test_an_offer_gives_the_agency_nothing_over_the_enterprise():
    ent, ag = enterprise(), pool_agency()
    n = need(ent)
    offer(n, ag)
    assert ent.agencies == {}


@pytest.mark.parametrize("state", ["outside", "expired", "blacklisted"])
def test_only_pool_agencies_offer(state):
    ag = agency() if state == "outside" else pool_agency()
    today = date(2028, 1, 2) if state == "expired" else OFFERED
    if state == "blacklisted":
        ag.blacklist(reason="出具虚假报告", actor=BUREAU)
    n = need()
    refused(n, "offer-by-pool-agency", offer, n=n, ag=ag, offered_on=today, start=date(2028, 2, 1),
            end=date(2028, 12, 31))


def test_an_agency_offers_once_and_only_agencies_offer():
    ag, n = pool_agency(), need()
    offer(n, ag)
    refused(n, "offer-once-per-agency", offer, n=n, ag=ag)
    refused(n, "offer-by-agency", offer, n=n, ag=pool_agency(), actor=ENTERPRISE)


def test_an_offer_names_a_wanted_service_and_a_period_after_it():
    n, ag = need(), pool_agency()
    rejected(n, "service", offer, n=n, ag=ag, service="consulting")
    rejected(n, "end", offer, n=n, ag=ag, end=date(2026, 3, 31))
    rejected(n, "start", offer, n=n, ag=ag, start=date(2026, 3, 1))
    rejected(n, "fee", offer, n=n, ag=ag, fee=-1)


def test_a_need_is_accepted_once_and_by_the_enterprise_only():
    ent, first, second = enterprise(), pool_agency(), pool_agency()
    n = need(ent)
    a, b = offer(n, first), offer(n, second, actor=OTHER_AGENCY)
    for who in (AGENCY, TOWNSHIP, BUREAU):
        refused(n, "need-by-enterprise", n.accept, offer_id=a, enterprise=ent, agency=first,
                today=ACCEPTED, policy=POLICY, actor=who)
    n.accept(offer_id=a, enterprise=ent, agency=first, today=ACCEPTED, policy=POLICY, actor=ENTERPRISE)
    refused(n, "need-accepted-once", n.accept, offer_id=b, enterprise=ent, agency=second,
            today=ACCEPTED, policy=POLICY, actor=ENTERPRISE)
    refused(n, "need-open", offer, n=n, ag=pool_agency(), actor=OTHER_AGENCY)


def test_an_unknown_offer_is_bad_input_and_a_blacklisted_agency_is_not_contracted():
    ent, ag = enterprise(), pool_agency()
    n = need(ent)
    ident = offer(n, ag)
    rejected(n, "offer_id", n.accept, offer_id="nope", enterprise=ent, agency=ag, today=ACCEPTED,
             policy=POLICY, actor=ENTERPRISE)
    ag.blacklist(reason="只收费不服务", actor=BUREAU)
    refused(n, "offer-by-pool-agency", n.accept, offer_id=ident, enterprise=ent, agency=ag,
            today=ACCEPTED, policy=POLICY, actor=ENTERPRISE)
    assert ent.agencies == {}


def test_a_withdrawn_need_takes_no_offer():
    n = need()
    n.withdraw(reason="已自行解决", withdrawn_on=OFFERED, actor=ENTERPRISE)
    refused(n, "need-open", offer, n=n, ag=pool_agency())
    refused(n, "need-open", n.withdraw, reason="再次", withdrawn_on=OFFERED, actor=ENTERPRISE)


def test_a_need_is_posted_by_the_enterprise_with_known_services():
    with pytest.raises(RuleViolation) as info:
        ServiceNeed.post(enterprise=enterprise(), services=["monthly"], description="x",
                         posted_on=POSTED, actor=AGENCY)
    assert info.value.rule == "need-by-enterprise" and info.value.about_who
    from domain.errors import InvalidValue
    for services, field in (([], "services"), (["cleaning"], "services")):
        with pytest.raises(InvalidValue) as bad:
            ServiceNeed.post(enterprise=enterprise(), services=services, description="x",
                             posted_on=POSTED, actor=ENTERPRISE)
        assert bad.value.field == field


# --- ratings (绩效评比) ----------------------------------------------------------------------
SCORES = {"quality": 90, "attitude": 80, "effect": 85}
END = date(2026, 12, 31)


def rate(c, ent, *, on=END, actor=ENTERPRISE, existing=None, scores=SCORES):
    return AgencyRating.rate(contract=c, enterprise=ent, scores=scores, comment="排查认真",
                             rated_on=on, today=date(2027, 1, 10), actor=actor, existing=existing)


def test_a_served_enterprise_rates_at_or_after_the_contracts_end():
    ent = enterprise()
    c = contract(ent, agency())
    r = rate(c, ent)
    assert (r.agency_id, r.year, str(r.total), r.comment) == (c.agency_id, 2026, "85.0", "排查认真")
    assert r.id == AgencyRating.create_id(str(c.id))


def rule_of(call) -> str:
    with pytest.raises(RuleViolation) as info:
        call()
    return info.value.rule


def test_ratings_refused():
    ent = enterprise()
    c = contract(ent, agency())
    assert rule_of(lambda: rate(c, ent, on=date(2026, 12, 30))) == "rating-after-contract-end"
    assert rule_of(lambda: rate(c, enterprise())) == "rating-by-served-enterprise"
    proposal = contract(ent, agency(), countersigned=False)
    assert rule_of(lambda: rate(proposal, ent)) == "rating-by-served-enterprise"
    assert rule_of(lambda: rate(c, ent, actor=AGENCY)) == "rating-by-enterprise"
    assert rule_of(lambda: rate(c, ent, existing=rate(c, ent))) == "rating-once-per-contract"
    from domain.errors import InvalidValue
    with pytest.raises(InvalidValue) as bad:
        rate(c, ent, scores={"quality": 101, "attitude": 1, "effect": 1})
    assert bad.value.field == "scores.quality"


def test_a_terminated_contract_is_rated_from_its_last_day():
    ent = enterprise()
    c = contract(ent, agency())
    c.terminate(terminated_on=date(2026, 6, 1), reason="停产", today=date(2026, 6, 1), policy=POLICY,
                actor=ENTERPRISE)
    assert rate(c, ent, on=date(2026, 5, 31)).year == 2026
