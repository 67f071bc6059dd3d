"""Write a new generation of the event corpus (docs/events.md): stored events of every type
as today's code writes them, through the real commands (`hazard simulate`, a small county-year)
on a fresh schema, then the complete histories of a few aggregates per event type, as rows
exactly as the store holds them (topic, originator, version, state bytes as UTF-8 JSON text).

    DATABASE_URL=postgresql://… .venv/bin/python -m tests.corpus.make_corpus GENERATION

GENERATION names a new directory under tests/corpus/ (e.g. 2026-12-01); an existing one is
refused: corpus files are never changed, only added. The new generation holds only the event
types (at their current version) that no earlier generation holds; `scenario.py` writes those
`hazard simulate` does not. `--old SOURCE` writes the hand-made old-version directories of OLD
not written yet: the rows of generation SOURCE with the fields a version lacked removed.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

import orjson
import psycopg
from psycopg import sql

from infra.postgres import event_store_env
from services.application import HazardLedger
from services.simulate import simulate
from tests.corpus import scenario

HERE = Path(__file__).parent
PER_TYPE = 1  # aggregates kept per event type (their whole histories)
REFERENCES = ("enterprise_id", "agency_id", "inspection_id", "hazard_id")
# old versions written by `--old`: directory → {topic: the fields that version lacked};
# NOT_THEN: event types that did not exist then, left out of that directory's histories
NOT_THEN = {"v1-before-issue-10": ("domain.contracts:ServiceContract.Countersigned",)}
OLD = {
    "v1-before-issue-13": {"domain.hazard:Hazard.Reported": ("criterion", "migrated", "class_version")},
    "v1-before-issue-14": {"domain.referral:Referral.Referred": ("meeting", "class_version")},
    "v1-before-issue-13-regraded": {"domain.hazard:Hazard.Regraded": ("criterion", "class_version")},
    "v1-before-issue-10": {"domain.contracts:ServiceContract.Signed": ("proposed_by", "migrated",
                                                                      "class_version")},
}


def rows_of(url: str, schema: str) -> list[dict]:
    with psycopg.connect(url) as conn:
        found = conn.execute(sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} "
            "ORDER BY notification_id").format(sql.Identifier(schema, "hazardledger_events")))
        return [{"originator_id": str(i), "originator_version": v, "topic": t,
                 "state": bytes(s).decode()} for i, v, t, s in found]


def shape(row: dict) -> tuple[str, int]:
    return row["topic"], orjson.loads(row["state"]).get("class_version", 1)


def held() -> set[tuple[str, int]]:
    """The event types and versions the corpus holds already."""
    return {shape(r) for path in HERE.glob("*/*.json") for r in json.loads(path.read_text())}


def chosen(rows: list[dict], already: set[tuple[str, int]]) -> list[dict]:
    """Whole histories of the first PER_TYPE aggregates of each event type not `already`
    held, and of the aggregates they name (enterprise, agency, inspection)."""
    by_topic: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if shape(r) in already:
            continue
        ids = by_topic[r["topic"]]
        if r["originator_id"] not in ids and len(ids) < PER_TYPE:
            ids.append(r["originator_id"])
    keep = {i for ids in by_topic.values() for i in ids}
    for r in [r for r in rows if r["originator_id"] in keep]:
        state = orjson.loads(r["state"])
        keep.update(str(state[k]) for k in REFERENCES if state.get(k))
    return [r for r in rows if r["originator_id"] in keep]


def write(directory: Path, rows: list[dict]) -> None:
    directory.mkdir(parents=True)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_type[r["topic"].split(":")[1]].append(r)
    for name, group in sorted(by_type.items()):
        (directory / f"{name}.json").write_text(
            json.dumps(group, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def old_versions(today: Path) -> None:
    for name, lacking in OLD.items():
        if (HERE / name).exists():
            continue  # written once, never again
        rows = [r for path in sorted(today.glob("*.json")) for r in json.loads(path.read_text())]
        keep = {r["originator_id"] for r in rows if r["topic"] in lacking}
        out = []
        for r in (r for r in rows if r["originator_id"] in keep
                  and r["topic"] not in NOT_THEN.get(name, ())):
            state = orjson.loads(r["state"])
            for field in lacking.get(r["topic"], ()):
                state.pop(field, None)
            out.append({**r, "state": orjson.dumps(state).decode()})
        write(HERE / name, out)


def main(generation: str) -> None:
    if generation == "--old":
        return old_versions(HERE / sys.argv[2])
    if (HERE / generation).exists():
        sys.exit(f"{HERE / generation} exists: corpus files are never changed, only added")
    url, schema = os.environ["DATABASE_URL"], f"corpus_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        app = HazardLedger(event_store_env(url, schema=schema, pool_size=2),
                           clock=lambda: date(2025, 12, 31))
        simulate(app, seed=7, scale=0.01)
        scenario.run(app)
        app.close()
        new = chosen(rows_of(url, schema), held())
        if not new:
            sys.exit("the corpus holds every event type at its version already: nothing to add")
        write(HERE / generation, new)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main(sys.argv[1])
