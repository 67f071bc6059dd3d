"""Referrals (交办、抄告): refer, sign for (签收), answer (答复), and the list of a unit's referrals.

The list has no read model yet: the referrals are found in the log (`LogReader.page` filtered by
the topic of `Referral.Referred`, one page after another) and each of the unit's referrals is
loaded from the repository — O(referrals in the county) per request, exact and acceptable at a
county's scale (a few hundred a year); a view is the follow-up (docs/referrals.md).
"""

from __future__ import annotations

from datetime import date

from eventsourcing.utils import get_topic

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.hazard import Hazard
from domain.referral import Referral
from projections.labels import REFERRAL_RECEIVER, REFERRAL_STATE

REFERRED = get_topic(Referral.Referred)
STATES = ("open", "overdue", "answered")


class ReferralCommands:
    def refer_hazards(self, actor: Actor, *, hazard_ids: list[str], instructions: str, due_on: date,
                      township: str | None = None, sector: str | None = None,
                      referred_on: date | None = None, document_no: str = ""):
        """交办: to exactly one receiving unit, a known township or a known sector."""
        if (township is None) == (sector is None):
            raise InvalidValue("township", "须指定一个接收单位：乡镇（街道）代码 township 或行业代码 sector")
        kind, code = (("township", self.known_township("township", township)) if township is not None
                      else ("sector", self.known_sector("sector", sector)))
        referral = Referral.refer(receiver_kind=kind, receiver=code, hazards=self.named_each(Hazard, hazard_ids, "hazard_ids", "隐患"),
                                  instructions=instructions, referred_on=referred_on or self.today(),
                                  due_on=due_on, today=self.today(), actor=actor,
                                  document_no=document_no)
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

    # --- the list ------------------------------------------------------------------------
    def referrals(self, *, township: str | None = None, sector: str | None = None,
                  state: str | None = None) -> list[dict]:
        """The referrals to a township (`township`) or a sector (`sector`), or all (neither),
        in the order referred; `state`: open, overdue or answered (judged on today)."""
        if state is not None and state not in STATES:
            raise InvalidValue("state", f"须为 {' / '.join(STATES)}：{state[:20]!r}")
        today, rows = self.today(), []
        for ident in self._referral_ids(township=township, sector=sector):
            row = self.referral_row(self.load(Referral, ident), today)
            if state is None or row["state"] == state:
                rows.append(row)
        return rows

    def _referral_ids(self, *, township: str | None, sector: str | None) -> list:
        wanted = (("township", township) if township is not None
                  else ("sector", sector) if sector is not None else None)
        ids, after = [], 0
        while page := self.log_reader.page(after, topics=[REFERRED]):
            for logged in page:
                e = logged.event
                if e is not None and (wanted is None or (e.receiver_kind, e.receiver) == wanted):
                    ids.append(e.originator_id)
            after = page[-1].position
        return ids

    def referral_row(self, r: Referral, today: date) -> dict:
        """One referral for people: the receiver and state in Chinese, the hazards described."""
        names = self.reference.townships if r.receiver_kind == "township" else self.reference.sectors
        state = r.state(today)
        return {"id": str(r.id), "receiver_kind": r.receiver_kind,
                "receiver_kind_label": REFERRAL_RECEIVER[r.receiver_kind], "receiver": r.receiver,
                "receiver_name": names.get(r.receiver, r.receiver),
                "hazards": [{"id": h["id"], "description": h["description"]} for h in r.hazards],
                "instructions": r.instructions, "document_no": r.document_no,
                "referred_on": r.referred_on, "due_on": r.due_on, "signed_on": r.signed_on,
                "signed": "已签收" if r.signed_on else "待签收", "answered_on": r.answered_on,
                "answer": r.answer, "state": state, "state_label": REFERRAL_STATE[state]}
