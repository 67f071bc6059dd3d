"""Whose record is it? The facts of an aggregate that the access policy compares with a token,
and, for an agency, when it serves the enterprise (issue 10: scope follows time)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from domain.accident import Accident
from domain.actor import Role
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.groups import IndustryAssociation, MutualHelpGroup, _Membership
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.insurance import InsurancePolicy, Insurer
from domain.parties import Agency, Enterprise
from domain.platform import AgencyRating, ServiceNeed
from domain.referral import Referral
from domain.self_report import SelfReport
from infra.auth import Principal
from services.access import (Engagement, Forbidden, Subject, agency_sees_until, check_role, in_scope,
                             reads_only)
from services.errors import NotFound


class SubjectQueries:
    def authorize(self, principal: Principal, action: str, subject: Subject | None = None) -> None:
        """403 unless the role may take the action and the record lies in the holder's scope."""
        self._authorized(principal, action, subject)

    def authorize_reading(self, principal: Principal, action: str, subject: Subject | None) -> date | None:
        """`authorize` a read; then the last day of the record's steps the holder may see (an
        agency whose service to the enterprise has ended), or None for the whole record."""
        engagements = self._authorized(principal, action, subject)
        if subject is None or principal.role != Role.AGENCY:
            return None
        return agency_sees_until(principal.agency_id, subject, engagements, today=self.today())

    def _authorized(self, principal: Principal, action: str, subject: Subject | None) -> list[Engagement]:
        """Authorise; the agency's engagements looked at (none for other roles)."""
        check_role(principal, action)
        if subject is None:
            return []
        engagements = (list(self.engagements(principal.agency_id, subject))
                       if principal.role == Role.AGENCY else [])
        if not in_scope(principal, subject, engagements=engagements, today=self.today(),
                        reading=reads_only(action)):
            raise Forbidden(action, "记录不在令牌的管辖范围内")
        return engagements

    def engagements(self, agency_id: str | None, subject: Subject) -> Iterator[Engagement]:
        """When the agency serves the subject's enterprise: its countersigned contracts with it,
        and its procurement agreements covering the enterprise's township × sector."""
        if not agency_id or subject.enterprise_id is None:
            return
        try:
            agency = self.load(Agency, agency_id)
            enterprise = self.load(Enterprise, subject.enterprise_id)
        except NotFound:
            return
        for contract_id in enterprise.agencies.get(str(agency.id), []):
            contract = self.load(ServiceContract, contract_id)
            if contract.binding and contract.start <= contract.last_day:
                yield Engagement(contract.agency_id, contract.start, contract.last_day)
        for pid in subject.policy_ids:  # 安责险: commissioned for this policy's assessments only
            policy = self.find(InsurancePolicy, pid)
            if (policy is not None and str(agency.id) in policy.commissioned
                    and policy.enterprise_id == str(enterprise.id)):
                yield Engagement(str(agency.id), policy.assess_from, policy.end)
        for agreement_id in agency.agreements:
            agreement = self.load(ProcurementAgreement, agreement_id)
            if enterprise.township in agreement.townships and enterprise.sector in agreement.sectors:
                yield Engagement(agreement.agency_id, agreement.start, agreement.end)

    def subject_of_enterprise(self, enterprise_id: str) -> Subject:
        return _enterprise_subject(self.load(Enterprise, enterprise_id))

    def subject_of_party(self, enterprise_id: str, agency_id: str | None, *,
                         party_record: bool = False) -> Subject:
        """An enterprise's facts with one named agency (a contract's or an inspection's)."""
        e = self.load(Enterprise, enterprise_id)
        return Subject(frozenset({e.township}), frozenset({e.sector}), str(e.id),
                       frozenset({agency_id}) if agency_id else frozenset(), named_agency_only=True,
                       party_record=party_record)

    def subject_of(self, cls: type, ident: str) -> Subject:
        """The subject of any aggregate (404 if there is none of this kind with this id)."""
        aggregate = self.load(cls, ident)
        if isinstance(aggregate, Enterprise):
            return _enterprise_subject(aggregate)
        if isinstance(aggregate, Agency):
            return Subject(agency_ids=frozenset({str(aggregate.id)}))
        if isinstance(aggregate, ProcurementAgreement):
            return Subject(frozenset(aggregate.townships), frozenset(aggregate.sectors),
                           agency_ids=frozenset({aggregate.agency_id}))
        if isinstance(aggregate, ServiceContract):  # its parties act on it, in force or not
            return self.subject_of_party(aggregate.enterprise_id, aggregate.agency_id,
                                         party_record=True)
        if isinstance(aggregate, Inspection):  # only its own agency, while it serves
            return replace(self.subject_of_party(aggregate.enterprise_id, aggregate.agency_id)
                           | self.insurance_subject(aggregate.basis_id), made_on=aggregate.scheduled_for)
        if isinstance(aggregate, Hazard):  # the finding agency, and those serving the enterprise
            own = frozenset({aggregate.agency_id}) if aggregate.agency_id else frozenset()
            return replace(self.subject_of_enterprise(aggregate.enterprise_id)
                           | Subject(agency_ids=own) | self.insurance_subject_of_inspection(
                               aggregate.inspection_id if aggregate.source == "insurance" else None),
                           made_on=aggregate.discovered_on)
        if isinstance(aggregate, Insurer):
            return Subject(insurer_ids=frozenset({str(aggregate.id)}))
        if isinstance(aggregate, InsurancePolicy):  # its insurer, and the enterprise's readers
            return self.subject_of_enterprise(aggregate.enterprise_id) | self.insurance_subject(str(aggregate.id))
        if isinstance(aggregate, SelfReport):  # the enterprise's, read as its other records
            return replace(self.subject_of_enterprise(aggregate.enterprise_id),
                           made_on=aggregate.filed_on)
        if isinstance(aggregate, Referral):  # its receiver, and the referred hazards' townships and sectors
            receiver = Subject(frozenset({aggregate.receiver})) if aggregate.receiver_kind == "township" \
                else Subject(sectors=frozenset({aggregate.receiver}))
            return replace(receiver | Subject(frozenset(h["township"] for h in aggregate.hazards),
                                              frozenset(h["sector"] for h in aggregate.hazards)),
                           made_on=aggregate.referred_on)
        if isinstance(aggregate, (MutualHelpGroup, IndustryAssociation)):
            return group_subject(aggregate, reading=True)
        if isinstance(aggregate, ServiceNeed):  # the enterprise's: an offer gives an agency no scope
            return replace(self.subject_of_enterprise(aggregate.enterprise_id),
                           made_on=aggregate.posted_on)
        if isinstance(aggregate, AgencyRating):  # the rating enterprise's, and the rated agency's own
            return replace(self.subject_of_enterprise(aggregate.enterprise_id)
                           | Subject(agency_ids=frozenset({aggregate.agency_id})),
                           made_on=aggregate.rated_on)
        if isinstance(aggregate, Accident):
            return replace(self.subject_of_enterprise(aggregate.enterprise_id),
                           made_on=aggregate.occurred_on)
        raise NotFound(cls.__name__, ident)

    def insurance_subject(self, basis_id: str | None) -> Subject:
        """安责险 (issue 15 §3): when `basis_id` is a policy, its insurer and the policy itself
        (a commissioned agency serves the enterprise for that policy's records only)."""
        policy = self.find(InsurancePolicy, basis_id) if basis_id else None
        if policy is None:
            return Subject()
        return Subject(insurer_ids=frozenset({policy.insurer_id}), policy_ids=frozenset({str(policy.id)}))

    def insurance_subject_of_inspection(self, inspection_id: str | None) -> Subject:
        inspection = self.find(Inspection, inspection_id) if inspection_id else None
        return self.insurance_subject(inspection.basis_id) if inspection is not None else Subject()


def group_subject(body: _Membership, *, reading: bool) -> Subject:
    """A mutual-help group's or association's facts (issue 15). Writing (members, experts,
    training): its own township only — one without a township (county-wide) is the bureau's, so
    no township office reaches past its township through it. Reading: also its sector, and the
    townships and sectors of its current members."""
    townships = {body.township} if body.township else set()
    if not reading:
        return Subject(frozenset(townships))
    sectors = {body.sector} if body.sector else set()
    for member in body.members.values():
        townships.add(member["township"])
        sectors.add(member["sector"])
    return Subject(frozenset(townships), frozenset(sectors))


def _enterprise_subject(e: Enterprise) -> Subject:
    return Subject(frozenset({e.township}), frozenset({e.sector}), str(e.id))
