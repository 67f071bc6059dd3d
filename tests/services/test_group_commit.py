"""Group commit (issue 11 §3): commands that arrive while a commit is in flight are stored in one
transaction, each answered with its own position; a refused command refuses only itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from domain.actor import Role
from domain.hazard import Hazard
from domain.parties import Agency
from infra import idempotency
from infra.idempotency import IdempotencyStore, KeyedRequest, KeyTaken, answer_body, keyed
from services.errors import ConcurrentModification
from tests.conftest import actor, credit_code, stored_count

BUREAU = actor(Role.BUREAU)
ROOT = Path(__file__).resolve().parents[2]


def _request(key: str) -> KeyedRequest:
    return KeyedRequest(holder="holder-digest", key=key, request_hash=f"request-of-{key}",
                        success_status=lambda: 200)


def _hazard(ledger, enterprise_id: str) -> str:
    return ledger.report_hazard(actor(Role.TOWNSHIP), enterprise_id=enterprise_id, source="government_check",
                                category="unsafe_condition", description="配电箱未接地", level="general",
                                discovered_on=date(2026, 6, 1)).id


def _assigned(ledger, hazard_id: str, person: str) -> Hazard:
    hazard = ledger.load(Hazard, hazard_id)
    hazard.assign_responsibility(responsible_person=person, deadline=date(2026, 7, 1),
                                 assigned_on=date(2026, 6, 2), today=date(2026, 6, 30), actor=BUREAU)
    return hazard


def _regraded(ledger, hazard_id: str) -> Hazard:
    hazard = ledger.load(Hazard, hazard_id)
    hazard.regrade(level="major", reason="复核为重大隐患", actor=BUREAU)
    return hazard


class _Queued:
    """Writes started one at a time, each queued behind the held commit before the next starts."""

    def __init__(self, ledger) -> None:
        self.group, self.outcomes, self.threads = ledger.recorder.group, {}, []

    def start(self, name: str, write, *, waiting: int) -> None:
        def run() -> None:
            try:
                self.outcomes[name] = write()
            except Exception as refused:  # noqa: BLE001 - the outcome under test
                self.outcomes[name] = refused
        self.threads.append(threading.Thread(target=run, name=name))
        self.threads[-1].start()
        while self.group.waiting() != waiting and self.threads[-1].is_alive():
            time.sleep(0.001)

    def join(self) -> dict[str, object]:
        for t in self.threads:
            t.join()
        return self.outcomes


@pytest.mark.parametrize("insert", ["statement", "copy"])
def test_a_batch_stores_every_command_but_the_refused_ones(ledger, insert, monkeypatch):
    if insert == "copy":  # every batch inserted by COPY, as a large one is (infra.idempotency.COPY_FROM)
        monkeypatch.setattr(idempotency, "COPY_FROM", 1)
    enterprise_id = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="成组提交厂",
                                               township="330226011", sector="chem", scale="small_micro").id
    h1, h2, h3, h4 = (_hazard(ledger, enterprise_id) for _ in range(4))
    with keyed(_request("taken")):
        ledger.register_agency(BUREAU, credit_code=credit_code(), name="先用了键的机构")
    before = stored_count(ledger)
    stale_h1 = _regraded(ledger, h1)  # loaded before the first write below changes h1
    h4_first, h4_second = _regraded(ledger, h4), _assigned(ledger, h4, "赵六")  # both from version 1

    group, queued = ledger.recorder.group, _Queued(ledger)
    with group.gate:  # the first write leads and waits here; the others queue behind it
        queued.start("first", lambda: ledger.store(_assigned(ledger, h1, "甲")), waiting=0)
        while not group._leading or group.waiting():
            time.sleep(0.001)
        queued.start("stale", lambda: ledger.store(stale_h1), waiting=1)
        queued.start("h2", lambda: ledger.assign_responsibility(
            BUREAU, h2, responsible_person="乙", deadline=date(2026, 7, 1)), waiting=2)

        def keyed_h3():
            with keyed(_request("h3-key")):
                return ledger.assign_responsibility(BUREAU, h3, responsible_person="丙", deadline=date(2026, 7, 1))
        queued.start("h3 keyed", keyed_h3, waiting=3)

        def key_taken():
            with keyed(_request("taken")):
                return ledger.register_agency(BUREAU, credit_code=credit_code(), name="键已用过")
        queued.start("key taken", key_taken, waiting=4)
        queued.start("h4 first", lambda: ledger.store(h4_first), waiting=5)
        queued.start("h4 second", lambda: ledger.store(h4_second), waiting=6)
        queued.start("agency", lambda: ledger.register_agency(BUREAU, credit_code=credit_code(), name="新机构"),
                     waiting=7)
    outcomes = queued.join()

    assert list(group.batches)[-2:] == [1, 7]  # the seven queued behind the first: one transaction
    refused = {name: type(o) for name, o in outcomes.items() if isinstance(o, Exception)}
    assert refused == {"stale": ConcurrentModification, "key taken": KeyTaken,
                       "h4 second": ConcurrentModification}
    stored = {name: o for name, o in outcomes.items() if name not in refused}
    assert stored_count(ledger) == before + 5
    positions = [w.position for w in stored.values()]
    assert len(set(positions)) == 5
    notifications = {n.id: n for n in ledger.recorder.select_notifications(start=positions[0], limit=20)}
    for written in stored.values():  # each answered with the position of its own event
        assert str(notifications[written.position].originator_id) == written.id
    assert ledger.load(Hazard, h1).responsible_person == "甲" and ledger.load(Hazard, h1).level == "general"
    assert (ledger.load(Hazard, h4).level, ledger.load(Hazard, h4).version) == ("major", 2)
    answer = IdempotencyStore(ledger.recorder.datastore).answer("holder-digest", "h3-key")
    assert answer.body == answer_body(h3, stored["h3 keyed"].position)
    assert len([a for a in ledger.recorder.select_notifications(start=1, limit=100)
                if a.topic.endswith("Agency.Registered")]) == 2  # the taken key's agency was not stored


WRITER = """
import json, sys, threading
from datetime import date
from domain.actor import Actor, Role
from services.application import HazardLedger

