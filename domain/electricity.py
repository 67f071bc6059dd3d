"""Smart electricity (智慧用电, seed 001 §二: 推广智慧式安全用电): devices at an enterprise report
electrical alarms; alarms of one kind that repeat beyond the county's policy raise a hazard.

- `Alarm` (用电告警): one device alarm, its id a uuid5 of the enterprise and the device's alarm id,
  so a retry of the same alarm stores nothing new (`same_as`), and the same alarm id with
  different content is refused (rule `alarm-id-reused`, 409).
- `AlarmWatch` (告警监测): one per enterprise × kind. It counts the alarms of that kind and decides
  (`record`) when they repeat beyond `ElectricityPolicy` (`alarms` of one kind within
  `within_hours` hours): then it opens an *episode* (告警过程) and names the hazard to raise,
  its id a uuid5 of the watch and the episode's number. Later alarms of the kind that fall within
  the window of the episode's alarms join it: one hazard per episode, not one per alarm. An
  episode ends when `within_hours` pass with no alarm of its kind; the next alarms count afresh.
- The hazard itself is raised by `Hazard.report` (source `smart_electricity`) with the readings
  as evidence (`hazard_text`, `evidence_lines`), the enterprise as the party to act.

Pure: "now" and the business date are passed in; times are aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.parties import Enterprise
from domain.values import choice, text


class AlarmKind(StrEnum):
    OVERLOAD = "overload"                  # 过载
    LEAKAGE = "leakage"                    # 漏电
    OVER_TEMPERATURE = "over_temperature"  # 超温
    ARC = "arc"                            # 电弧


KIND_NAMES_ZH = {"overload": "过载", "leakage": "漏电", "over_temperature": "超温", "arc": "电弧"}
UNITS = {"overload": "A", "leakage": "mA", "over_temperature": "℃", "arc": "次"}  # a reading's unit


@dataclass(frozen=True)
class ElectricityPolicy:
    """The county's policy (policy data `electricity`): `alarms` alarms of one kind at one
    enterprise within `within_hours` hours raise a hazard (智慧用电告警转隐患)."""

    alarms: int = 3
    within_hours: int = 24

    def __post_init__(self) -> None:
        if not 2 <= self.alarms <= 1000:
            raise ValueError(f"electricity.alarms 须在 2–1000 之间：{self.alarms}")
        if not 1 <= self.within_hours <= 24 * 31:
            raise ValueError(f"electricity.within_hours 须在 1–744 之间：{self.within_hours}")

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.within_hours)

    def words(self) -> str:
        return f"{self.within_hours} 小时内同类告警 {self.alarms} 次"


def alarm_key(enterprise_id: str, alarm_id: str) -> UUID:
    """An alarm's id: a uuid5 of the enterprise and the device's alarm id (the natural key)."""
    return natural_id("alarm", enterprise_id, alarm_id)


def watch_key(enterprise_id: str, kind: str) -> UUID:
    return natural_id("alarm-watch", enterprise_id, kind)


def episode_hazard_id(watch_id: UUID | str, episode: int) -> UUID:
    """The hazard an episode raises: the same id on every replay of the same alarms."""
    return natural_id("alarm-episode", watch_id, episode)


def reading_value(value: Any) -> Decimal:
    """A reading: a finite number, 0 or more (current in A, leakage in mA, temperature in ℃,
    arcs counted)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidValue("reading", f"读数须为数字：{str(value)[:40]!r}") from None
    if not number.is_finite() or number < 0 or number > Decimal("1000000"):
        raise InvalidValue("reading", f"读数须为 0–1000000 之间的数：{str(value)[:40]}")
    return number


