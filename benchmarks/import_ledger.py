"""Import of an old ledger (issue 16 §1) beside raw COPY of the same rows, in one run.

    .venv/bin/python benchmarks/import_ledger.py [--rows 20000] [--enterprises 500] [--keep] [--in-process]

Uses the store the `hazard` command uses (DATABASE_URL, else the embedded PostgreSQL under
HAZARD_DATA_DIR) in a fresh schema `bench_import_<pid>` (dropped afterwards unless --keep).
Writes a CSV ledger of `--rows` rows (a third closed, a third rectified, general and major
mixed), then prints:
- the import through the application (`services.importer.run.import_ledger`: read, check every
  row, decide each history in the domain, store keyed writes through the group commit) in
  rows/s and events/s, and the store phase alone;
- the fair ceiling: raw `COPY` (binary, psycopg `cursor.copy` with `set_types`) of the very event
  rows the import stored (same columns, same payload bytes) into a plain table of the events
  table's shape, three times (the median counts: one trial moves by a third on a shared
  machine), and the ratio import events/s ÷ COPY events/s (the issue's target: ≥ 0.2; the
  issue estimates ~30,000 events/s);
- the old ceiling: raw `COPY` of the ledger's rows (every column as text) into a plain table, and
  the ratio import rows/s ÷ COPY rows/s. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from domain.credit_code import make  # noqa: E402
from infra.postgres import Database  # noqa: E402
from infra.reference import ReferenceData  # noqa: E402
from infra.settings import Settings  # noqa: E402
from services.application import HazardLedger  # noqa: E402
from services.importer import deciding, run as importer  # noqa: E402
from services.importer.columns import COLUMNS  # noqa: E402

CEILING_TRIALS = 3

HEADER = [zh for zh, _ in COLUMNS.values()]  # the Chinese header of each column


SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def person(i: int, persons: int) -> str:
    """The i-th row's 责任人: one of `persons` distinct names (张三 when there is one)."""
    k = i % persons
    return "张三" if persons == 1 else SURNAMES[k % 20] + GIVEN[k // 20 % 20] + GIVEN[k // 400 % 20] + (str(k // 8000) if k >= 8000 else "")


def ledger_rows(n: int, enterprises: int, reference: ReferenceData, persons: int = 1) -> list[list[str]]:
    rnd = random.Random(16)
    towns, sectors = list(reference.townships.values()), list(reference.sectors.values())
    firms = [(make(f"91330226MB{i:07d}"), f"宁海测试企业{i}", rnd.choice(towns), rnd.choice(sectors))
             for i in range(enterprises)]
    rows = []
    for i in range(n):
        code, name, town, sector = firms[i % enterprises]
        found = date(2023, 1, 1) + timedelta(days=rnd.randrange(900))
        major = i % 10 == 0
        stage = i % 3  # 0 closed, 1 rectified, 2 assigned
        rectified = found + timedelta(days=10) if stage < 2 else None
        closed = found + timedelta(days=20) if stage == 0 else None
        rows.append([code, name, town, sector, found.isoformat(), f"第{i}项隐患：设备防护缺失",
                     "重大" if major else "一般", "物的不安全状态", person(i, persons), (found + timedelta(days=30)).isoformat(),
                     rectified.isoformat() if rectified else "", "800" if rectified else "",
                     (found + timedelta(days=15)).isoformat() if closed else "",
                     closed.isoformat() if closed else "", f"宁应急销〔2025〕{i}号" if closed and major else ""])
    return rows


def copy_rows(conninfo: str, schema: str, rows: list[list[str]]) -> float:
    """The old ceiling: the ledger's rows (15 text columns) into a plain table."""
    cols = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(len(HEADER)))
    table = sql.Identifier(schema, "raw_ledger")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(
            table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f"c{i}")) for i in range(len(HEADER)))))
        start = time.perf_counter()
        with conn.transaction(), conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, cols)) as copy:
            for row in rows:
                copy.write_row(row)
        return time.perf_counter() - start


