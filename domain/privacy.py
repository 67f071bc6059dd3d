"""Erasure of personal information (个人信息删除, 个人信息保护法第四十七条; issue 16 §6).

Personal data in events is stored sealed under a key per person (`infra.personal`); erasing a
person destroys that key. The erasure itself is recorded here: one `Erasure` per person (its id
a uuid5 of the person's id), so erasing the same person again records nothing new. The event
names the person only by the store's pseudonymous person id and the kind of data, never by name.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.ids import natural_id
from domain.values import choice, text

ERASED = "已删除"  # what every view, export and read shows in place of erased personal data
ERASERS = (Role.BUREAU, Role.ADMIN)


class PersonKind(StrEnum):
    """Whose data a person id stands for (人员类别)."""

    RESPONSIBLE = "responsible"  # 隐患整改责任人（姓名、电话）
    EXPERT = "expert"            # 专家：中介机构、互助组、行业协会（姓名、证书编号）
    SIGNATORY = "signatory"      # 挂牌督办通知书签发人
    SERVER = "server"            # 挂牌督办通知书送达人
    SIGNER = "signer"            # 挂牌督办通知书签收人
    ACTOR = "actor"              # 操作人（令牌持有人姓名）


def erasure_id(person_id: str) -> UUID:
    """The erasure's id: a uuid5 of the person's id (one erasure per person)."""
    return natural_id("erasure", person_id)


class Erasure(Aggregate):
    """The record that a person's personal data was erased (删除记录)."""

    @staticmethod
    def create_id(person_id: str, **_: object) -> UUID:
        return erasure_id(person_id)

    @classmethod
    def record(cls, *, person_id: str, kind: str, reason: str, erased_on: date, actor: Actor) -> Erasure:
        """Record the erasure of the person `person_id` (its key is destroyed by the caller)."""
        rules.ERASURE_BY.require(actor.role in ERASERS, f"角色 {actor.role}")
        return cls(person_id=text("person_id", person_id, max_len=64), kind=choice("kind", kind, PersonKind),
                   reason=text("reason", reason, max_len=500), erased_on=erased_on, actor=actor.record())

    @event("Recorded")
    def __init__(self, *, person_id: str, kind: str, reason: str, erased_on: date, actor: dict) -> None:
        self.person_id = person_id
        self.kind = kind
        self.reason = reason
        self.erased_on = erased_on
