"""Smart electricity (智慧用电, issue 15 §4): a device's alarm, counted; a hazard raised when
alarms of one kind repeat beyond the county's policy.

Everything one alarm leads to is stored in ONE `store` (one transaction): the alarm, its
enterprise × kind watch (`AlarmWatch`: the count and the episode) and, when the watch opens an
episode, the hazard. The raising is done here, in the same request, not by a follower: the
decision needs the watch's state as of this alarm and nothing else, and one transaction means no
alarm is counted without its hazard or the other way round, and there is no follower position to
keep. A retry (same alarm id, same content) finds the stored alarm and answers as the first time,
storing nothing; the same alarm id with other content is 409 `alarm-id-reused`. The hazard's id is
a uuid5 of the watch and the episode's number, so even two racing requests cannot raise two: the
second one's watch is a version behind and stores nothing (409 `optimistic-concurrency`, retry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.actor import Actor
from domain.electricity import (Alarm, AlarmWatch, ElectricityPolicy, alarm_key, evidence_lines,
                                hazard_text, watch_key)
from domain.hazard import Category, Hazard
from domain.parties import Enterprise
from domain.values import Level, Source
from infra.clock import SHANGHAI
from services.errors import ConcurrentModification


@dataclass(frozen=True)
class AlarmWritten:
    """The answer to an alarm, the same on every retry: the alarm's record id, the device's alarm
    id, the hazard it raised (`raised`) or the open episode's hazard it joined, if any."""

    id: str
    alarm_id: str
    hazard_id: str | None
    raised: bool


def _minute(moment: datetime) -> str:
    """An alarm's time as the hazard's text shows it: 2026-06-10 08:00 (Asia/Shanghai)."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


class _Clash(Exception):
    """The store refused the write (a concurrent request stored the alarm or moved the watch)."""


def _answer(alarm: Alarm) -> AlarmWritten:
    return AlarmWritten(id=str(alarm.id), alarm_id=alarm.alarm_id, hazard_id=alarm.hazard_id,
                        raised=alarm.raised)


class ElectricityCommands:
    electricity_policy: ElectricityPolicy = ElectricityPolicy()  # Config.electricity
    now: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    def post_alarm(self, actor: Actor, *, device_enterprise: str | None, enterprise_id: str,
                   device_id: str, alarm_id: str, kind: str, reading: Any,
                   occurred_at: datetime) -> AlarmWritten:
        enterprise = self.load(Enterprise, enterprise_id)
        content = dict(device_id=device_id, kind=kind, reading=reading, occurred_at=occurred_at)
        ident = alarm_key(str(enterprise.id), alarm_id)
        existing = self.find(Alarm, ident)
        if existing is not None:  # a retry: nothing new is stored, the first answer is given
            existing.require_same(**content)
            return _answer(existing)
        alarm = Alarm.post(enterprise=enterprise, device_enterprise=device_enterprise,
                           alarm_id=alarm_id, now=self.now(), actor=actor, **content)
        watch = (self.find(AlarmWatch, watch_key(str(enterprise.id), alarm.kind))
                 or AlarmWatch.open(enterprise_id=str(enterprise.id), township=enterprise.township,
                                    sector=enterprise.sector, kind=alarm.kind))
        outcome = watch.record(alarm, self.electricity_policy)
        written: list[Any] = [alarm, watch]
        if outcome.hazard_id is not None:
            alarm.link(hazard_id=outcome.hazard_id, raised=outcome.raised)
        if outcome.raised:
            written.append(self._raised_hazard(enterprise, alarm, outcome, actor))
        try:
            self.store(*written, on_conflict=_Clash)
        except _Clash:
            stored = self.find(Alarm, ident)
            if stored is None:
                raise ConcurrentModification() from None
            stored.require_same(**content)  # the same alarm, stored by a concurrent retry
            return _answer(stored)
        return _answer(alarm)

    def _raised_hazard(self, enterprise: Enterprise, alarm: Alarm, outcome: Any, actor: Actor) -> Hazard:
        """The hazard an episode raises: the enterprise's, general, 物的不安全状态, reported by the
        device, the alarms' readings as evidence."""
        today = self.today()
        last_day = outcome.alarms[-1]["at"].astimezone(SHANGHAI).date()
        return Hazard.report(
            enterprise=enterprise, inspection=None, source=Source.SMART_ELECTRICITY,
            category=Category.UNSAFE_CONDITION, level=Level.GENERAL,
            description=hazard_text(alarm.kind, outcome.alarms, self.electricity_policy, _minute),
            evidence=evidence_lines(alarm.kind, outcome.alarms, _minute),
            discovered_on=min(last_day, today), today=today, actor=actor,
            hazard_id=UUID(outcome.hazard_id))
