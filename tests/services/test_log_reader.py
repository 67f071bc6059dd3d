"""The one reader of the notification log (infra/log_reader.py), against a real store:
pages in position order, after/stop/limit, a bad event reported not raised, names, head."""

from __future__ import annotations

import psycopg
import pytest

from domain.hazard import Hazard
from infra.log_reader import LogReader, names_of, names_of_topic
from tests.conftest import actor, credit_code

BUREAU = actor("bureau")


@pytest.fixture
def stored(ledger) -> int:
    """Seven agencies registered: positions 1..7 (each registration one event)."""
    for n in range(7):
        ledger.register_agency(BUREAU, credit_code=credit_code(), name=f"机构{n}")
    return 7


@pytest.fixture
def reader(store_env):
    reader = LogReader.open(store_env)  # its own read-side application, as a follower has
    yield reader
    reader.close()


def _sql(database_url: str, schema: str, statement: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement.replace("EVENTS", f'"{schema}".hazardledger_events'))


def test_an_empty_log_has_head_zero_and_no_pages(reader):
    assert reader.head() == 0
    assert reader.page(0) == [] and list(reader.pages()) == []


def test_pages_come_in_position_order_decoded_and_named(stored, reader, ledger):
    assert reader.head() == stored
    pages = list(reader.pages(limit=3))
    assert [[e.position for e in page] for page in pages] == [[1, 2, 3], [4, 5, 6], [7]]
    first = pages[0][0]
    assert (first.aggregate, first.name, first.kind, first.error) == ("Agency", "Registered", "Agency.Registered", None)
    assert first.event.name == "机构0" and first.event.originator_version == 1
    assert first.notification.id == 1 and first.notification.topic.endswith(":Agency.Registered")
    # the command side's own application reads the same log the same way
    assert [e.kind for e in LogReader(ledger).page(0)] == [e.kind for page in pages for e in page]


def test_after_stop_and_limit_bound_a_read(stored, reader):
    assert [e.position for e in reader.page(2, limit=3)] == [3, 4, 5]
    assert [e.position for e in reader.page(2, stop=4)] == [3, 4]
    assert [e.position for e in reader.page(stored)] == []
    assert [[e.position for e in p] for p in reader.pages(after=4, limit=2, stop=6)] == [[5, 6]]
    assert [n.id for n in reader.notifications(5)] == [6, 7]


def test_a_gap_in_positions_is_read_past(stored, ledger, reader, database_url, schema):
    _sql(database_url, schema, "SELECT nextval(pg_get_serial_sequence('EVENTS', 'notification_id'))")
    ledger.register_agency(BUREAU, credit_code=credit_code(), name="缺位之后")
    assert [e.position for e in reader.page(stored)] == [stored + 2]
    assert reader.head() == stored + 2


def test_an_undecodable_event_is_reported_in_its_place_not_raised(stored, reader, ledger, database_url, schema):
    _sql(database_url, schema, "UPDATE EVENTS SET topic = 'domain.gone:Gone.Happened' WHERE notification_id = 3")
    _sql(database_url, schema, "UPDATE EVENTS SET state = convert_to('{not json', 'UTF8') WHERE notification_id = 5")
    ledger.register_agency(BUREAU, credit_code=credit_code(), name="之后")
    page = reader.page(0)
    assert [e.position for e in page] == list(range(1, stored + 2))  # nothing skipped, nothing stops
    gone, broken = page[2], page[4]
    assert (gone.aggregate, gone.name, gone.event) == ("Gone", "Happened", None)
    assert gone.error is not None and broken.error is not None and broken.event is None
    assert broken.kind == "Agency.Registered"  # still named from its stored topic
    assert all(e.error is None for i, e in enumerate(page) if i not in (2, 4))
    assert page[-1].event.name == "之后"


class Outer:
    class Tank:
        class Leaked:
            pass


class Flat:
    pass


def test_names_of_an_event_class_and_of_its_stored_topic():
    assert names_of(Hazard.Reported) == ("Hazard", "Reported")
    assert names_of(Outer.Tank.Leaked) == ("Tank", "Leaked")  # the class that holds the event
    assert names_of(Flat) == ("Flat", "Flat")
    assert names_of_topic("domain.hazard:Hazard.Reported") == ("Hazard", "Reported")
    assert names_of_topic("tests.x:Outer.Tank.Leaked") == ("Tank", "Leaked")
    assert names_of_topic("tests.x:Flat") == ("Flat", "Flat")


def test_every_stored_topic_names_what_its_class_names(stored, reader, ledger):
    enterprise = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="甲", township="330226001",
                                            sector="chem", scale="small_micro").id
    ledger.report_hazard(BUREAU, enterprise_id=enterprise, source="government_check", category="unsafe_act",
                         description="未戴安全帽", level="general", discovered_on=ledger.today())
    for e in reader.page(0):
        assert names_of_topic(e.notification.topic) == names_of(type(e.event)) == (e.aggregate, e.name)
        assert e.kind == type(e.event).__qualname__