def alarm_time(value: datetime, now: datetime) -> datetime:
    """The alarm's time: with its zone, not in the future, not before 2000."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue("occurred_at", "告警时间须带时区，如 2026-12-01T10:00:00+08:00")
    if value > now:
        raise InvalidValue("occurred_at", f"告警时间 {value.isoformat()} 晚于当前时间，不能登记")
    if value.year < 2000:
        raise InvalidValue("occurred_at", f"告警时间不能早于 2000 年：{value.isoformat()}")
    return value


class Alarm(Aggregate):
    """One device alarm (用电告警), as the device reported it, and what it led to."""

    @staticmethod
    def create_id(enterprise_id: str, alarm_id: str, **_: object) -> UUID:
        return alarm_key(enterprise_id, alarm_id)

    @classmethod
    def post(cls, *, enterprise: Enterprise, device_enterprise: str | None, device_id: str,
             alarm_id: str, kind: str, reading: Any, occurred_at: datetime, now: datetime,
             actor: Actor) -> Alarm:
        """Check and record a device's alarm. `device_enterprise`: the enterprise the device's
        token is bound to. The outcome (hazard raised or joined) is set by `AlarmWatch.record`."""
        rules.ALARM_BY_DEVICE.require(actor.role == Role.DEVICE, f"角色 {actor.role}")
        rules.ALARM_OWN_ENTERPRISE.require(device_enterprise == str(enterprise.id),
                                           f"令牌绑定企业 {device_enterprise or '无'}，告警企业 {enterprise.id}")
        return cls(enterprise_id=str(enterprise.id), township=enterprise.township,
                   sector=enterprise.sector, device_id=text("device_id", device_id, max_len=100),
                   alarm_id=text("alarm_id", alarm_id, max_len=100),
                   kind=choice("kind", kind, AlarmKind), reading=reading_value(reading),
                   occurred_at=alarm_time(occurred_at, now), actor=actor.record())

    @event("Posted")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, device_id: str,
                 alarm_id: str, kind: str, reading: Decimal, occurred_at: datetime, actor: dict) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.device_id = device_id
        self.alarm_id = alarm_id
        self.kind = kind
        self.reading = reading
        self.occurred_at = occurred_at
        self.hazard_id: str | None = None
        self.raised = False

    def same_as(self, *, device_id: str, kind: str, reading: Any, occurred_at: datetime) -> bool:
        """A retry: the same device, kind, reading and time (else the alarm id was reused)."""
        try:
            same_reading = reading_value(reading) == self.reading
        except InvalidValue:
            return False
        return (device_id == self.device_id and str(kind) == self.kind and same_reading
                and occurred_at == self.occurred_at)

    def require_same(self, **content: Any) -> None:
        rules.ALARM_ID_REUSED.require(self.same_as(**content),
                                      f"告警编号 {self.alarm_id} 已登记为 {self.device_id} "
                                      f"{KIND_NAMES_ZH.get(self.kind, self.kind)} {self.reading}"
                                      f"（{self.occurred_at.isoformat()}）")

    @event("Linked")
    def link(self, *, hazard_id: str, raised: bool) -> None:
        """The hazard this alarm raised (`raised`) or the open episode's hazard it joined."""
        self.hazard_id = hazard_id
        self.raised = raised


@dataclass(frozen=True)
class Outcome:
    """What an alarm led to: nothing yet (counted), a new episode (`raised`: raise `hazard_id`
    with these `alarms` as evidence), or the open episode it joined."""

    hazard_id: str | None = None
    raised: bool = False
    episode: int = 0
    alarms: tuple[dict, ...] = ()


