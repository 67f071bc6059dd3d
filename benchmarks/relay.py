"""Relay benchmark (a script, not a test).

    DATABASE_URL=… NATS_URL=… .venv/bin/python benchmarks/relay.py \\
        [--schema bench_tenth] [--large bench_year] [--rounds 3] [--rate 200] [--seconds 10]

1. Throughput: a fresh relay publishes the whole log of `--schema` (the simulated county year
   at scale 0.1) to a fresh stream — read, decode, place, encode, pipelined publish,
   acknowledgements, tracking — in a process of its own. In the same run nats-py's own
   pipelined publish (`publish_async`, futures gathered per 500) sends as many messages of the
   same size to another stream of the same server, also in a process of its own. Both are
   measured `--rounds` times, alternating; the median ratio is the figure to quote.
   The two clocks start at the same point: nats-py's after `nats.connect` and `add_stream`,
   the relay's when it holds its NATS connection and its stream (`RelayStats.stream_ready_at`,
   set by the relay itself, not guessed here). Both stop at the last acknowledgement (the
   relay's: its last position tracked, which also includes reading where the stream ends and
   the tracking writes). The relay's figure from its start — before it makes its tracking
   table, starts its encoding process and connects (about 10 ms of connecting and checking the
   stream on this machine) — is printed beside it ("from the relay's start").
2. Memory: each relay process reports its peak RSS; `--large` (the year at scale 1.0) is
   relayed once the same way, and its peak RSS is compared with the scale-0.1 runs'.
3. Latency: in a fresh schema, with the relay caught up, commands are stored at a steady
   `--rate` for `--seconds`; a subscriber (an ordered push consumer) notes when each event
   arrives. Latency = arrival − the moment `save()` returned (the commit), p50 and p99.

Every stream is created for the run (`BENCH_<tag>_<n>`, subjects `bench<tag><n>.>`) and deleted
after; the relay's tracking rows in the benchmark stores are deleted after each run. Without
`--schema` (or when it does not exist) `--events` events are stored in a fresh schema first.
Uses DATABASE_URL and NATS_URL when set, else embedded servers in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, closing
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nats  # noqa: E402
import nats.js.errors  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from domain.actor import Actor, Role  # noqa: E402
from domain.credit_code import make  # noqa: E402
from domain.hazard import Hazard  # noqa: E402
from domain.parties import Enterprise  # noqa: E402
from infra.nats import EmbeddedNats  # noqa: E402
from infra.postgres import Database, event_store_env  # noqa: E402
from infra.relay import TRACKING_TABLE, open_reader, running_relay  # noqa: E402
from infra.settings import Settings  # noqa: E402

TODAY = date(2026, 6, 30)
BUREAU = Actor(id="bench", role=Role.BUREAU, name="基准测试")
PLACES = [("330226011", "chem"), ("330226011", "construction"), ("330226005", "trade")]
BATCH = 500
_codes = iter(range(10**7))


# --- the two measured programs, each in a process of its own ----------------------------------
def child_relay(db_url: str, schema: str, nats_url: str, stream: str) -> dict[str, Any]:
    """Relay the whole log of `schema` to a fresh `stream`; rate and this process's peak RSS.

    Two clocks, both stopped when the last position is tracked: `rate` from the moment the relay
    holds its NATS connection and its stream (`RelayStats.stream_ready_at`, as nats-py's clock
    starts after `nats.connect` and `add_stream`; the figure quoted), and `rate_from_start` from
    before the relay is made (its tracking table, its encoding process, connecting)."""
    with closing(open_reader(event_store_env(db_url, schema=schema))) as reader:
        last = reader.head()
        started = time.perf_counter()
        with running_relay(reader, nats_url, stream=stream, prefix=prefix(stream),
                           batch_size=BATCH) as relay:
            deadline = started + 1800
            while relay.stats.position < last and time.perf_counter() < deadline:
                time.sleep(0.001)
            done = time.perf_counter()
            caught_up = relay.stats.position >= last
        stats = relay.stats
    _forget_tracking(db_url, schema, stream)
    if not caught_up or stats.stream_ready_at is None:
        raise SystemExit(f"relay did not catch up: {stats}")
    seconds = done - stats.stream_ready_at
    return {"events": last, "seconds": seconds, "rate": last / seconds,
            "seconds_from_start": done - started, "rate_from_start": last / (done - started),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            # the relay's encoding process (infra/relay_worker.py), waited for when it stopped
            "encoder_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "malformed": stats.malformed, "restarts": stats.restarts}


def child_raw(nats_url: str, count: int, size: int) -> dict[str, Any]:
    """nats-py alone: pipelined publish_async, futures gathered per batch."""
    return {"rate": asyncio.run(_raw_publish(nats_url, count, size)),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


async def _raw_publish(url: str, count: int, size: int) -> float:
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


def in_child(*args: str) -> dict[str, Any]:
    """Run this script with `--child …` and read the JSON line it prints last."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, env=os.environ,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- helpers ---------------------------------------------------------------------------------
