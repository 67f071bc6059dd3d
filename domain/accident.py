"""Accidents (事故) at enterprises, and investigators' findings about agencies (002 §八(二))."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.parties import Enterprise
from domain.values import choice, past_date, text


class AccidentCategory(StrEnum):
    """Injury types of the hazardous-chemicals annual report (GB 6441)."""
    STRUCK_BY_OBJECT = "struck_by_object"    # 物体打击
    VEHICLE = "vehicle"                      # 车辆伤害
    MACHINERY = "machinery"                  # 机械伤害
    LIFTING = "lifting"                      # 起重伤害
    ELECTROCUTION = "electrocution"          # 触电
    BURN = "burn"                            # 灼伤
    FIRE = "fire"                            # 火灾
    FALL = "fall"                            # 高处坠落
    VESSEL_EXPLOSION = "vessel_explosion"    # 容器爆炸
    POISONING = "poisoning"                  # 中毒和窒息
    OTHER = "other"                          # 其他伤害


class FindingKind(StrEnum):
    FALSE_REPORT = "false_report"              # 出具虚假报告
    MISSED_INSPECTION = "missed_inspection"    # 应查未查
    MISSED_HAZARD = "missed_hazard"            # 漏查隐患
    OTHER = "other"


class Accident(Aggregate):
    """An accident at an enterprise and what its investigation found."""

    @classmethod
    def record(cls, *, enterprise: Enterprise, occurred_on: date, category: str, deaths: int,
               injuries: int, description: str, today: date, actor: Actor) -> Accident:
        for field, count in (("deaths", deaths), ("injuries", injuries)):
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 10000:
                raise InvalidValue(field, "须为 0–10000 的整数")
        return cls(enterprise_id=str(enterprise.id), township=enterprise.township,
                   sector=enterprise.sector,
                   occurred_on=past_date("occurred_on", occurred_on, today),
                   category=choice("category", category, AccidentCategory),
                   deaths=deaths, injuries=injuries,
                   description=text("description", description), actor=actor.record())

    @event("Recorded")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, occurred_on: date,
                 category: str, deaths: int, injuries: int, description: str, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.occurred_on = occurred_on
        self.category = category
        self.deaths = deaths
        self.injuries = injuries
        self.description = description
        self.findings: list[dict] = []

    def record_finding(self, *, agency_id: str, kind: str, description: str, actor: Actor) -> None:
        """An investigator's finding about an agency (false report, missed inspection…)."""
        self._finding_recorded(agency_id=agency_id, kind=choice("kind", kind, FindingKind),
                               description=text("description", description), actor=actor.record())

    @event("FindingRecorded")
    def _finding_recorded(self, *, agency_id: str, kind: str, description: str, actor: dict) -> None:
        self.findings.append({"agency_id": agency_id, "kind": kind, "description": description,
                              "by": actor})
