"""The reminder follower on a real store: the view fed from the log exactly once, the sweep
storing each (subject, kind, day) once across sweeps, restarts and a rebuilt view, deliveries
queued per channel, the SMS outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import orjson
import pytest

from domain.actor import Role
from domain.reminders import ReminderPolicy
from infra.log_reader import LogReader
from infra.reference import ReferenceData
from infra.reminder_delivery import Deliverer
from infra.reminders import ReminderStore
from infra.sms import OutboxGateway
from infra.webhooks import WebhookSender, networks
from projections.reminder_sweep import ReminderFollower, open_reminder_view
from services.application import HazardLedger
from tests.conftest import actor, credit_code, one_at_a_time

BUREAU, TOWNSHIP, OWNER = actor(Role.BUREAU), actor(Role.TOWNSHIP), actor(Role.ENTERPRISE)
REFERENCE = ReferenceData.load()


def firm(ledger: HazardLedger, name: str, township: str, sector: str) -> str:
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=name, township=township,
                                      sector=sector, scale="small_micro").id


def hazard(ledger: HazardLedger, enterprise_id: str, description: str, deadline: date,
           phone: str = "") -> str:
    h = ledger.report_hazard(TOWNSHIP, enterprise_id=enterprise_id, source="government_check",
                             category="unsafe_condition", description=description, level="general",
                             discovered_on=date(2026, 6, 1))
    ledger.assign_responsibility(BUREAU, h.id, responsible_person="王五", deadline=deadline,
                                 assigned_on=date(2026, 6, 2), responsible_phone=phone)
    return h.id


@pytest.fixture
def county(ledger: HazardLedger) -> dict[str, str]:
    a = firm(ledger, "西店五金厂", "330226011", "chem")
    b = firm(ledger, "长街纸箱厂", "330226005", "trade")
    ids = {"a": a, "b": b,
           "soon": hazard(ledger, a, "配电箱未接地", date(2026, 7, 15), phone="13800000000"),
           "late": hazard(ledger, b, "消防通道堵塞", date(2026, 6, 20)),
           "pending": hazard(ledger, a, "储罐区报警器失效", date(2026, 9, 30))}
    ledger.request_extension(OWNER, ids["pending"], new_deadline=date(2026, 10, 30), reason="设备到货延迟",
                             interim_controls="专人值守", requested_on=date(2026, 6, 30))
    ids["referral"] = ledger.refer_hazards(BUREAU, hazard_ids=[ids["late"]], instructions="督促整改",
                                           due_on=date(2026, 7, 12), sector="trade",
                                           referred_on=date(2026, 6, 30)).id
    ledger.file_self_report(OWNER, enterprise_id=a, month="2026-06", hazard_ids=[], none_found=True)
    return ids


@pytest.fixture
def parts(store_env: dict[str, str]) -> Iterator[tuple]:
    env = one_at_a_time(store_env)
    view, reader = open_reminder_view(env), LogReader.open(env)
    store = ReminderStore(view.datastore)
    store.create_tables()
    yield view, reader, store
    reader.close()
    view.datastore.close()


def follower(view, store) -> ReminderFollower:
    return ReminderFollower(view, store, policy=ReminderPolicy(), reference=REFERENCE)


def stored(store: ReminderStore) -> list[tuple]:
    return sorted((r["kind"], r["subject_id"], r["day"]) for r in store.listed())


def test_each_reminder_is_stored_once_across_sweeps_restarts_and_a_rebuilt_view(county, parts) -> None:
    view, reader, store = parts
    sub = store.subscriptions.add(topic="reminder", url="http://127.0.0.1:9/hook", township="330226011",
                                  sector=None, owner_role="township", owner_unit="330226011",
                                  created_by={"role": "township"})
    first = follower(view, store)
    raised = first.step(reader, date(2026, 7, 10))
    assert stored(store) == sorted([
        ("deadline_soon", county["soon"], date(2026, 7, 8)),
        ("overdue", county["late"], date(2026, 7, 5)),
        ("extension_decision_due", county["pending"], date(2026, 7, 10)),
        ("referral_due", county["referral"], date(2026, 7, 9)),
    ])
    assert len(raised) == 4
    assert first.step(reader, date(2026, 7, 10)) == []  # nothing moved
    assert first.sweep(date(2026, 7, 10)) == []  # swept again: the same keys, nothing stored
    assert follower(view, store).step(reader, date(2026, 7, 10)) == []  # a restarted follower
    view.truncate()  # the view rebuilt from zero (hazard projections rebuild)
    again = follower(view, store)
    assert again.step(reader, date(2026, 7, 10)) == [] and view.position() == reader.head()
    assert len(stored(store)) == 4
    # the Monday after: the pending request is due again, a week more overdue, the referral
    # past its due date; the reminder 7 days before the deadline stays the one of 8 July
    assert len(again.step(reader, date(2026, 7, 13))) == 3
    assert sorted((r["kind"], r["day"]) for r in store.listed(day=None) if r["day"] > date(2026, 7, 10)) == [
        ("extension_decision_due", date(2026, 7, 13)), ("overdue", date(2026, 7, 12)),
        ("referral_overdue", date(2026, 7, 13))]
    # deliveries: NATS and SMS for each; the township's webhook only for its township's
    with view.datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT channel, target, message_id FROM "{view.datastore.schema}".deliveries')
        rows = curs.fetchall()
    by_channel: dict[str, int] = {}
    for r in rows:
        by_channel[r["channel"]] = by_channel.get(r["channel"], 0) + 1
    assert by_channel == {"nats": 7, "sms": 7, "webhook": 3}  # soon, pending (twice) are 西店镇's
    assert {r["target"] for r in rows if r["channel"] == "webhook"} == {sub.subscription_id}


def test_texts_and_recipients_and_the_sms_outbox(county, parts) -> None:
    view, reader, store = parts
    follower(view, store).step(reader, date(2026, 7, 10))
    rows = {r["kind"]: r for r in store.listed()}
    soon = rows["deadline_soon"]
    assert "西店五金厂" in soon["text"] and "配电箱未接地" in soon["text"]
    assert county["soon"] not in soon["text"]
    assert (soon["recipient_role"], soon["recipient_unit"], soon["phone"]) == ("enterprise", county["a"], "13800000000")
    assert (rows["extension_decision_due"]["recipient_role"], rows["extension_decision_due"]["recipient_unit"]) == \
        ("township", "330226011")
    referral = rows["referral_due"]
    assert (referral["recipient_role"], referral["recipient_unit"], referral["township"], referral["sector"]) == \
        ("regulator", "trade", None, "trade")
    assert "长街纸箱厂" in referral["text"] and "消防通道堵塞" in referral["text"]
    # the SMS channel: one outbox row per reminder, even twice delivered
    deliverer = Deliverer(store, sms=OutboxGateway(view.datastore), webhooks=WebhookSender(networks(None)))
    assert asyncio.run(deliverer._sms()) == 4
    assert asyncio.run(deliverer._sms()) == 0
    outbox = {r["text"]: r for r in OutboxGateway(view.datastore).outbox()}
    assert len(outbox) == 4
    assert outbox[soon["text"]]["phone"] == "13800000000"
    assert outbox[referral["text"]]["phone"] is None and outbox[referral["text"]]["party_unit"] == "trade"
    # the published body carries no phone; the SMS one does
    with view.datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT channel, payload FROM "{view.datastore.schema}".deliveries '
                     'WHERE message_id = %s', (soon["reminder_id"],))
        bodies = {r["channel"]: orjson.loads(bytes(r["payload"])) for r in curs.fetchall()}
    assert "phone" not in bodies["nats"]["recipient"] and bodies["sms"]["recipient"]["phone"] == "13800000000"
    assert bodies["nats"]["kind_label"] == "整改期限临近" and bodies["nats"]["township_name"]


def test_self_report_missing_on_the_last_two_days_for_enterprises_without_the_month(county, parts) -> None:
    view, reader, store = parts
    follower(view, store).step(reader, date(2026, 6, 29))
    missing = [r for r in store.listed() if r["kind"] == "self_report_missing"]
    assert [(r["subject_id"], r["day"]) for r in missing] == [(county["b"], date(2026, 6, 29))]
    assert "长街纸箱厂" in missing[0]["text"] and "2026年6月" in missing[0]["text"]


def test_an_answered_referral_and_a_rectified_hazard_raise_nothing_more(ledger, county, parts) -> None:
    view, reader, store = parts
    REGULATOR = actor(Role.REGULATOR)
    ledger.sign_referral(REGULATOR, county["referral"], unit="trade", signed_on=date(2026, 6, 30))
    ledger.answer_referral(REGULATOR, county["referral"], unit="trade", answer="已责令整改",
                           answered_on=date(2026, 6, 30))
    ledger.report_rectification(OWNER, county["soon"], evidence=["整改照片"], cost="100",
                                rectified_on=date(2026, 6, 30))
    follower(view, store).step(reader, date(2026, 7, 10))
    assert {r["kind"] for r in store.listed()} == {"overdue", "extension_decision_due"}