env, enterprise_id = json.loads(sys.argv[1]), sys.argv[2]
app = HazardLedger(env, clock=lambda: date(2026, 6, 30))
who = Actor("township-1", Role.TOWNSHIP, "乡镇")
lock = threading.Lock()

def write():
    while True:
        written = app.report_hazard(who, enterprise_id=enterprise_id, source="government_check",
                                    category="unsafe_condition", description="配电箱未接地",
                                    level="general", discovered_on=date(2026, 6, 1))
        with lock:
            print(written.id, written.position, flush=True)

for _ in range(8):
    threading.Thread(target=write, daemon=True).start()
threading.Event().wait()
"""


def test_a_writer_killed_between_batches_loses_nothing_it_answered(ledger, store_env):
    enterprise_id = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="断电厂",
                                               township="330226011", sector="chem", scale="small_micro").id
    writer = subprocess.Popen([sys.executable, "-c", WRITER, json.dumps(store_env), enterprise_id],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    answered = []
    try:
        for line in writer.stdout:
            answered.append(line.split())
            if len(answered) == 300:
                break
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    answered += [line.split() for line in writer.stdout.read().splitlines()]
    assert len(answered) >= 300
    stored = {n.id: str(n.originator_id) for n in ledger.recorder.select_notifications(start=1, limit=100_000)}
    assert all(stored.get(int(position)) == ident for ident, position in answered)
    assert len(stored) >= len(answered) + 1  # the enterprise, every answered hazard, maybe more


@pytest.mark.parametrize("keyed_write", [False, True])
def test_a_lone_write_is_a_batch_of_one(ledger, keyed_write):
    group = ledger.recorder.group
    if keyed_write:
        with keyed(_request("alone")):
            written = ledger.register_agency(BUREAU, credit_code=credit_code(), name="独行机构")
    else:
        written = ledger.register_agency(BUREAU, credit_code=credit_code(), name="独行机构")
    assert group.batches[-1] == 1 and ledger.load(Agency, written.id).name == "独行机构"


@pytest.mark.parametrize("insert", ["statement", "copy"])
def test_creating_an_aggregate_whose_id_is_taken_is_refused_alone(ledger, insert, monkeypatch):
    """A write that creates an aggregate is not looked up before it is stored (its version 1 is
    taken only if the id is): the primary key refuses it, the batch is tried write by write, and
    only that write is refused, in the same batch as another creation of the id or later."""
    if insert == "copy":
        monkeypatch.setattr(idempotency, "COPY_FROM", 1)
    code = credit_code()
    first, again, later = (Agency.register(credit_code=code, name=name, actor=BUREAU)
                           for name in ("先登记的机构", "同一批又登记", "后来又登记"))
    group, queued = ledger.recorder.group, _Queued(ledger)
    with group.gate:
        queued.start("lead", lambda: ledger.register_agency(BUREAU, credit_code=credit_code(), name="领头机构"),
                     waiting=0)
        while not group._leading or group.waiting():
            time.sleep(0.001)
        queued.start("first", lambda: ledger.store(first), waiting=1)
        queued.start("again", lambda: ledger.store(again), waiting=2)
        queued.start("other", lambda: ledger.register_agency(BUREAU, credit_code=credit_code(), name="别的机构"),
                     waiting=3)
    outcomes = queued.join()
    assert list(group.batches)[-1] == 3
    assert {n: type(o) for n, o in outcomes.items() if isinstance(o, Exception)} == {"again": ConcurrentModification}
    with pytest.raises(ConcurrentModification):
        ledger.store(later)
    assert ledger.load(Agency, first.id).name == "先登记的机构" and stored_count(ledger) == 3


def test_positions_after_a_copy_are_the_stored_ones_even_if_the_sequence_skips(ledger, monkeypatch):
    """A COPY's notification ids are taken as the sequence's next numbers only when they are
    exactly that many; otherwise (here: a sequence counting by two) they are read back."""
    monkeypatch.setattr(idempotency, "COPY_FROM", 1)
    recorder = ledger.recorder
    first = ledger.register_agency(BUREAU, credit_code=credit_code(), name="计数机构")
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute("SELECT pg_get_serial_sequence(%s, 'notification_id') AS seq",
                     (f'"{recorder.datastore.schema}"."{recorder.events_table_name}"',))
        curs.execute(f"ALTER SEQUENCE {curs.fetchone()['seq']} INCREMENT BY 2")
    written = [ledger.register_agency(BUREAU, credit_code=credit_code(), name=f"跳号机构{n}") for n in range(3)]
    stored = {n.id: str(n.originator_id) for n in recorder.select_notifications(start=first.position, limit=10)}
    assert [stored[w.position] for w in written] == [w.id for w in written]
    assert [w.position - first.position for w in written] == [2, 4, 6]
