"""Referrals (交办、抄告): the safety committee office (县安委会办公室, the bureau) hands one or
more hazards to a sector regulator (行业监管部门, by sector code) or a township (乡镇（街道）,
by township code) with instructions and a due date (seed 003 §五(一): the monthly joint meeting
联席会 交办 and follows up). The receiving unit signs for it (签收) and answers what was done (答复).

The hazards are recorded as they stood when referred (id, description, township, sector,
enterprise): the list shows what was handed over, and the record's scope (its receiver and the
hazards' townships and sectors) needs no other record. Dates are business dates passed in
(never a clock): referred on, due on, signed for on, answered on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.self_report import past_month
from domain.upcasts import referral_referred_v1_v2, versioned

RECEIVER_ROLES = {"township": Role.TOWNSHIP, "sector": Role.REGULATOR}


def _day(field: str, day: date, *, not_before: date, today: date, before_what: str) -> date:
    if day < not_before:
        raise InvalidValue(field, f"{day.isoformat()} 早于{before_what} {not_before.isoformat()}")
    if day > today:
        raise InvalidValue(field, f"{day.isoformat()} 晚于今天 {today.isoformat()}")
    return day


def meeting_month(meeting: str | None, today: date) -> str | None:
    """The month of the joint meeting (联席会) that decided a referral: YYYY-MM, a real month
    that has begun by `today`; None when the referral was not a meeting's decision."""
    if meeting is None:
        return None
    try:
        return past_month(meeting, today)
    except InvalidValue as e:
        raise InvalidValue("meeting", e.message) from None


def _text(field: str, value: str, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidValue(field, "不能为空")
    if len(value) > limit:
        raise InvalidValue(field, f"不能超过 {limit} 字")
    return value


class Referral(Aggregate):
    """One referral (交办单) to one receiving unit."""

    @classmethod
    def refer(cls, *, receiver_kind: str, receiver: str, hazards: list[Any], instructions: str,
              referred_on: date, due_on: date, today: date, actor: Actor,
              document_no: str = "", meeting: str | None = None) -> Referral:
        """`hazards`: the referred hazards, loaded by the caller; `receiver`: a known township
        code or sector code (checked by the caller against the reference data); `meeting`: the
        month of the joint meeting (联席会, YYYY-MM) whose decision this referral records."""
        rules.REFERRAL_BY_BUREAU.require(actor.role == Role.BUREAU, f"角色 {actor.role}")
        if receiver_kind not in RECEIVER_ROLES:
            raise InvalidValue("receiver_kind", f"须为 township 或 sector：{receiver_kind!r}")
        if not hazards:
            raise InvalidValue("hazard_ids", "至少交办一条隐患")
        if referred_on > today:
            raise InvalidValue("referred_on", f"{referred_on.isoformat()} 晚于今天 {today.isoformat()}")
        meeting = meeting_month(meeting, today)
        rules.REFERRAL_DUE_AFTER_REFERRAL.require(
            due_on >= referred_on, f"办理期限 {due_on.isoformat()}，交办日期 {referred_on.isoformat()}")
        listed: dict[str, dict] = {}
        for h in hazards:
            listed.setdefault(str(h.id), {"id": str(h.id), "description": h.description,
                                          "township": h.township, "sector": h.sector,
                                          "enterprise_id": h.enterprise_id})
        return cls(receiver_kind=receiver_kind, receiver=receiver, hazards=list(listed.values()),
                   instructions=_text("instructions", instructions), referred_on=referred_on,
                   due_on=due_on, document_no=(document_no or "").strip()[:200], actor=actor.record(),
                   meeting=meeting)

    @event("Referred")
    def __init__(self, *, receiver_kind: str, receiver: str, hazards: list[dict], instructions: str,
                 referred_on: date, due_on: date, document_no: str, actor: dict,
                 meeting: str | None = None) -> None:
        # `meeting` (issue 14 §4): events stored before it carry none, and replay with None
        self.receiver_kind = receiver_kind  # "township" or "sector"
        self.receiver = receiver  # the township's code or the sector's code
        self.hazards = hazards
        self.hazard_ids = [h["id"] for h in hazards]
        self.instructions = instructions
        self.referred_on = referred_on
        self.due_on = due_on
        self.document_no = document_no
        self.meeting = meeting  # the joint meeting's month (联席会, YYYY-MM), or None
        self.signed_on: date | None = None
        self.signed_by: dict | None = None
        self.answered_on: date | None = None
        self.answer: str | None = None
        self.answered_by: dict | None = None

    def _require_receiver(self, actor: Actor, unit: str | None) -> None:
        rules.REFERRAL_BY_RECEIVER.require(
            actor.role == RECEIVER_ROLES[self.receiver_kind] and unit == self.receiver,
            f"接收单位 {self.receiver_kind}:{self.receiver}，令牌 {actor.role}:{unit or '-'}")

    def sign_for(self, *, actor: Actor, unit: str | None, signed_on: date, today: date) -> None:
        """签收: the receiving unit (`unit`: the token's township or sector code)."""
        self._require_receiver(actor, unit)
        rules.REFERRAL_ANSWER_AFTER_SIGNING.require(self.signed_on is None,
                                                    f"已于 {self.signed_on} 签收")
        _day("signed_on", signed_on, not_before=self.referred_on, today=today, before_what="交办日期")
        self._signed_for(signed_on=signed_on, actor=actor.record())

    @event("SignedFor")
    def _signed_for(self, *, signed_on: date, actor: dict) -> None:
        self.signed_on = signed_on
        self.signed_by = actor

    def answer_with(self, *, actor: Actor, unit: str | None, answer: str, answered_on: date,
                    today: date) -> None:
        """答复: what was done, after signing for it, once."""
        self._require_receiver(actor, unit)
        rules.REFERRAL_ANSWER_AFTER_SIGNING.require(
            self.signed_on is not None and self.answered_on is None,
            "尚未签收" if self.signed_on is None else f"已于 {self.answered_on} 答复")
        _day("answered_on", answered_on, not_before=self.signed_on, today=today, before_what="签收日期")
        self._answered(answer=_text("answer", answer), answered_on=answered_on, actor=actor.record())

    @event("Answered")
    def _answered(self, *, answer: str, answered_on: date, actor: dict) -> None:
        self.answer = answer
        self.answered_on = answered_on
        self.answered_by = actor

    def state(self, today: date) -> str:
        """open (未答复, not yet due), overdue (未答复, past the due date), answered."""
        if self.answered_on is not None:
            return "answered"
        return "overdue" if today > self.due_on else "open"


# Event versions (docs/events.md): Referred v2 always carries `meeting` (None: not a meeting's).
versioned(Referral.Referred, 2, upcast_v1_v2=referral_referred_v1_v2)