def prefix(stream: str) -> str:
    return stream.lower().replace("_", "")


def _forget_tracking(db_url: str, schema: str, stream: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DELETE FROM {}.{} WHERE application_name = %s").format(
            sql.Identifier(schema), sql.Identifier(TRACKING_TABLE)), (f"HazardLedger:{stream}",))


def _schema_exists(db_url: str, schema: str) -> bool:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute("SELECT to_regclass(%s)", (f'"{schema}".hazardledger_events',)
                            ).fetchone()[0] is not None


async def _stream_size(url: str, stream: str) -> tuple[int, int]:
    nc = await nats.connect(url)
    try:
        state = (await nc.jetstream().stream_info(stream)).state
        return state.messages, state.bytes
    finally:
        await nc.close()


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await nc.close()


def credit_code() -> str:
    return make(f"91330226MB{next(_codes):07d}")


def store_events(ledger: Any, events: int) -> tuple[list[Enterprise], int]:
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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- the three parts -------------------------------------------------------------------------
def throughput(db_url: str, schema: str, nats_url: str, stream_base: str,
               rounds: int) -> list[dict[str, Any]]:
    """Each round's relay figures; prints its rate and peak RSS with the ceiling and the ratio."""
    ratios, from_start, rss = [], [], []
    for n in range(rounds):
        stream = f"{stream_base}_{n}"
        try:
            relay = in_child("relay", db_url, schema, nats_url, stream)
            messages, size = asyncio.run(_stream_size(nats_url, stream))
        finally:
            asyncio.run(_delete_stream(nats_url, stream))
        raw = in_child("raw", nats_url, str(relay["events"]), str(size // messages))
        ratios.append(relay["rate"] / raw["rate"])
        from_start.append(relay["rate_from_start"] / raw["rate"])
        rss.append(relay)
        print(f"  round {n + 1}: relay {relay['rate']:,.0f} events/s ({relay['events']:,} events in "
              f"{relay['seconds']:.2f} s from holding its NATS connection and stream; "
              f"{relay['rate_from_start']:,.0f} events/s, {relay['seconds_from_start']:.2f} s, from "
              f"its start); nats-py pipelined publish {raw['rate']:,.0f} msgs/s "
              f"({size // messages} B each); ratio {ratios[-1]:.2f} ({from_start[-1]:.2f} from the "
              f"relay's start); peak RSS {relay['rss_mb']:.0f} MB + encoding process "
              f"{relay['encoder_rss_mb']:.0f} MB", flush=True)
    print(f"throughput ratio relay / nats-py: median {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}); from the relay's start "
          f"{statistics.median(from_start):.2f} (min {min(from_start):.2f}, "
          f"max {max(from_start):.2f})", flush=True)
    return rss


def memory(db_url: str, large: str, nats_url: str, stream_base: str,
           small_runs: list[dict[str, Any]]) -> None:
    """The larger log relayed once (with its own ceiling); peak RSS against the smaller log's."""
    stream = f"{stream_base}_large"
    try:
        relay = in_child("relay", db_url, large, nats_url, stream)
        messages, size = asyncio.run(_stream_size(nats_url, stream))
    finally:
        asyncio.run(_delete_stream(nats_url, stream))
    raw = in_child("raw", nats_url, str(relay["events"]), str(size // messages))
    print(f"{large}: relay {relay['rate']:,.0f} events/s ({relay['events']:,} events in "
          f"{relay['seconds']:.1f} s; {relay['seconds_from_start']:.1f} s from its start); "
          f"nats-py pipelined publish {raw['rate']:,.0f} msgs/s; ratio "
          f"{relay['rate'] / raw['rate']:.2f} ({relay['rate_from_start'] / raw['rate']:.2f} from "
          f"the relay's start)", flush=True)
    for key, what in (("rss_mb", "relay process"), ("encoder_rss_mb", "encoding process")):
        small = statistics.median(run[key] for run in small_runs)
        print(f"  memory, {what}: peak RSS {relay[key]:.0f} MB relaying {large}, {small:.0f} MB "
              f"relaying the smaller log; ratio {relay[key] / small:.2f} (ceiling 1.5)", flush=True)


def latency(ledger: Any, reader: Any, nats_url: str, stream: str, rate: float, seconds: float) -> None:
    enterprises, last = store_events(ledger, 0)
    with running_relay(reader, nats_url, stream=stream, prefix=prefix(stream)) as relay:
        relay.wait_for(last, timeout=60)
        arrivals = Arrivals(nats_url, f"{prefix(stream)}.>")
        arrivals.start()
        arrivals.ready.wait(10)
        committed = steady_commands(ledger, enterprises, rate, seconds)
        relay.wait_for(max(committed), timeout=30)
        time.sleep(0.5)
        arrivals.stop()
    latencies = [(arrivals.seen[p] - t) * 1000 for p, t in committed.items() if p in arrivals.seen]
    missing = len(committed) - len(latencies)
    print(f"latency commit → subscriber at {rate:.0f} commands/s for {seconds:.0f} s "
          f"({len(latencies)} events{f', {missing} MISSING' if missing else ''}): "
          f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
          f"max {max(latencies):.1f} ms, mean {statistics.fmean(latencies):.1f} ms")


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
        from nats.js.api import DeliverPolicy

        nc = await nats.connect(self.url)

        async def arrived(msg) -> None:
            self.seen[int(msg.headers["Nats-Msg-Id"])] = time.perf_counter()

        await nc.jetstream().subscribe(self.subject, cb=arrived, ordered_consumer=True,
                                       deliver_policy=DeliverPolicy.NEW)
        self.ready.set()
        while not self._done.is_set():
            await asyncio.sleep(0.05)
        await nc.close()

    def stop(self) -> None:
        self._done.set()
        self.join(5)


def steady_commands(ledger: Any, enterprises: list[Enterprise], rate: float,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", default="bench_tenth", help="the store to relay (throughput)")
    parser.add_argument("--large", default="bench_year", help="a larger store (memory); '' skips")
    parser.add_argument("--events", type=int, default=20000, help="stored first without --schema")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (median ratio)")
    parser.add_argument("--rate", type=float, default=200.0, help="commands per second (latency)")
    parser.add_argument("--seconds", type=float, default=10.0, help="latency run; 0 skips it")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_relay(*rest) if kind == "relay" else child_raw(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0

    from services.application import HazardLedger

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hz-bench-")))
        db_url = os.environ.get("DATABASE_URL") or stack.enter_context(
            Database(Settings.from_env({"HAZARD_DATA_DIR": str(folder)}))).conninfo
        nats_url = os.environ.get("NATS_URL") or stack.enter_context(EmbeddedNats(folder / "nats")).url
        fresh, tag = f"bench_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(fresh)))
        stack.callback(_drop_schema, db_url, fresh)
        env = event_store_env(db_url, schema=fresh, pool_size=2)
        ledger = HazardLedger(env, clock=lambda: TODAY)
        stack.callback(ledger.close)
        reader = stack.enter_context(closing(open_reader(env)))
        stream_base = f"BENCH_{tag}"
        print(f"PostgreSQL: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}; "
              f"NATS: {'NATS_URL ' + nats_url if os.environ.get('NATS_URL') else 'embedded ' + nats_url}")

        schema = args.schema if args.schema and _schema_exists(db_url, args.schema) else ""
        if not schema:
            schema = fresh
            print(f"stored {store_events(ledger, args.events)[1]:,} events in {fresh}")
        print(f"relaying {schema}; {args.rounds} rounds, relay and nats-py alternating, each in a "
              "process of its own", flush=True)
        rss = throughput(db_url, schema, nats_url, stream_base, args.rounds)
        if args.large and _schema_exists(db_url, args.large):
            memory(db_url, args.large, nats_url, stream_base, rss)
        if args.seconds > 0:
            stream = f"{stream_base}_latency"
            stack.callback(lambda: asyncio.run(_delete_stream(nats_url, stream)))
            latency(ledger, reader, nats_url, stream, args.rate, args.seconds)
    return 0


def _drop_schema(db_url: str, schema: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    sys.exit(main())
