"""Registering enterprises and agencies, experts, pool admission; recording accidents."""

from __future__ import annotations

from datetime import date

from domain.accident import Accident
from domain.actor import Actor
from domain.errors import InvalidValue
from domain.parties import Agency, Enterprise
from services.errors import AlreadyRegistered


class PartyCommands:
    def known_township(self, field: str, code: str) -> str:
        if code not in self.reference.townships:
            raise InvalidValue(field, f"未知乡镇（街道）代码 {code!r}")
        return code

    def known_sector(self, field: str, slug: str) -> str:
        if slug not in self.reference.sectors:
            raise InvalidValue(field, f"未知行业 {slug!r}，可选：{', '.join(self.reference.sectors)}")
        return slug

    def register_enterprise(self, actor: Actor, *, credit_code: str, name: str, township: str,
                            sector: str, scale: str, annual_output: object = 0,
                            risk_flags: list[str] | None = None, address: str = ""):
        enterprise = Enterprise.register(
            credit_code=credit_code, name=name, township=self.known_township("township", township),
            sector=self.known_sector("sector", sector), scale=scale, annual_output=annual_output,
            risk_flags=risk_flags, address=address, actor=actor)
        return self.store(enterprise, on_conflict=lambda: AlreadyRegistered(
            "enterprise", enterprise.credit_code))

    def register_agency(self, actor: Actor, *, credit_code: str, name: str):
        agency = Agency.register(credit_code=credit_code, name=name, actor=actor)
        return self.store(agency, on_conflict=lambda: AlreadyRegistered("agency", agency.credit_code))

    def add_expert(self, actor: Actor, agency_id: str, *, name: str, certificate_no: str):
        agency = self.load(Agency, agency_id)
        expert_id = agency.add_expert(name=name, certificate_no=certificate_no, actor=actor)
        return self.store(agency, ident=expert_id)

    def admit_agency_to_pool(self, actor: Actor, agency_id: str, *, admitted_on: date | None = None):
        return self.change(Agency, agency_id, lambda a: a.admit_to_pool(
            admitted_on=admitted_on or self.today(), today=self.today(), actor=actor))

    def record_accident(self, actor: Actor, *, enterprise_id: str, occurred_on: date, category: str,
                        deaths: int, injuries: int, description: str):
        accident = Accident.record(
            enterprise=self.load(Enterprise, enterprise_id), occurred_on=occurred_on,
            category=category, deaths=deaths, injuries=injuries, description=description,
            today=self.today(), actor=actor)
        return self.store(accident)

    def remove_expert(self, actor: Actor, agency_id: str, expert_id: str, *, reason: str):
        return self.change(Agency, agency_id,
                           lambda a: a.remove_expert(expert_id=expert_id, reason=reason, actor=actor))

    def evaluate_agency(self, actor: Actor, agency_id: str, *, year: int, scores: dict[str, int],
                        notes: str = ""):
        return self.change(Agency, agency_id, lambda a: a.evaluate(
            year=year, scores=scores, notes=notes, actor=actor))

    def blacklist_agency(self, actor: Actor, agency_id: str, *, reason: str):
        return self.change(Agency, agency_id, lambda a: a.blacklist(reason=reason, actor=actor))

    def reinstate_agency(self, actor: Actor, agency_id: str, *, reason: str):
        return self.change(Agency, agency_id, lambda a: a.reinstate(reason=reason, actor=actor))

    def record_finding(self, actor: Actor, accident_id: str, *, agency_id: str, kind: str,
                       description: str):
        """An investigator's finding about an agency (002 §八(二)); the agency must exist."""
        self.load(Agency, agency_id)
        return self.change(Accident, accident_id, lambda a: a.record_finding(
            agency_id=agency_id, kind=kind, description=description, actor=actor))
