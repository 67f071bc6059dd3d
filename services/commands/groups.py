"""Mutual-help groups (企业互助) and industry associations (行业协会): forming them, members,
experts sent by members, training records (issue 15 §1–2). Their inspections are ordinary
inspections (services/commands/inspections.py) whose basis is the group or association."""

from __future__ import annotations

from datetime import date

from domain import rules
from domain.actor import Actor
from domain.groups import IndustryAssociation, MutualHelpGroup, _Membership, association_id, group_id
from domain.parties import Enterprise

BODIES = {"group": MutualHelpGroup, "association": IndustryAssociation}


class GroupCommands:
    def form_group(self, actor: Actor, *, name: str, township: str | None = None,
                   sector: str | None = None, founded_on: date | None = None):
        group = MutualHelpGroup.form(
            name=name, township=self.known_township("township", township) if township else None,
            sector=self.known_sector("sector", sector) if sector else None,
            founded_on=founded_on or self.today(), today=self.today(), actor=actor,
            existing=self.find(MutualHelpGroup, group_id(township, sector, name.strip())))
        return self.store(group, on_conflict=lambda: rules.GROUP_UNIQUE.refuse(group.name))

    def form_association(self, actor: Actor, *, credit_code: str, name: str, sector: str,
                         township: str | None = None, founded_on: date | None = None):
        association = IndustryAssociation.form(
            credit_code=credit_code, name=name, sector=self.known_sector("sector", sector),
            township=self.known_township("township", township) if township else None,
            founded_on=founded_on or self.today(), today=self.today(), actor=actor,
            existing=self.find(IndustryAssociation, association_id(credit_code.strip().upper())))
        return self.store(association,
                          on_conflict=lambda: rules.GROUP_UNIQUE.refuse(association.credit_code))

    def add_group_member(self, actor: Actor, form: str, body_id: str, *, enterprise_id: str,
                         joined_on: date | None = None):
        body = self.load(BODIES[form], body_id)
        enterprise = self.named(Enterprise, enterprise_id, "enterprise_id", "企业")
        body.add_member(enterprise=enterprise, joined_on=joined_on or self.today(),
                        today=self.today(), actor=actor)
        return self.store(body)

    def remove_group_member(self, actor: Actor, form: str, body_id: str, enterprise_id: str, *,
                            reason: str, left_on: date | None = None):
        return self.change(BODIES[form], body_id, lambda b: b.remove_member(
            enterprise_id=enterprise_id, left_on=left_on or self.today(), reason=reason,
            today=self.today(), actor=actor))

    def add_group_expert(self, actor: Actor, form: str, body_id: str, *, enterprise_id: str,
                         name: str, certificate_no: str):
        body: _Membership = self.load(BODIES[form], body_id)
        expert_id = body.add_expert(enterprise_id=enterprise_id, name=name,
                                    certificate_no=certificate_no, actor=actor)
        return self.store(body, ident=expert_id)

    def remove_group_expert(self, actor: Actor, form: str, body_id: str, expert_id: str, *,
                            reason: str):
        return self.change(BODIES[form], body_id, lambda b: b.remove_expert(
            expert_id=expert_id, reason=reason, actor=actor))

    def record_group_training(self, actor: Actor, form: str, body_id: str, *, held_on: date,
                              topic: str, hours: object, attendee_ids: list[str]):
        body: _Membership = self.load(BODIES[form], body_id)
        training_id = body.record_training(held_on=held_on, topic=topic, hours=hours,
                                           attendee_ids=attendee_ids, today=self.today(), actor=actor)
        return self.store(body, ident=training_id)