def copy_events(conninfo: str, schema: str, events_table: str, n: int = 0) -> tuple[int, float]:
    """The fair ceiling: the event rows the import stored (same columns, same payload bytes),
    read back, then COPY (binary, psycopg `cursor.copy` with `set_types`) into a plain table of
    the events table's shape (primary key, bigserial notification id and its unique index),
    in one transaction, into table `raw_events_<n>`. Returns (events, seconds of the COPY)."""
    table = sql.Identifier(schema, f"raw_events_{n}")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        stored = conn.execute(sql.SQL("SELECT originator_id, originator_version, topic, state FROM {}"
                                      " ORDER BY notification_id").format(sql.Identifier(schema, events_table))
                              ).fetchall()
        conn.execute(sql.SQL("CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
                             " topic text, state bytea, notification_id bigserial,"
                             " PRIMARY KEY (originator_id, originator_version))").format(table))
        conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(table))
        start = time.perf_counter()
        with conn.transaction(), conn.cursor().copy(sql.SQL(
                "COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)").format(
                table)) as copy:
            copy.set_types(["uuid", "int8", "text", "bytea"])
            for row in stored:
                copy.write_row(row)
        return len(stored), time.perf_counter() - start


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--persons", type=int, default=1,
                        help="distinct 责任人 in the ledger (each seen first gets a person key: infra/personal.py)")
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    parser.add_argument("--in-process", action="store_true",
                        help="decide and encode in the importing process (no forked deciders), to compare")
    args = parser.parse_args()
    if args.in_process:
        deciding.FORK_FROM = sys.maxsize
    schema = f"bench_import_{os.getpid()}"
    settings = dataclasses.replace(Settings.from_env(), db_schema=schema)
    reference = ReferenceData.load()
    rows = ledger_rows(args.rows, args.enterprises, reference, args.persons)
    with tempfile.TemporaryDirectory() as tmp, Database(settings) as database:
        path = Path(tmp) / "ledger.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEADER, *rows])
        print(f"store: {database.describe()}, schema {schema}; {args.rows:,} rows, {args.enterprises} enterprises")
        ledger = HazardLedger(database.env(), reference=reference)
        stored = {}
        store_rows = importer._store_rows

        def timed(*a, **kw):  # the store phase alone
            start = time.perf_counter()
            store_rows(*a, **kw)
            stored["seconds"] = time.perf_counter() - start
        importer._store_rows = timed
        try:
            cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            out = importer.import_ledger(ledger, path)
            seconds = time.perf_counter() - start
            own, forked = (_cpu(resource.getrusage(who)) - _cpu(before)
                           for who, before in zip((resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN), cpu, strict=True))
        finally:
            importer._store_rows = store_rows
            ledger.close()
        assert not out.header_errors and not out.bad, (out.header_errors, out.bad[:3])
        copy_seconds = copy_rows(database.conninfo, schema, rows)
        trials = sorted((copy_events(database.conninfo, schema, ledger.recorder.events_table_name, n)
                         for n in range(CEILING_TRIALS)), key=lambda t: t[1])
        copied, copy_events_seconds = trials[len(trials) // 2]  # the median trial
        if not args.keep:
            with psycopg.connect(database.conninfo, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    rate, copy_rate = out.stored_rows / seconds, len(rows) / copy_seconds
    events_rate, events_ceiling = out.stored_events / seconds, copied / copy_events_seconds
    store_events_rate = out.stored_events / stored["seconds"]
    print(f"import (all phases)  {rate:10,.0f} rows/s  {events_rate:10,.0f} events/s"
          f"  ({out.stored_rows:,} rows, {out.stored_events:,} events, {seconds:.2f}s)")
    print(f"  check phase        {seconds - stored['seconds']:10.2f}s (read, check, decide each history)")
    print(f"  CPU                {own:10.2f}s importing process, {forked:.2f}s forked deciders"
          f" ({'decided in the importing process' if args.in_process else f'forked from {deciding.FORK_FROM:,} rows'})")
    print(f"  store phase alone  {out.stored_rows / stored['seconds']:10,.0f} rows/s"
          f"  {store_events_rate:10,.0f} events/s  ({stored['seconds']:.2f}s)")
    print(f"ceiling: raw COPY of the same event rows (binary, same columns and bytes, same table shape)")
    print(f"                     {events_ceiling:10,.0f} events/s  ({copied:,} events, {copy_events_seconds:.3f}s;"
          f" median of {CEILING_TRIALS} trials: {', '.join(f'{c / t:,.0f}' for c, t in trials)} events/s)")
    print(f"ratio import events/s ÷ COPY events/s  {events_rate / events_ceiling:6.3f} all phases,"
          f"  {store_events_rate / events_ceiling:6.3f} store phase  (issue 16 target ≥ 0.2;"
          f" issue's figure ~30,000 events/s)")
    print(f"old ceiling: raw COPY of the ledger rows (15 text columns)  {copy_rate:10,.0f} rows/s  ({copy_seconds:.3f}s)")
    print(f"ratio import rows/s ÷ COPY ledger rows/s  {rate / copy_rate:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
