"""Erasure that keeps the proof (issue 16 §6) on real PostgreSQL: personal data sealed under a
key per person; erasing a person destroys the key — the stored events keep their bytes, the
audit chain holds, every read and every view shows 已删除, other persons are untouched, and the
erasure is itself an event."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from psycopg import sql

from domain.hazard import Hazard
from domain.parties import Agency
from domain.privacy import ERASED, Erasure, erasure_id
from services.application import HazardLedger
from services.errors import NotFound
from services.privacy import refresh_views
from tests.conftest import TODAY, actor, credit_code, stored_count

BUREAU = actor("bureau", "县应急管理局 王科长")
OWNER = actor("enterprise", "企业安全员 赵六")


def _stored(database_url: str, schema: str) -> dict[int, bytes]:
    with psycopg.connect(database_url) as conn:
        return {r[0]: bytes(r[1]) for r in conn.execute(sql.SQL(
            "SELECT notification_id, state FROM {}.hazardledger_events").format(sql.Identifier(schema)))}


def _views_text(database_url: str, schema: str) -> str:
    """Every row of every view table, as text."""
    skip = {"hazardledger_events", "person_keys", "person_secret"}
    out = []
    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))]
        for table in tables:
            if table not in skip:
                out += [r[0] for r in conn.execute(sql.SQL("SELECT t::text FROM {}.{} t").format(
                    sql.Identifier(schema), sql.Identifier(table)))]
    return "\n".join(out)


@pytest.fixture
def two_persons(ledger):
    enterprise = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="删除测试厂",
                                            township="330226001", sector="trade", scale="individual").id

    def hazard(person: str, phone: str) -> str:
        h = ledger.report_hazard(OWNER, enterprise_id=enterprise, source="self_check", category="unsafe_condition",
                                 description="配电箱无防护门", level="general", discovered_on=date(2026, 6, 1)).id
        ledger.assign_responsibility(OWNER, h, responsible_person=person, responsible_phone=phone,
                                     deadline=date(2026, 7, 1))
        return h

    return hazard("张三", "13800001111"), hazard("李四", "13900002222")


def test_names_and_phones_are_sealed_in_the_table_and_open_to_the_service(ledger, two_persons, database_url, schema):
    first, second = two_persons
    states = _stored(database_url, schema)
    for secret in ("张三", "13800001111", "李四", "企业安全员 赵六", "县应急管理局 王科长"):
        assert not any(secret.encode() in s for s in states.values()), secret
    assert any(b'"_type_":"sealed"' in s for s in states.values())
    h = ledger.load(Hazard, first)
    assert (h.responsible_person, h.responsible_phone) == ("张三", "13800001111")
    assert ledger.load(Hazard, second).responsible_person == "李四"
    found = ledger.find_persons(" 张三 ")
    assert [(p["kind"], p["hint"]) for p in found] == [("responsible", "1111")]
    assert ledger.find_persons("王五") == []


def test_erasing_a_person_keeps_the_events_and_the_chain_and_shows_erased_everywhere(
        ledger, two_persons, database_url, schema, store_env):
    first, second = two_persons
    refresh_views(store_env)
    assert "张三" in _views_text(database_url, schema)
    chain = ledger.audit_chain()
    chain.extend_all()
    before = _stored(database_url, schema)
    person = ledger.find_persons("张三")[0]["person_id"]

    written = ledger.erase_person(BUREAU, person, reason="本人申请删除（个人信息保护法第四十七条）")

    after = _stored(database_url, schema)
    assert {k: after[k] for k in before} == before  # not one stored byte changed
    assert set(after) - set(before) == {written.position}  # the erasure: one new event
    chain.extend_all()
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == len(after)
    h = ledger.load(Hazard, first)
    assert (h.responsible_person, h.responsible_phone) == (ERASED, ERASED)
    assert ledger.load(Hazard, second).responsible_person == "李四"  # another person: untouched
    fresh = HazardLedger(store_env, clock=lambda: TODAY)  # another process: the key is gone for it too
    try:
        assert fresh.load(Hazard, first).responsible_person == ERASED
        assert fresh.load(Hazard, second).responsible_phone == "13900002222"
    finally:
        fresh.close()
    erasure = ledger.load(Erasure, erasure_id(person))
    assert (erasure.person_id, erasure.kind, erasure.erased_on) == (person, "responsible", TODAY)
    assert ledger.find_persons("张三") == []  # the lookups are gone with the key

    refresh_views(store_env)
    views = _views_text(database_url, schema)
    assert "张三" not in views and "13800001111" not in views and ERASED in views
    assert "李四" in views


def test_erasing_again_records_nothing_and_an_unknown_person_is_not_found(ledger, two_persons):
    person = ledger.find_persons("张三")[0]["person_id"]
    first = ledger.erase_person(BUREAU, person, reason="本人申请")
    count = stored_count(ledger)
    again = ledger.erase_person(actor("admin"), person, reason="重复申请")
    assert again.id == first.id and stored_count(ledger) == count
    assert ledger.load(Erasure, erasure_id(person)).reason == "本人申请"
    with pytest.raises(NotFound):
        ledger.erase_person(BUREAU, "00000000-0000-4000-8000-000000000000", reason="本人申请")
    with pytest.raises(NotFound):
        ledger.erase_person(BUREAU, "not-a-uuid", reason="本人申请")


def test_a_refused_erasure_stores_nothing_and_keeps_the_key(ledger, two_persons):
    first, _ = two_persons
    person = ledger.find_persons("张三")[0]["person_id"]
    count = stored_count(ledger)
    with pytest.raises(Exception) as info:
        ledger.erase_person(actor("township"), person, reason="本人申请")
    assert info.value.rule == "erasure-by-bureau"
    with pytest.raises(Exception) as info:
        ledger.erase_person(BUREAU, person, reason="  ")
    assert info.value.field == "reason"
    assert stored_count(ledger) == count and ledger.load(Hazard, first).responsible_person == "张三"


def test_the_same_name_named_again_after_erasure_is_a_new_person(ledger, two_persons):
    first, _ = two_persons
    person = ledger.find_persons("张三")[0]["person_id"]
    ledger.erase_person(BUREAU, person, reason="本人申请")
    ledger.assign_responsibility(OWNER, first, responsible_person="张三", responsible_phone="13800001111",
                                 deadline=date(2026, 7, 1))
    assert ledger.load(Hazard, first).responsible_person == "张三"
    assert [p["person_id"] for p in ledger.find_persons("张三")] != [person]


def test_experts_and_token_holders_are_persons_too(ledger, database_url, schema):
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="某安全咨询公司").id
    ledger.add_expert(BUREAU, agency, name="钱七", certificate_no="ZJ-2026-7")
    assert "钱七" in [e["name"] for e in ledger.load(Agency, agency).experts.values()]
    expert = ledger.find_persons("钱七")[0]
    holder = ledger.find_persons("县应急管理局 王科长")[0]
    assert (expert["kind"], holder["kind"]) == ("expert", "actor")
    ledger.erase_person(BUREAU, expert["person_id"], reason="专家本人申请")
    ledger.erase_person(BUREAU, holder["person_id"], reason="离职人员申请")
    a = ledger.load(Agency, agency)
    assert [(e["name"], e["certificate_no"]) for e in a.experts.values()] == [(ERASED, ERASED)]
    assert {e.actor["name"] for e in ledger.history_of(Agency, agency)} == {ERASED}
    assert not any("钱七".encode() in s for s in _stored(database_url, schema).values())


def test_experts_sent_to_a_mutual_help_group_are_sealed_and_erased(ledger, database_url, schema):
    from domain.groups import MutualHelpGroup

    enterprise = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="互助测试厂",
                                            township="330226001", sector="trade", scale="individual").id
    group = ledger.form_group(actor("township"), name="测试互助组", township="330226001", sector="trade",
                              founded_on=date(2026, 3, 1)).id
    ledger.add_group_member(actor("township"), "group", group, enterprise_id=enterprise, joined_on=date(2026, 3, 10))
    ledger.add_group_expert(BUREAU, "group", group, enterprise_id=enterprise, name="周八", certificate_no="HZ-8")
    assert not any("周八".encode() in s or b"HZ-8" in s for s in _stored(database_url, schema).values())
    [person] = ledger.find_persons("周八")
    assert person["kind"] == "expert"
    ledger.erase_person(BUREAU, person["person_id"], reason="本人申请")
    experts = ledger.load(MutualHelpGroup, group).experts
    assert [(e["name"], e["certificate_no"]) for e in experts.values()] == [(ERASED, ERASED)]


def test_another_process_drops_the_opened_names_once_it_counts_the_erasure(ledger, two_persons, store_env):
    """An API replica holding the hazard in its aggregate cache: after the console erased the
    person, its next check (every 30 s; here: the time taken as passed) empties its caches."""
    first, second = two_persons
    replica = HazardLedger(store_env, clock=lambda: TODAY)
    try:
        assert replica.load(Hazard, first).responsible_person == "张三"  # cached, opened
        ledger.erase_person(BUREAU, ledger.find_persons("张三")[0]["person_id"], reason="本人申请")
        replica.mapper.keys._next_count = 0.0  # 30 s later
        assert replica.load(Hazard, first).responsible_person == ERASED
        assert replica.load(Hazard, second).responsible_person == "李四"
    finally:
        replica.close()


def test_copies_outside_the_events_are_redacted_too(ledger, two_persons, database_url, schema):
    """The SMS outbox and the deliveries' payloads keep what was sent: the erased person's name
    and phone are replaced there by 已删除; another person's stay."""
    from infra.reminders import ReminderStore
    from infra.sms import OutboxGateway

    datastore = ledger.recorder.datastore
    ReminderStore(datastore).create_tables()
    outbox = OutboxGateway(datastore)
    outbox.send("13800001111", "整改期限临近（责任人：张三）", reference="r1", party=("enterprise", None))
    outbox.send("13900002222", "整改期限临近（责任人：李四）", reference="r2", party=("enterprise", None))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("INSERT INTO {}.deliveries (message_id, channel, topic, payload) VALUES "
                             "('m1', 'webhook', 'event', %s)").format(sql.Identifier(schema)),
                     ('{"responsible_person": "张三", "responsible_phone": "13800001111"}'.encode(),))
        conn.execute(sql.SQL("INSERT INTO {}.deliveries (message_id, channel, topic, payload) VALUES "
                             "('m2', 'sms', 'reminder', %s)").format(sql.Identifier(schema)),
                     (b"\xff" + "张三".encode(),))  # not UTF-8: left as it is, the erasure goes on
    ledger.erase_person(BUREAU, ledger.find_persons("张三")[0]["person_id"], reason="本人申请")
    rows = {r["reference"]: (r["phone"], r["text"]) for r in outbox.outbox()}
    assert rows == {"r1": (ERASED, f"整改期限临近（责任人：{ERASED}）"), "r2": ("13900002222", "整改期限临近（责任人：李四）")}
    with psycopg.connect(database_url) as conn:
        [payload] = [bytes(r[0]).decode() for r in conn.execute(
            sql.SQL("SELECT payload FROM {}.deliveries WHERE message_id = 'm1'").format(sql.Identifier(schema)))]
    assert "张三" not in payload and "13800001111" not in payload and ERASED in payload


