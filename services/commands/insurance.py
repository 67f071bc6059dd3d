"""Safety-liability insurance (安责险, issue 15 §3): insurers, policies, commissions of
assessment agencies, accident-prevention services paid for."""

from __future__ import annotations

from datetime import date

from domain import rules
from domain.actor import Actor
from domain.insurance import InsurancePolicy, InsuranceRules, Insurer, policy_id
from domain.parties import Agency, Enterprise
from infra.insurance_rules import default_insurance_rules
from services.errors import AlreadyRegistered


class InsuranceCommands:
    _insurance_rules: InsuranceRules | None = None

    @property
    def insurance_rules(self) -> InsuranceRules:
        """The county's insurance data (infra/data/insurance_ninghai.json), read once."""
        return self._insurance_rules or default_insurance_rules()

    def register_insurer(self, actor: Actor, *, credit_code: str, name: str):
        insurer = Insurer.register(credit_code=credit_code, name=name, actor=actor)
        return self.store(insurer, on_conflict=lambda: AlreadyRegistered("insurer", insurer.credit_code))

    def record_insurance_policy(self, actor: Actor, *, insurer_id: str, enterprise_id: str,
                                policy_no: str, start: date, end: date, premium: object):
        """A policy and its period noted on the insurer, stored together: an overlapping or
        concurrent second policy of the same insurer and enterprise stores nothing."""
        insurer = self.named(Insurer, insurer_id, "insurer_id", "保险机构")
        enterprise = self.named(Enterprise, enterprise_id, "enterprise_id", "企业")
        existing = self.find(InsurancePolicy, policy_id(str(insurer.id), policy_no.strip()))
        policy = InsurancePolicy.issue(insurer=insurer, enterprise=enterprise, policy_no=policy_no,
                                       start=start, end=end, premium=premium,
                                       rules_=self.insurance_rules, actor=actor, existing=existing)
        return self.store(policy, insurer, ident=policy.id,
                          on_conflict=lambda: rules.POLICY_OVERLAP.refuse("与同时登记的保单冲突，请重试"))

    def commission_assessment(self, actor: Actor, policy_id_: str, *, agency_id: str,
                              commissioned_on: date | None = None):
        policy = self.load(InsurancePolicy, policy_id_)
        agency = self.named(Agency, agency_id, "agency_id", "中介机构")
        policy.commission(agency=agency, commissioned_on=commissioned_on or self.today(),
                          today=self.today(), actor=actor)
        return self.store(policy)

    def record_prevention_service(self, actor: Actor, insurer_id: str, *, kind: str, amount: object,
                                  reference: str, paid_on: date | None = None, description: str = "",
                                  enterprise_id: str | None = None):
        insurer = self.load(Insurer, insurer_id)
        if enterprise_id is not None:
            self.named(Enterprise, enterprise_id, "enterprise_id", "企业")
        insurer.record_prevention(kind=kind, amount=amount, paid_on=paid_on or self.today(),
                                  reference=reference, description=description,
                                  enterprise_id=enterprise_id, today=self.today(), actor=actor)
        return self.store(insurer)
