"""Mutual-help groups (企业互助, 000 §二(三)) and industry associations (行业协会, 000 §二(四), 001).

A mutual-help group (安全生产管理单元、协作组) gathers the enterprises of one area (a township)
or one industry (a sector), or both; its member enterprises send their own technicians as the
group's experts (专门小组), who inspect members (组内互查) and enterprises of the same area or
industry outside the group (组间互查). An industry association (行业协会、商会) gathers member
enterprises (会员单位) of its sector, county-wide or in one township; its experts (from leading
member enterprises: 传、帮、带) inspect members (协会互查) and it records its training
(培训). Inspections whose basis is a group or an association are `Inspection`s
(domain/inspection.py: kinds `mutual`, `inter_group`, `association`), performed by these
experts, never by an agency; hazards found in them carry the source `mutual_help` or
`association`.

An association that sells services like an agency (政府购买服务, 企业委托) registers as an
`Agency` under its own credit code and signs agreements and contracts as one; the association
record names that agency (`agency_id`, same credit code): see docs/groups.md.

Formed, and members and experts recorded, by the bureau or a township office (rule
`group-by-government`): an enterprise never enrols itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.credit_code import validate as validate_credit_code
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.parties import Enterprise
from domain.values import money, past_date, text, township_code

RECORDERS = (Role.BUREAU, Role.TOWNSHIP)  # who forms groups and records members and experts


class Form(StrEnum):
    GROUP = "group"              # 企业互助组
    ASSOCIATION = "association"  # 行业协会


def _by_government(actor: Actor) -> None:
    rules.GROUP_BY_GOVERNMENT.require(actor.role in RECORDERS, f"操作角色 {actor.role}")


class _Membership:
    """What groups and associations share: members, experts from members, training records.
    The decisions live here; each subclass records its own events (`_joined`, `_left`, …)."""

    # state set by `_start`: name, township, sector (None: any), founded_on, members (enterprise id →
    # name, township, sector, joined_on), experts (expert id → enterprise_id, name, certificate_no),
    # trainings

    def fits(self, enterprise: Enterprise) -> bool:
        """An enterprise of the body's area (township) and industry (sector), where it has one."""
        return ((self.township is None or enterprise.township == self.township)
                and (self.sector is None or enterprise.sector == self.sector))

    def is_member(self, enterprise_id: str) -> bool:
        return enterprise_id in self.members

    def add_member(self, *, enterprise: Enterprise, joined_on: date, today: date, actor: Actor) -> None:
        _by_government(actor)
        rules.GROUP_MEMBER_FITS.require(
            self.fits(enterprise), f"{enterprise.name}（乡镇 {enterprise.township}，行业 {enterprise.sector}）")
        rules.GROUP_MEMBER_ONCE.require(not self.is_member(str(enterprise.id)), enterprise.name)
        self._joined(enterprise_id=str(enterprise.id), name=enterprise.name,
                     township=enterprise.township, sector=enterprise.sector,
                     joined_on=past_date("joined_on", joined_on, today), actor=actor.record())

    def remove_member(self, *, enterprise_id: str, left_on: date, reason: str, today: date,
                      actor: Actor) -> None:
        """A member leaves; the experts it sent leave with it."""
        _by_government(actor)
        rules.GROUP_MEMBER_UNKNOWN.require(self.is_member(enterprise_id), enterprise_id)
        joined = self.members[enterprise_id]["joined_on"]
        past_date("left_on", left_on, today)
        if left_on < joined:
            raise InvalidValue("left_on", f"{left_on.isoformat()} 早于入组日期 {joined.isoformat()}")
        self._left(enterprise_id=enterprise_id, left_on=left_on,
                   reason=text("reason", reason, max_len=500), actor=actor.record())

    def add_expert(self, *, enterprise_id: str, name: str, certificate_no: str, actor: Actor) -> str:
        """A member enterprise sends one of its technicians as an expert; returns the expert's id."""
        _by_government(actor)
        rules.GROUP_EXPERT_FROM_MEMBER.require(self.is_member(enterprise_id), f"企业 {enterprise_id}")
        certificate_no = text("certificate_no", certificate_no, max_len=64)
        rules.GROUP_EXPERT_DUPLICATE.require(
            all(e["certificate_no"] != certificate_no for e in self.experts.values()), certificate_no)
        expert_id = str(uuid4())
        self._expert_joined(expert_id=expert_id, enterprise_id=enterprise_id,
                            name=text("name", name, max_len=100), certificate_no=certificate_no,
                            actor=actor.record())
        return expert_id

    def remove_expert(self, *, expert_id: str, reason: str, actor: Actor) -> None:
        _by_government(actor)
        rules.GROUP_EXPERT_UNKNOWN.require(expert_id in self.experts, expert_id)
        self._expert_left(expert_id=expert_id, reason=text("reason", reason, max_len=500),
                          actor=actor.record())

    def record_training(self, *, held_on: date, topic: str, hours: int | float | str,
                        attendee_ids: list[str], today: date, actor: Actor) -> str:
        """A training or exchange session (培训、交流研讨) for member enterprises; returns its id."""
        _by_government(actor)
        attendees = sorted(set(attendee_ids))
        if not attendees:
            raise InvalidValue("attendee_ids", "须列出参加的成员企业")
        outside = [a for a in attendees if not self.is_member(a)]
        rules.GROUP_TRAINING_MEMBERS.require(not outside, "、".join(outside))
        length = money("hours", hours)
        if not 0 < Decimal(length) <= 100:
            raise InvalidValue("hours", "学时须大于 0、不超过 100")
        training_id = str(uuid4())
        self._trained(training_id=training_id, held_on=past_date("held_on", held_on, today),
                      topic=text("topic", topic, max_len=200), hours=length,
                      attendee_ids=attendees, actor=actor.record())
        return training_id

    # --- appliers shared by the subclasses' events ----------------------------------------------
    def _start(self, name: str, township: str | None, sector: str | None, founded_on: date) -> None:
        self.name = name
        self.township = township
        self.sector = sector
        self.founded_on = founded_on
        self.members = {}
        self.experts = {}
        self.trainings = []

    def _apply_joined(self, enterprise_id: str, name: str, township: str, sector: str,
                      joined_on: date) -> None:
        self.members[enterprise_id] = {"name": name, "township": township, "sector": sector,
                                       "joined_on": joined_on}

    def _apply_left(self, enterprise_id: str) -> None:
        del self.members[enterprise_id]
        self.experts = {k: v for k, v in self.experts.items() if v["enterprise_id"] != enterprise_id}

    def _apply_trained(self, training_id: str, held_on: date, topic: str, hours: str,
                       attendee_ids: list[str]) -> None:
        self.trainings.append({"training_id": training_id, "held_on": held_on, "topic": topic,
                               "hours": hours, "attendee_ids": list(attendee_ids)})


