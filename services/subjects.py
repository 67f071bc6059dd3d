"""Whose record is it? The facts of an aggregate that the access policy compares with a token."""

from __future__ import annotations

from domain.accident import Accident
from domain.actor import Role
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.parties import Agency, Enterprise
from infra.auth import Principal
from services.access import Forbidden, Subject, check_role, in_scope
from services.errors import NotFound


class SubjectQueries:
    def authorize(self, principal: Principal, action: str, subject: Subject | None = None) -> None:
        """403 unless the role may take the action and the record lies in the holder's scope."""
        check_role(principal, action)
        if subject is None:
            return
        covered = (principal.role == Role.AGENCY and not subject.named_agency_only
                   and self._agency_covers(principal.agency_id, subject))
        if not in_scope(principal, subject, covered_by_agreement=covered):
            raise Forbidden(action, "记录不在令牌的管辖范围内")

    def _agency_covers(self, agency_id: str | None, subject: Subject) -> bool:
        try:
            agency = self.load(Agency, agency_id or "")
        except NotFound:
            return False
        return any(agency.covers(township=t, sector=s)
                   for t in subject.townships for s in subject.sectors)

    def subject_of_enterprise(self, enterprise_id: str) -> Subject:
        e = self.load(Enterprise, enterprise_id)
        return Subject(frozenset({e.township}), frozenset({e.sector}), str(e.id), frozenset(e.agencies))

    def subject_of_party(self, enterprise_id: str, agency_id: str | None) -> Subject:
        """An enterprise's facts with one named agency (a contract's or an inspection's)."""
        e = self.load(Enterprise, enterprise_id)
        return Subject(frozenset({e.township}), frozenset({e.sector}), str(e.id),
                       frozenset({agency_id}) if agency_id else frozenset(), named_agency_only=True)

    def subject_of(self, cls: type, ident: str) -> Subject:
        """The subject of any aggregate (404 if there is none of this kind with this id)."""
        aggregate = self.load(cls, ident)
        if isinstance(aggregate, Enterprise):
            return self.subject_of_enterprise(ident)
        if isinstance(aggregate, Agency):
            return Subject(agency_ids=frozenset({str(aggregate.id)}))
        if isinstance(aggregate, ProcurementAgreement):
            return Subject(frozenset(aggregate.townships), frozenset(aggregate.sectors),
                           agency_ids=frozenset({aggregate.agency_id}))
        if isinstance(aggregate, (ServiceContract, Inspection)):  # only its own agency acts on it
            return self.subject_of_party(aggregate.enterprise_id, aggregate.agency_id)
        if isinstance(aggregate, Hazard):  # the finding agency and those serving the enterprise
            own = frozenset({aggregate.agency_id}) if aggregate.agency_id else frozenset()
            return self.subject_of_enterprise(aggregate.enterprise_id) | Subject(agency_ids=own)
        if isinstance(aggregate, Accident):
            return self.subject_of_enterprise(aggregate.enterprise_id)
        raise NotFound(cls.__name__, ident)
