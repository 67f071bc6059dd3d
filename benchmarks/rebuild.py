"""Rebuild throughput of the read models, against merely reading and decoding the log.

    .venv/bin/python benchmarks/rebuild.py [--schema SCHEMA] [--repeat N] [--batch N]
    .venv/bin/python benchmarks/rebuild.py --schemas bench_tenth,bench_year   # memory vs size

Uses the store the `hazard` command uses (DATABASE_URL, else the embedded PostgreSQL under
HAZARD_DATA_DIR; HAZARD_DB_SCHEMA or --schema). Fill it first, e.g.
`hazard simulate --seed 4 --scale 0.1`. Rebuilding FORGETS the views and builds them again:
stop `hazard serve` on that store first. Not a test.

Prints, in one run:
- read + decode: the notification log read through `infra.log_reader.LogReader` in pages of
  the rebuild's batch size, every event decoded into its domain event, nothing written (the
  floor a rebuild cannot beat);
- each view rebuilt alone, then all views rebuilt together (as `hazard projections rebuild`
  does: `projections.operations.rebuild`), in events of the log per second;
- the ratio rebuild all / read+decode, and the process's peak RSS.

With `--schemas A,B` each schema is measured in a process of its own (so each has its own
peak RSS), and the ratio of the last one's peak RSS to the first one's is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infra.log_reader import LogReader  # noqa: E402
from infra.postgres import Database  # noqa: E402
from infra.settings import Settings  # noqa: E402
from projections.operations import rebuild, replay_env  # noqa: E402
from projections.replay import BATCH  # noqa: E402
from projections.runners import PROJECTIONS  # noqa: E402


def read_and_decode(env: dict[str, str], batch: int) -> tuple[int, float]:
    """(events, seconds) to read the whole log and decode every event."""
    reader = LogReader.open(replay_env(env))
    started, count = time.perf_counter(), 0
    for page in reader.pages(0, batch):
        count += len(page)
    seconds = time.perf_counter() - started
    reader.close()
    return count, seconds


def timed_rebuild(env: dict[str, str], names: list[str] | None, batch: int) -> float:
    started = time.perf_counter()
    rebuild(env, names, batch_size=batch)
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(schema: str | None, repeat: int, batch: int) -> int:
    settings = Settings.from_env()
    if schema:
        settings = dataclasses.replace(settings, db_schema=schema)
    with Database(settings) as database:
        env = database.env()
        print(f"store: {database.describe()}, schema {settings.db_schema}, batches of {batch:,}")
        events, read = min((read_and_decode(env, batch) for _ in range(repeat)), key=lambda r: r[1])
        if not events:
            print("the store is empty: run `hazard simulate` first")
            return 1
        read_rate = events / read
        print(f"events in the log:            {events:>10,}")
        print(f"read + decode:                {read_rate:>10,.0f} events/s  ({read:.2f} s)")
        for name in PROJECTIONS:
            seconds = min(timed_rebuild(env, [name], batch) for _ in range(repeat))
            print(f"rebuild {name:<21} {events / seconds:>10,.0f} events/s  ({seconds:.2f} s)")
        seconds = min(timed_rebuild(env, None, batch) for _ in range(repeat))
        rate = events / seconds
        print(f"rebuild all views together:   {rate:>10,.0f} events/s  ({seconds:.2f} s)")
        print(f"ratio rebuild / read+decode:  {rate / read_rate:>10.2f}")
        print(f"peak RSS:                     {peak_rss_mib():>10,.1f} MiB")
    return 0


def compare(schemas: list[str], repeat: int, batch: int) -> int:
    """Each schema in a process of its own; the ratio of the last one's peak RSS to the first's."""
    rss: list[float] = []
    for schema in schemas:
        out = subprocess.run([sys.executable, __file__, "--schema", schema, "--repeat", str(repeat),
                              "--batch", str(batch)], capture_output=True, text=True, check=False)
        print(out.stdout, end="")
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        rss.append(float(re.search(r"peak RSS:\s+([\d,.]+)", out.stdout)[1].replace(",", "")))
        print()
    print(f"peak RSS {schemas[-1]} / {schemas[0]}:  {rss[-1] / rss[0]:.2f}  "
          f"({rss[-1]:,.1f} / {rss[0]:,.1f} MiB)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", help="PostgreSQL schema of the store (default HAZARD_DB_SCHEMA)")
    parser.add_argument("--schemas", help="several stores, each in a process of its own: A,B")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measure; the best counts")
    parser.add_argument("--batch", type=int, default=BATCH, help="events a page / a view's transaction")
    args = parser.parse_args()
    if args.schemas:
        return compare(args.schemas.split(","), args.repeat, args.batch)
    return measure(args.schema, args.repeat, args.batch)


if __name__ == "__main__":
    sys.exit(main())