class AlarmWatch(Aggregate):
    """告警监测: the alarms of one kind at one enterprise, counted in the county's window."""

    @staticmethod
    def create_id(enterprise_id: str, kind: str, **_: object) -> UUID:
        return watch_key(enterprise_id, kind)

    @classmethod
    def open(cls, *, enterprise_id: str, township: str, sector: str, kind: str) -> AlarmWatch:
        return cls(enterprise_id=enterprise_id, township=township, sector=sector,
                   kind=choice("kind", kind, AlarmKind))

    @event("Opened")
    def __init__(self, *, enterprise_id: str, township: str, sector: str, kind: str) -> None:
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.kind = kind
        self.recent: list[dict] = []   # alarms counted, not in an episode: {alarm_id, at, reading, device_id}
        self.episodes = 0
        self.episode: dict | None = None  # the open episode: {number, hazard_id, first_at, last_at}

    def record(self, alarm: Alarm, policy: ElectricityPolicy) -> Outcome:
        """Count one alarm of this kind; decide whether it opens an episode (raise a hazard),
        joins the open one, or is only counted."""
        if alarm.kind != self.kind or alarm.enterprise_id != self.enterprise_id:
            raise ValueError("告警与监测的企业或类型不符")
        at, window = alarm.occurred_at, policy.window
        entry = {"alarm_id": alarm.alarm_id, "at": at, "reading": alarm.reading,
                 "device_id": alarm.device_id}
        ep = self.episode
        if ep is not None and ep["first_at"] - window <= at <= ep["last_at"] + window:
            self._joined(alarm_id=alarm.alarm_id, at=at)
            return Outcome(hazard_id=ep["hazard_id"], episode=ep["number"])
        keep = [a for a in self.recent if abs(a["at"] - at) <= window]
        burst = densest([*keep, entry], window)
        if len(burst) >= policy.alarms:
            number = self.episodes + 1
            hazard_id = str(episode_hazard_id(self.id, number))
            self._raised(episode=number, hazard_id=hazard_id, alarm_ids=[a["alarm_id"] for a in burst],
                         first_at=burst[0]["at"], last_at=burst[-1]["at"],
                         keep=[a for a in keep if a not in burst])
            return Outcome(hazard_id=hazard_id, raised=True, episode=number, alarms=tuple(burst))
        self._counted(alarm_id=alarm.alarm_id, at=at, reading=alarm.reading, device_id=alarm.device_id,
                      window_hours=policy.within_hours)
        return Outcome()

    @event("Counted")
    def _counted(self, *, alarm_id: str, at: datetime, reading: Decimal, device_id: str,
                 window_hours: int) -> None:
        window = timedelta(hours=window_hours)
        if self.episode is not None and at > self.episode["last_at"] + window:
            self.episode = None  # the episode has ended: no alarm of its kind for a window
        entry = {"alarm_id": alarm_id, "at": at, "reading": reading, "device_id": device_id}
        latest = max([at, *(a["at"] for a in self.recent)])
        self.recent = sorted([*(a for a in self.recent if a["at"] >= latest - window), entry],
                             key=lambda a: a["at"])

    @event("EpisodeRaised")
    def _raised(self, *, episode: int, hazard_id: str, alarm_ids: list[str], first_at: datetime,
                last_at: datetime, keep: list[dict]) -> None:
        self.episodes = episode
        self.episode = {"number": episode, "hazard_id": hazard_id, "first_at": first_at,
                        "last_at": last_at}
        self.recent = list(keep)

    @event("Joined")
    def _joined(self, *, alarm_id: str, at: datetime) -> None:
        ep = self.episode
        assert ep is not None
        self.episode = {**ep, "first_at": min(ep["first_at"], at), "last_at": max(ep["last_at"], at)}


def densest(alarms: list[dict], window: timedelta) -> list[dict]:
    """The most alarms that fit within one window (oldest first; ties: the earliest such run)."""
    ordered = sorted(alarms, key=lambda a: (a["at"], a["alarm_id"]))
    best: list[dict] = []
    for i, first in enumerate(ordered):
        run = [a for a in ordered[i:] if a["at"] - first["at"] <= window]
        if len(run) > len(best):
            best = run
    return best


def hazard_text(kind: str, alarms: tuple[dict, ...] | list[dict], policy: ElectricityPolicy,
                local: Any = lambda t: t.isoformat()) -> str:
    """The raised hazard's description (Chinese): what repeated, how often, within what time."""
    name = KIND_NAMES_ZH.get(kind, kind)
    named = list(dict.fromkeys(a["device_id"] for a in alarms))
    devices = "、".join(named[:5]) + (f" 等 {len(named)} 台" if len(named) > 5 else "")
    return (f"智慧用电监测：{name}告警 {len(alarms)} 次（{local(alarms[0]['at'])} 至 "
            f"{local(alarms[-1]['at'])}，设备 {devices}），达到县定标准（{policy.words()}），"
            f"请企业排查{name}原因并整改")


def evidence_lines(kind: str, alarms: tuple[dict, ...] | list[dict],
                   local: Any = lambda t: t.isoformat()) -> list[str]:
    """The readings as evidence entries (one line of text each)."""
    name, unit = KIND_NAMES_ZH.get(kind, kind), UNITS.get(kind, "")
    return [f"告警 {a['alarm_id']}：设备 {a['device_id']}，{local(a['at'])}，{name}，读数 {a['reading']} {unit}"
            for a in alarms]
