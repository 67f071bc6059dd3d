"""Rebuild throughput of the read models, against merely reading and decoding the log.

    .venv/bin/python benchmarks/rebuild.py [--schema SCHEMA] [--repeat N]

Uses the store the `hazard` command uses (DATABASE_URL, else the embedded PostgreSQL under
HAZARD_DATA_DIR; HAZARD_DB_SCHEMA or --schema). Fill it first, e.g.
`hazard simulate --seed 4 --scale 0.1`. Rebuilding FORGETS the views and builds them again:
stop `hazard serve` on that store first. Not a test.

Prints, in one run:
- read + decode: the notification log read in pages of 500 and every event decoded into its
  domain event object, nothing written (the floor a projection cannot beat);
- each view rebuilt alone, then all views rebuilt together (as `hazard projections rebuild`
  does), in events of the log per second;
- the ratio rebuild / read+decode.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.postgres import Database  # noqa: E402
from infra.settings import Settings  # noqa: E402
from infra.log_reader import EventLog  # noqa: E402
from projections.operations import rebuild  # noqa: E402
from projections.runners import PROJECTIONS  # noqa: E402


def read_and_decode(env: dict[str, str]) -> tuple[int, float]:
    """(events, seconds) to read the whole log and decode every event."""
    log = EventLog(env)
    started, count, position = time.perf_counter(), 0, 0
    while True:
        page = log.recorder.select_notifications(start=position, limit=500, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            log.mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id
    seconds = time.perf_counter() - started
    log.close()
    return count, seconds


def timed_rebuild(env: dict[str, str], names: list[str] | None) -> float:
    started = time.perf_counter()
    rebuild(env, names)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", help="PostgreSQL schema of the store (default HAZARD_DB_SCHEMA)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measure; the best counts")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.schema:
        settings = dataclasses.replace(settings, db_schema=args.schema)
    with Database(settings) as database:
        env = database.env()
        print(f"store: {database.describe()}, schema {settings.db_schema}")
        events, read = min((read_and_decode(env) for _ in range(args.repeat)), key=lambda r: r[1])
        if not events:
            print("the store is empty: run `hazard simulate` first")
            return 1
        read_rate = events / read
        print(f"events in the log:            {events:>10,}")
        print(f"read + decode:                {read_rate:>10,.0f} events/s  ({read:.2f} s)")
        for name in PROJECTIONS:
            seconds = min(timed_rebuild(env, [name]) for _ in range(args.repeat))
            print(f"rebuild {name:<21} {events / seconds:>10,.0f} events/s  ({seconds:.2f} s)")
        seconds = min(timed_rebuild(env, None) for _ in range(args.repeat))
        rate = events / seconds
        print(f"rebuild all views together:   {rate:>10,.0f} events/s  ({seconds:.2f} s)")
        print(f"ratio rebuild / read+decode:  {rate / read_rate:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