def test_names_in_plain_legacy_events_are_counted_not_shredded(ledger, two_persons, database_url, schema):
    """An event stored before sealing (plain names, as the corpus holds them) still reads as
    stored; `legacy_mentions` counts it so the operator knows the key cannot erase it."""
    assert ledger.legacy_mentions("张三") == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("INSERT INTO {}.hazardledger_events (originator_id, originator_version, topic, state)"
                             " VALUES (gen_random_uuid(), 1, 'domain.hazard:Hazard.ResponsibilityAssigned', %s)")
                     .format(sql.Identifier(schema)), ('{"responsible_person":"张三","responsible_phone":""}'.encode(),))
    assert ledger.legacy_mentions(" 张三 ") == 1 and ledger.legacy_mentions("李四") == 0


def test_persons_made_in_one_batch_are_those_each_write_seals_under(ledger):
    """`persons_for` (a block of an imported ledger): the new persons' keys in one transaction,
    the ones another process finds; a person known before keeps its id; the phone's hint kept."""
    from infra.personal import PersonKeys

    keys = ledger.mapper.keys
    known = keys.person_for("responsible", ("批量之前", ""), "批量之前")
    wanted = [("responsible", (f"批量{i}", f"1380000{i:04d}"), f"批量{i}", f"1380000{i:04d}") for i in range(60)]
    keys.persons_for([*wanted, ("responsible", ("批量之前", ""), "批量之前", "")])
    other = PersonKeys(ledger.recorder.datastore)  # another process's cache: empty
    made = {parts: keys.person_for(kind, parts, name, phone) for kind, parts, name, phone in wanted}
    assert {parts: other.person_for(kind, parts, name, phone) for kind, parts, name, phone in wanted} == made
    assert len({person_id for person_id, _ in made.values()}) == 60
    assert keys.person_for("responsible", ("批量之前", ""), "批量之前") == known
    assert other.person(made[("批量7", "13800000007")][0])["hint"] == "0007"


def test_two_writers_making_the_same_new_persons_at_once_agree_and_do_not_deadlock(ledger):
    from concurrent.futures import ThreadPoolExecutor

    from infra.personal import PersonKeys

    wanted = [("responsible", (f"并发{i}", ""), f"并发{i}", "") for i in range(300)]
    writers = [PersonKeys(ledger.recorder.datastore) for _ in range(2)]
    orders = [wanted, wanted[::-1]]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda w: w[0].persons_for(w[1]), zip(writers, orders, strict=True)))
    first, second = ({p: w.person_for(k, p, n, ph) for k, p, n, ph in wanted} for w in writers)
    assert first == second