def group_id(township: str | None, sector: str | None, name: str) -> UUID:
    """One group of a name per area and industry: forming it twice conflicts in the store."""
    return natural_id("group", township or "-", sector or "-", name)


class MutualHelpGroup(_Membership, Aggregate):
    """企业互助组（安全生产管理单元、协作组）: enterprises of one area or industry, 000 §二(三)."""

    @staticmethod
    def create_id(township: str | None, sector: str | None, name: str, **_: object) -> UUID:
        return group_id(township, sector, name)

    @classmethod
    def form(cls, *, name: str, township: str | None, sector: str | None, founded_on: date,
             today: date, actor: Actor, existing: MutualHelpGroup | None = None) -> MutualHelpGroup:
        """`existing`: the group already stored under this area, industry and name, if any."""
        _by_government(actor)
        if not township and not sector:
            raise InvalidValue("township", "互助组须由同一区域（乡镇街道）或同一行业的企业组成：township、sector 至少填一项")
        rules.GROUP_UNIQUE.require(existing is None, name)
        return cls(name=text("name", name, max_len=200),
                   township=township_code("township", township) if township else None,
                   sector=text("sector", sector, max_len=32) if sector else None,
                   founded_on=past_date("founded_on", founded_on, today), actor=actor.record())

    @event("Formed")
    def __init__(self, *, name: str, township: str | None, sector: str | None, founded_on: date,
                 actor: dict) -> None:
        self._start(name, township, sector, founded_on)

    form_code = Form.GROUP

    @event("MemberJoined")
    def _joined(self, *, enterprise_id: str, name: str, township: str, sector: str,
                joined_on: date, actor: dict) -> None:
        self._apply_joined(enterprise_id, name, township, sector, joined_on)

    @event("MemberLeft")
    def _left(self, *, enterprise_id: str, left_on: date, reason: str, actor: dict) -> None:
        self._apply_left(enterprise_id)

    @event("ExpertJoined")
    def _expert_joined(self, *, expert_id: str, enterprise_id: str, name: str,
                       certificate_no: str, actor: dict) -> None:
        self.experts[expert_id] = {"enterprise_id": enterprise_id, "name": name,
                                   "certificate_no": certificate_no}

    @event("ExpertLeft")
    def _expert_left(self, *, expert_id: str, reason: str, actor: dict) -> None:
        del self.experts[expert_id]

    @event("TrainingRecorded")
    def _trained(self, *, training_id: str, held_on: date, topic: str, hours: str,
                 attendee_ids: list[str], actor: dict) -> None:
        self._apply_trained(training_id, held_on, topic, hours, attendee_ids)


