"""Smart electricity (智慧用电, issue 15 §4): the threshold decision, in the domain, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.actor import Actor, Role
from domain.electricity import (Alarm, AlarmWatch, ElectricityPolicy, densest, episode_hazard_id,
                                evidence_lines, hazard_text)
from domain.errors import InvalidValue, RuleViolation
from domain.hazard import Hazard
from domain.parties import Enterprise

from .conftest import BUREAU, TODAY, credit_code

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 10, 8, 0, tzinfo=TZ)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=TZ)
POLICY = ElectricityPolicy(alarms=3, within_hours=24)


@pytest.fixture
def enterprise() -> Enterprise:
    return Enterprise.register(credit_code=credit_code(), name="甲五金厂", township="330226001",
                               sector="trade", scale="small_micro", actor=BUREAU)


def device(e: Enterprise) -> Actor:
    return Actor(f"device-{e.id}", Role.DEVICE, "智慧用电设备")


def alarm(e: Enterprise, n: int, hours: float, kind: str = "overload", reading: str = "35.2") -> Alarm:
    return Alarm.post(enterprise=e, device_enterprise=str(e.id), device_id="D-1", alarm_id=f"A-{n}",
                      kind=kind, reading=reading, occurred_at=T0 + timedelta(hours=hours),
                      now=NOW, actor=device(e))


def watch(e: Enterprise, kind: str = "overload") -> AlarmWatch:
    return AlarmWatch.open(enterprise_id=str(e.id), township=e.township, sector=e.sector, kind=kind)


def test_the_third_alarm_within_the_window_raises_once_per_episode(enterprise):
    w = watch(enterprise)
    assert w.record(alarm(enterprise, 1, 0), POLICY).hazard_id is None
    assert w.record(alarm(enterprise, 2, 5), POLICY).hazard_id is None
    third = w.record(alarm(enterprise, 3, 20), POLICY)
    assert third.raised and third.episode == 1
    assert third.hazard_id == str(episode_hazard_id(w.id, 1))
    assert [a["alarm_id"] for a in third.alarms] == ["A-1", "A-2", "A-3"]
    # later alarms of the episode join it: no second hazard
    for n, hours in ((4, 21), (5, 40), (6, 60)):
        joined = w.record(alarm(enterprise, n, hours), POLICY)
        assert not joined.raised and joined.hazard_id == third.hazard_id
    # a window with no alarm ends the episode; the next burst is a new episode, a new hazard
    assert w.record(alarm(enterprise, 7, 100), POLICY).hazard_id is None
    assert w.record(alarm(enterprise, 8, 101), POLICY).hazard_id is None
    second = w.record(alarm(enterprise, 9, 102), POLICY)
    assert second.raised and second.episode == 2 and second.hazard_id != third.hazard_id


def test_alarms_spread_beyond_the_window_raise_nothing(enterprise):
    w = watch(enterprise)
    outcomes = [w.record(alarm(enterprise, n, 25 * n), POLICY) for n in range(6)]
    assert all(o.hazard_id is None for o in outcomes)


def test_an_alarm_arriving_late_completes_a_window(enterprise):
    w = watch(enterprise)
    w.record(alarm(enterprise, 1, 0), POLICY)
    w.record(alarm(enterprise, 2, 20), POLICY)
    late = w.record(alarm(enterprise, 3, 10), POLICY)  # sent after A-2, happened between them
    assert late.raised and [a["alarm_id"] for a in late.alarms] == ["A-1", "A-3", "A-2"]


def test_the_watch_rebuilt_from_its_events_decides_the_same(enterprise):
    w = watch(enterprise)
    w.record(alarm(enterprise, 1, 0), POLICY)
    w.record(alarm(enterprise, 2, 1), POLICY)
    copy = None
    for e in w.collect_events():
        copy = e.mutate(copy)
    assert copy.record(alarm(enterprise, 3, 2), POLICY).raised


def test_kinds_are_counted_apart(enterprise):
    w = watch(enterprise, "leakage")
    with pytest.raises(ValueError):
        w.record(alarm(enterprise, 1, 0, kind="overload"), POLICY)


def test_densest_window():
    at = [{"alarm_id": str(h), "at": T0 + timedelta(hours=h)} for h in (0, 30, 31, 32, 60)]
    assert [a["alarm_id"] for a in densest(at, timedelta(hours=24))] == ["30", "31", "32"]


def test_refusals(enterprise):
    other = Enterprise.register(credit_code=credit_code(), name="乙厂", township="330226002",
                                sector="trade", scale="small_micro", actor=BUREAU)
    with pytest.raises(RuleViolation) as e:  # a device token bound to another enterprise
        Alarm.post(enterprise=enterprise, device_enterprise=str(other.id), device_id="D-1",
                   alarm_id="A-1", kind="arc", reading=1, occurred_at=T0, now=NOW,
                   actor=device(other))
    assert e.value.rule == "alarm-own-enterprise" and e.value.about_who
    with pytest.raises(RuleViolation) as e:  # only devices post alarms
        Alarm.post(enterprise=enterprise, device_enterprise=str(enterprise.id), device_id="D-1",
                   alarm_id="A-1", kind="arc", reading=1, occurred_at=T0, now=NOW, actor=BUREAU)
    assert e.value.rule == "alarm-by-device"
    for field, change in [("kind", {"kind": "flood"}), ("occurred_at", {"occurred_at": NOW + timedelta(minutes=1)}),
                          ("occurred_at", {"occurred_at": T0.replace(tzinfo=None)}),
                          ("reading", {"reading": "-1"}), ("reading", {"reading": "abc"}),
                          ("device_id", {"device_id": ""})]:
        args = dict(enterprise=enterprise, device_enterprise=str(enterprise.id), device_id="D-1",
                    alarm_id="A-1", kind="arc", reading=1, occurred_at=T0, now=NOW,
                    actor=device(enterprise)) | change
        with pytest.raises(InvalidValue) as bad:
            Alarm.post(**args)
        assert bad.value.field == field


def test_the_same_alarm_id_with_other_content_is_refused(enterprise):
    a = alarm(enterprise, 1, 0)
    assert a.same_as(device_id="D-1", kind="overload", reading=Decimal("35.20"), occurred_at=T0)
    a.require_same(device_id="D-1", kind="overload", reading="35.2", occurred_at=T0.astimezone(ZoneInfo("UTC")))
    with pytest.raises(RuleViolation) as e:
        a.require_same(device_id="D-1", kind="overload", reading="36", occurred_at=T0)
    assert e.value.rule == "alarm-id-reused" and not e.value.about_who


def test_the_raised_hazard_carries_the_readings(enterprise):
    w = watch(enterprise)
    outcome = None
    for n in range(3):
        outcome = w.record(alarm(enterprise, n, n), POLICY)
    text = hazard_text("overload", outcome.alarms, POLICY)
    assert "过载告警 3 次" in text and "24 小时内同类告警 3 次" in text
    lines = evidence_lines("overload", outcome.alarms)
    assert lines[0].startswith("告警 A-0：设备 D-1") and "读数 35.2 A" in lines[0]
    from uuid import UUID
    hazard = Hazard.report(enterprise=enterprise, inspection=None, source="smart_electricity",
                           category="unsafe_condition", description=text, level="general",
                           evidence=lines, discovered_on=TODAY, today=TODAY, actor=device(enterprise),
                           hazard_id=UUID(outcome.hazard_id))
    assert str(hazard.id) == outcome.hazard_id and hazard.source == "smart_electricity"
    with pytest.raises(InvalidValue) as bad:  # nobody reports that source by hand
        Hazard.report(enterprise=enterprise, inspection=None, source="smart_electricity",
                      category="unsafe_condition", description="手工", level="general",
                      discovered_on=TODAY, today=TODAY, actor=BUREAU)
    assert bad.value.field == "source"


def test_policy_bounds():
    with pytest.raises(ValueError):
        ElectricityPolicy(alarms=1)
    with pytest.raises(ValueError):
        ElectricityPolicy(within_hours=0)
