"""Events that last (issue 16 §5, docs/events.md): the corpus of stored events replays forever.

`tests/corpus/<generation>/` holds stored rows exactly as the store held them when written
(`make_corpus.py`); a generation is never changed, new ones are added. Each generation is
inserted into a fresh store; every aggregate loads and the views build from it. Every event
class's current version must be in the corpus with exactly its fields, so changing an event's
fields without bumping its `class_version` (and adding an upcaster and a corpus file) fails here.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

import orjson
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic
from psycopg import sql

from projections.operations import catch_up
from services.application import HazardLedger
from tests.conftest import TODAY, one_at_a_time
from tests.projections.test_field_labels import _event_classes

CORPUS = Path(__file__).parent / "corpus"
GENERATIONS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("__"))
ENVELOPE = {"originator_id", "originator_version"}
# event types no corpus file holds yet (neither `hazard simulate` nor tests/corpus/scenario.py
# writes them): none today; take one off this list with its file, never add to it
NOT_YET: set[str] = set()


def rows(generation: str) -> list[dict]:
    """A generation's rows in the order they were written (their record times)."""
    found = [r for path in sorted((CORPUS / generation).glob("*.json"))
             for r in json.loads(path.read_text(encoding="utf-8"))]
    return sorted(found, key=lambda r: (orjson.loads(r["state"])["timestamp"]["_data_"],
                                        r["originator_version"]))


def event_classes() -> dict[str, type]:
    """Every stored event class of `domain/` (the library's `Event` and `Created` bases are never
    stored), by `Aggregate.Event`."""
    return {f"{a.__name__}.{n}": e for a, n, e in _event_classes() if n not in ("Event", "Created")}


def stored_fields(event: type) -> set[str]:
    """The keys the library stores for an event of this class, as its version writes them."""
    version = getattr(event, "class_version", 1)
    return {f.name for f in dataclasses.fields(event)} - ENVELOPE | ({"class_version"} if version > 1 else set())


def test_every_event_class_at_its_version_is_in_the_corpus_with_exactly_its_fields():
    held: dict[tuple[str, int], set[frozenset]] = {}
    for generation in GENERATIONS:
        for r in rows(generation):
            state = orjson.loads(r["state"])
            key = (r["topic"].split(":")[1], state.get("class_version", 1))
            held.setdefault(key, set()).add(frozenset(state))
    classes = event_classes()
    missing = sorted(n for n, e in classes.items()
                     if (n, getattr(e, "class_version", 1)) not in held and n not in NOT_YET)
    assert missing == []
    assert sorted(n for n in NOT_YET if n not in classes or
                  (n, getattr(classes[n], "class_version", 1)) in held) == []  # keep NOT_YET true
    changed = sorted(n for n, e in classes.items() for shape in held.get((n, getattr(e, "class_version", 1)), ())
                     if shape != stored_fields(e))
    assert changed == []  # fields changed without bumping class_version: docs/events.md


@pytest.fixture
def fresh(database_url: str, schema: str, store_env: dict[str, str]):
    def insert(generation: str) -> tuple[HazardLedger, list[dict]]:
        corpus = rows(generation)
        app = HazardLedger(store_env, clock=lambda: TODAY)
        app.recorder.insert_events([StoredEvent(
            originator_id=uuid.UUID(r["originator_id"]), originator_version=r["originator_version"],
            topic=r["topic"], state=r["state"].encode()) for r in corpus])
        opened.append(app)
        return app, corpus
    opened: list[HazardLedger] = []
    yield insert
    for app in opened:
        app.close()


@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_generation_replays_into_every_aggregate_and_the_views(fresh, store_env, database_url, schema,
                                                                 generation):
    app, corpus = fresh(generation)
    histories: dict[str, tuple[str, int]] = {}
    for r in corpus:
        histories[r["originator_id"]] = (r["topic"], max(r["originator_version"],
                                                         histories.get(r["originator_id"], ("", 0))[1]))
    for ident, (topic, version) in histories.items():
        aggregate_class = resolve_topic(topic.rsplit(".", 1)[0])  # module:Aggregate
        loaded = app.repository.get(uuid.UUID(ident))
        assert type(loaded) is aggregate_class and loaded.version == version
    positions = catch_up(one_at_a_time(store_env))
    assert set(positions.values()) == {len(corpus)}
    hazards = {i for i, (t, _) in histories.items() if t.startswith("domain.hazard:")}
    with psycopg.connect(database_url) as conn:
        ledger_rows = conn.execute(sql.SQL("SELECT hazard_id, criterion FROM {}").format(
            sql.Identifier(schema, "ledger_hazards"))).fetchall()
    assert {r[0] for r in ledger_rows} == hazards


def first(corpus: list[dict], topic: str) -> tuple[str, dict]:
    """The first row of `topic`: its aggregate's id and its stored state (the old version's:
    no class_version, so version 1)."""
    row = next(r for r in corpus if r["topic"] == topic)
    state = orjson.loads(row["state"])
    assert "class_version" not in state
    return row["originator_id"], state


def views(store_env: dict[str, str], database_url: str, schema: str, query: str) -> list[tuple]:
    catch_up(one_at_a_time(store_env))
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql.SQL(query).format(schema=sql.Identifier(schema))).fetchall()


def test_a_hazard_reported_before_criteria_and_imports_cites_none_and_is_not_migrated(
        fresh, store_env, database_url, schema):
    app, corpus = fresh("v1-before-issue-13")
    ident, state = first(corpus, "domain.hazard:Hazard.Reported")
    assert "criterion" not in state and "migrated" not in state
    hazard = app.repository.get(uuid.UUID(ident))
    assert (hazard.criterion, hazard.migrated) == (None, False)
    event = app.mapper.to_domain_event(app.recorder.select_events(hazard.id, lte=1)[0])
    assert (event.criterion, event.migrated) == (None, False)
    assert views(store_env, database_url, schema,
                 f"SELECT criterion FROM {{schema}}.ledger_hazards WHERE hazard_id = '{ident}'") == [(None,)]


def test_a_regrading_from_before_criteria_cites_none(fresh, store_env, database_url, schema):
    app, corpus = fresh("v1-before-issue-13-regraded")
    regraded = next(r for r in corpus if r["topic"] == "domain.hazard:Hazard.Regraded")
    assert "criterion" not in orjson.loads(regraded["state"])
    ident = regraded["originator_id"]
    hazard = app.repository.get(uuid.UUID(ident))
    assert (hazard.level, hazard.criterion) == ("major", None)
    assert views(store_env, database_url, schema, "SELECT level, criterion FROM {schema}.ledger_hazards "
                 f"WHERE hazard_id = '{ident}'") == [("major", None)]


def test_a_referral_from_before_joint_meetings_is_no_meeting_s_decision(
        fresh, store_env, database_url, schema):
    app, corpus = fresh("v1-before-issue-14")
    ident, state = first(corpus, "domain.referral:Referral.Referred")
    assert "meeting" not in state
    assert app.repository.get(uuid.UUID(ident)).meeting is None
    assert views(store_env, database_url, schema,
                 f"SELECT meeting FROM {{schema}}.activity_referrals WHERE referral_id = '{ident}'") \
        == [(None,)]


def test_a_contract_signed_before_countersigning_reads_as_a_late_proposal(fresh):
    app, corpus = fresh("v1-before-issue-10")
    ident, state = first(corpus, "domain.contracts:ServiceContract.Signed")
    assert "proposed_by" not in state and "migrated" not in state
    contract = app.repository.get(uuid.UUID(ident))
    assert contract.migrated is True and contract.proposed_by in ("agency", "enterprise")