def association_id(credit_code: str) -> UUID:
    return natural_id("association", credit_code)


class IndustryAssociation(_Membership, Aggregate):
    """行业协会（商会）: member enterprises of one sector, county-wide or in one township, 000 §二(四)."""

    @staticmethod
    def create_id(credit_code: str, **_: object) -> UUID:
        return association_id(credit_code)

    @classmethod
    def form(cls, *, credit_code: str, name: str, sector: str, township: str | None,
             founded_on: date, today: date, actor: Actor,
             existing: IndustryAssociation | None = None) -> IndustryAssociation:
        """`existing`: the association already registered under this credit code, if any."""
        _by_government(actor)
        rules.GROUP_UNIQUE.require(existing is None, credit_code)
        return cls(credit_code=validate_credit_code(credit_code), name=text("name", name, max_len=200),
                   sector=text("sector", sector, max_len=32),
                   township=township_code("township", township) if township else None,
                   founded_on=past_date("founded_on", founded_on, today), actor=actor.record())

    @event("Formed")
    def __init__(self, *, credit_code: str, name: str, sector: str, township: str | None,
                 founded_on: date, actor: dict) -> None:
        self.credit_code = credit_code
        self._start(name, township, sector, founded_on)

    form_code = Form.ASSOCIATION

    @event("MemberJoined")
    def _joined(self, *, enterprise_id: str, name: str, township: str, sector: str,
                joined_on: date, actor: dict) -> None:
        self._apply_joined(enterprise_id, name, township, sector, joined_on)

    @event("MemberLeft")
    def _left(self, *, enterprise_id: str, left_on: date, reason: str, actor: dict) -> None:
        self._apply_left(enterprise_id)

    @event("ExpertJoined")
    def _expert_joined(self, *, expert_id: str, enterprise_id: str, name: str,
                       certificate_no: str, actor: dict) -> None:
        self.experts[expert_id] = {"enterprise_id": enterprise_id, "name": name,
                                   "certificate_no": certificate_no}

    @event("ExpertLeft")
    def _expert_left(self, *, expert_id: str, reason: str, actor: dict) -> None:
        del self.experts[expert_id]

    @event("TrainingRecorded")
    def _trained(self, *, training_id: str, held_on: date, topic: str, hours: str,
                 attendee_ids: list[str], actor: dict) -> None:
        self._apply_trained(training_id, held_on, topic, hours, attendee_ids)
