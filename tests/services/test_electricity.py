"""Smart electricity (智慧用电, issue 15 §4) on the real event store: an alarm is stored once
(a retry stores nothing and answers the same), one hazard per episode, refusals store nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.actor import Role
from domain.electricity import Alarm, AlarmWatch, watch_key
from domain.errors import InvalidValue, RuleViolation
from domain.hazard import Hazard
from infra.electricity_policy import load_electricity_policy
from projections.compliance import DEFAULT_POLICY
from tests.conftest import actor, credit_code, stored_count

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 10, 8, 0, tzinfo=TZ)


@pytest.fixture
def firm(ledger) -> str:
    return ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="甲五金厂",
                                      township="330226001", sector="trade", scale="small_micro").id


def post(ledger, firm: str, n: int, hours: float, *, kind: str = "overload", reading: str = "35.2",
         device: str = "D-1", enterprise: str | None = None):
    return ledger.post_alarm(actor(Role.DEVICE), device_enterprise=enterprise or firm, enterprise_id=firm,
                             device_id=device, alarm_id=f"A-{n}", kind=kind, reading=reading,
                             occurred_at=T0 + timedelta(hours=hours))


def test_the_county_policy_is_read_from_the_policy_file():
    policy = load_electricity_policy(DEFAULT_POLICY)
    assert (policy.alarms, policy.within_hours) == (3, 24)


def test_a_retry_stores_nothing_and_answers_the_same(ledger, firm):
    first = post(ledger, firm, 1, 0)
    before = stored_count(ledger)
    again = post(ledger, firm, 1, 0)
    assert again == first and first.hazard_id is None
    assert stored_count(ledger) == before
    alarm = ledger.load(Alarm, first.id)
    assert (alarm.device_id, alarm.kind, str(alarm.reading), alarm.occurred_at) == ("D-1", "overload", "35.2", T0)
    with pytest.raises(RuleViolation) as e:  # the same alarm id, other content
        post(ledger, firm, 1, 0, reading="40")
    assert e.value.rule == "alarm-id-reused"
    assert stored_count(ledger) == before


def test_one_hazard_per_episode_and_a_replay_raises_nothing(ledger, firm):
    answers = [post(ledger, firm, n, h) for n, h in enumerate((0, 3, 6, 7, 30))]
    raised = [a for a in answers if a.raised]
    assert len(raised) == 1 and raised[0].alarm_id == "A-2"
    assert {a.hazard_id for a in answers[2:]} == {raised[0].hazard_id}  # later ones joined it
    hazard = ledger.load(Hazard, raised[0].hazard_id)
    assert hazard.source == "smart_electricity" and hazard.enterprise_id == firm
    assert hazard.category == "unsafe_condition" and hazard.level == "general"
    assert "过载告警 3 次" in hazard.description
    assert [e.split("：")[0] for e in hazard.evidence] == ["告警 A-0", "告警 A-1", "告警 A-2"]
    assert "读数 35.2 A" in hazard.evidence[0]
    before = stored_count(ledger)
    replayed = [post(ledger, firm, n, h) for n, h in enumerate((0, 3, 6, 7, 30))]  # every alarm again
    assert replayed == answers and stored_count(ledger) == before
    watch = ledger.load(AlarmWatch, watch_key(firm, "overload"))
    assert watch.episodes == 1
    # another kind is counted apart; after a quiet window the next burst is a new hazard
    assert post(ledger, firm, 10, 8, kind="leakage", reading="45").hazard_id is None
    later = [post(ledger, firm, n, 100 + n) for n in (20, 21, 22)]
    assert later[-1].raised and later[-1].hazard_id != raised[0].hazard_id


def test_refusals_store_nothing(ledger, firm):
    other = ledger.register_enterprise(actor(Role.BUREAU), credit_code=credit_code(), name="乙厂",
                                       township="330226002", sector="trade", scale="small_micro").id
    before = stored_count(ledger)
    with pytest.raises(RuleViolation) as e:
        post(ledger, firm, 1, 0, enterprise=other)
    assert e.value.rule == "alarm-own-enterprise"
    with pytest.raises(InvalidValue) as bad:
        post(ledger, firm, 1, 24 * 365 * 5)  # years ahead of now
    assert bad.value.field == "occurred_at"
    with pytest.raises(InvalidValue) as bad:
        post(ledger, firm, 1, 0, kind="flood")
    assert bad.value.field == "kind"
    assert stored_count(ledger) == before
