"""Referrals (交办、抄告): refer (optionally as a joint meeting's decision, 联席会), sign for
(签收), answer (答复). The list of a unit's referrals is a read model (the activity view's
`activity_referrals`, `projections/queries/referrals.py`; docs/referrals.md)."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.referral import Referral


class ReferralCommands:
    def refer_hazards(self, actor: Actor, *, hazard_ids: list[str], instructions: str, due_on: date,
                      township: str | None = None, sector: str | None = None,
                      referred_on: date | None = None, document_no: str = "",
                      meeting: str | None = None):
        """交办: to exactly one receiving unit, a known township or a known sector; `meeting`:
        the month (YYYY-MM) of the joint meeting (联席会) that decided it, if one did."""
        if (township is None) == (sector is None):
            raise InvalidValue("township", "须指定一个接收单位：乡镇（街道）代码 township 或行业代码 sector")
        kind, code = (("township", self.known_township("township", township)) if township is not None
                      else ("sector", self.known_sector("sector", sector)))
        referral = Referral.refer(receiver_kind=kind, receiver=code, hazards=self.named_each(Hazard, hazard_ids, "hazard_ids", "隐患"),
                                  instructions=instructions, referred_on=referred_on or self.today(),
                                  due_on=due_on, today=self.today(), actor=actor,
                                  document_no=document_no, meeting=meeting)
        return self.store(referral)

    def sign_referral(self, actor: Actor, referral_id: str, *, unit: str | None,
                      signed_on: date | None = None):
        return self.change(Referral, referral_id, lambda r: r.sign_for(
            actor=actor, unit=unit, signed_on=signed_on or self.today(), today=self.today()))

    def answer_referral(self, actor: Actor, referral_id: str, *, unit: str | None, answer: str,
                        answered_on: date | None = None):
        return self.change(Referral, referral_id, lambda r: r.answer_with(
            actor=actor, unit=unit, answer=answer, answered_on=answered_on or self.today(),
            today=self.today()))
