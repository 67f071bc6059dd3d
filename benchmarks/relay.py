"""Relay benchmark (a script, not a test).

    .venv/bin/python benchmarks/relay.py [--events 20000] [--rounds 3] [--rate 200] [--seconds 10]

1. Throughput: `--events` events are stored first; a relay then publishes them all to a
   fresh stream (decode, place, encode, pipelined publish, acknowledgements, tracking).
   In the same run nats-py's own pipelined publish (`publish_async`, futures gathered in
   batches of the relay's size) sends as many messages of the same size to another stream
   of the same server: the ratio shows what the relay costs over the bare client. Both are
   measured `--rounds` times, alternating (the median ratio is the figure to quote).
2. Latency: with the relay caught up, commands are stored at a steady `--rate` for
   `--seconds`; a subscriber (an ordered push consumer) notes when each event arrives.
   Latency = arrival − the moment `save()` returned (the commit), p50 and p99.

Uses DATABASE_URL and NATS_URL when set, else embedded servers in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nats  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from domain.actor import Actor, Role  # noqa: E402
from domain.credit_code import make  # noqa: E402
from domain.hazard import Hazard  # noqa: E402
from domain.parties import Enterprise  # noqa: E402
from infra.nats import EmbeddedNats  # noqa: E402
from infra.postgres import Database, event_store_env  # noqa: E402
from infra.relay import running_relay  # noqa: E402
from infra.settings import Settings  # noqa: E402
from services.application import HazardLedger  # noqa: E402

TODAY = date(2026, 6, 30)
BUREAU = Actor(id="bench", role=Role.BUREAU, name="基准测试")
PLACES = [("330226011", "chem"), ("330226011", "construction"), ("330226005", "trade")]
BATCH = 500
_codes = iter(range(10**7))


def credit_code() -> str:
    return make(f"91330226MB{next(_codes):07d}")


def store_events(ledger: HazardLedger, events: int) -> tuple[list[Enterprise], int]:
    """About `events` events: hazards reported and assigned, saved 250 at a time."""
    enterprises = [Enterprise.register(credit_code=credit_code(), name=f"{t}{s}企业", township=t,
                                       sector=s, scale="small_micro", actor=BUREAU) for t, s in PLACES]
    position = ledger.store(*enterprises).position
    for start in range(0, events // 2, 250):
        hazards = []
        for i in range(start, min(events // 2, start + 250)):
            h = Hazard.report(enterprise=enterprises[i % len(PLACES)], inspection=None,
                              source="government_check", category="unsafe_condition",
                              description=f"配电箱未接地 {i}", level="general",
                              discovered_on=date(2026, 6, 1), today=TODAY, actor=BUREAU)
            h.assign_responsibility(responsible_person="王五", deadline=date(2026, 7, 15),
                                    assigned_on=date(2026, 6, 2), today=TODAY, actor=BUREAU)
            hazards.append(h)
        position = ledger.store(*hazards).position
    return enterprises, position


async def stream_size(url: str, stream: str) -> tuple[int, int]:
    nc = await nats.connect(url)
    try:
        state = (await nc.jetstream().stream_info(stream)).state
        return state.messages, state.bytes
    finally:
        await nc.close()


async def raw_publish_rate(url: str, count: int, size: int) -> float:
    """nats-py alone: pipelined publish_async, futures gathered per batch."""
    nc = await nats.connect(url)
    js = nc.jetstream(publish_async_max_pending=4 * BATCH)
    stream, body = f"RAW_{uuid.uuid4().hex[:8]}", b"x" * size
    await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
    try:
        started = time.perf_counter()
        for start in range(0, count, BATCH):
            futures = [await js.publish_async(f"{stream.lower()}.a.b.hazard.reported", body,
                                              headers={"Nats-Msg-Id": str(n)})
                       for n in range(start, min(count, start + BATCH))]
            await asyncio.gather(*futures)
        return count / (time.perf_counter() - started)
    finally:
        await js.delete_stream(stream)
        await nc.close()


class Arrivals(threading.Thread):
    """A subscriber in its own loop: position → the moment it arrived (perf_counter)."""

    def __init__(self, url: str, subject: str) -> None:
        super().__init__(daemon=True)
        self.url, self.subject = url, subject
        self.seen: dict[int, float] = {}
        self.ready = threading.Event()
        self._done = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        nc = await nats.connect(self.url)

        async def arrived(msg) -> None:
            self.seen[int(msg.headers["Nats-Msg-Id"])] = time.perf_counter()

        from nats.js.api import DeliverPolicy

        await nc.jetstream().subscribe(self.subject, cb=arrived, ordered_consumer=True,
                                       deliver_policy=DeliverPolicy.NEW)
        self.ready.set()
        while not self._done.is_set():
            await asyncio.sleep(0.05)
        await nc.close()

    def stop(self) -> None:
        self._done.set()
        self.join(5)


def steady_commands(ledger: HazardLedger, enterprises: list[Enterprise], rate: float,
                    seconds: float) -> dict[int, float]:
    """One hazard report (one event) every 1/rate s; position → the moment save() returned."""
    committed: dict[int, float] = {}
    interval, started = 1.0 / rate, time.perf_counter()
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, started + n * interval - time.perf_counter()))
        written = ledger.report_hazard(BUREAU, enterprise_id=str(enterprises[n % len(PLACES)].id),
                                       source="government_check", category="unsafe_condition",
                                       description="消防通道堵塞", level="general",
                                       discovered_on=date(2026, 6, 1))
        committed[written.position] = time.perf_counter()
    return committed


def prefix(stream: str) -> str:
    return stream.lower().replace("_", "")


def relay_throughput(ledger: HazardLedger, nats_url: str, stream: str, subject_prefix: str,
                     last: int) -> float:
    """Events per second for a fresh relay to publish the whole log to a fresh stream."""
    started = time.perf_counter()
    with running_relay(ledger, nats_url, stream=stream, prefix=subject_prefix,
                       batch_size=BATCH) as relay:
        if not relay.wait_for(last, timeout=300):
            raise SystemExit(f"relay did not catch up: {relay.stats}")
        return last / (time.perf_counter() - started)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=200.0, help="commands per second (latency)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (median ratio)")
    args = parser.parse_args()

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hz-bench-")))
        db_url = os.environ.get("DATABASE_URL") or stack.enter_context(
            Database(Settings.from_env({"HAZARD_DATA_DIR": str(folder)}))).conninfo
        nats_url = os.environ.get("NATS_URL") or stack.enter_context(EmbeddedNats(folder / "nats")).url
        schema, tag = f"bench_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        stack.callback(_drop_schema, db_url, schema)
        ledger = HazardLedger(event_store_env(db_url, schema=schema), clock=lambda: TODAY)
        stack.callback(ledger.close)
        stream_base = f"BENCH_{tag}"
        print(f"PostgreSQL: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}; "
              f"NATS: {'NATS_URL ' + nats_url if os.environ.get('NATS_URL') else 'embedded ' + nats_url}")

        enterprises, last = store_events(ledger, args.events)
        print(f"stored {last} events; {args.rounds} rounds, relay and nats-py alternating")
        ratios = []
        for n in range(args.rounds):
            stream = f"{stream_base}_{n}"
            stack.callback(lambda s=stream: asyncio.run(_delete_stream(nats_url, s)))
            relay_rate = relay_throughput(ledger, nats_url, stream, prefix(stream), last)
            messages, size = asyncio.run(stream_size(nats_url, stream))
            raw_rate = asyncio.run(raw_publish_rate(nats_url, last, size // messages))
            ratios.append(relay_rate / raw_rate)
            print(f"  round {n + 1}: relay {relay_rate:,.0f} events/s; nats-py pipelined publish "
                  f"{raw_rate:,.0f} msgs/s ({size // messages} B each); ratio {ratios[-1]:.2f}")
        print(f"throughput ratio relay / nats-py: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")

        with running_relay(ledger, nats_url, stream=stream, prefix=prefix(stream)) as relay:
            relay.wait_for(last, timeout=60)                  # caught up already
            arrivals = Arrivals(nats_url, f"{prefix(stream)}.>")
            arrivals.start()
            arrivals.ready.wait(10)
            committed = steady_commands(ledger, enterprises, args.rate, args.seconds)
            relay.wait_for(max(committed), timeout=30)
            time.sleep(0.5)
            arrivals.stop()
        latencies = [(arrivals.seen[p] - t) * 1000 for p, t in committed.items() if p in arrivals.seen]
        missing = len(committed) - len(latencies)
        print(f"latency commit → subscriber at {args.rate:.0f} commands/s for {args.seconds:.0f} s "
              f"({len(latencies)} events{f', {missing} MISSING' if missing else ''}): "
              f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
              f"max {max(latencies):.1f} ms, mean {statistics.fmean(latencies):.1f} ms")
    return 0


def _drop_schema(db_url: str, schema: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


if __name__ == "__main__":
    sys.exit(main())
