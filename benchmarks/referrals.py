"""The referrals list (GET /referrals): the read model against the log scan it replaced, beside a
ceiling — a raw psycopg `SELECT … LIMIT` of the same rows from the same table.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/referrals.py [--referrals 600] [--repeat 30]

Makes a store of its own (a fresh schema, dropped at the end): 20 enterprises with a hazard each,
`--referrals` referrals (half to 跃龙街道, half to the sectors; a third signed for and answered),
the views caught up. Then, warm, the median of `--repeat` runs of:
- before: the old list — the log paged by the topic of `Referral.Referred` (`LogReader.page`),
  the unit's ids kept, each referral loaded from the repository and made a row (as
  services/commands/referrals.py did before the view);
- query: `projections.queries.referrals.rows` + `item` (what the route calls);
- HTTP: the route through FastAPI's TestClient (token, scope, JSON);
- ceiling: a raw psycopg `SELECT * … ORDER BY position LIMIT n` of the same rows.
Figures are printed, never asserted. Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from eventsourcing.utils import get_topic  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from psycopg import sql  # noqa: E402

from domain.actor import Actor, Role  # noqa: E402
from domain.credit_code import make as make_code  # noqa: E402
from domain.referral import Referral  # noqa: E402
from infra.auth import Tokens  # noqa: E402
from infra.postgres import event_store_env  # noqa: E402
from projections.operations import catch_up  # noqa: E402
from projections.queries import referrals as referrals_q  # noqa: E402
from projections.readmodels import ReadModels  # noqa: E402
from services.api.app import create_app  # noqa: E402
from services.application import HazardLedger  # noqa: E402

TODAY = date(2026, 6, 30)
TOWN = "330226001"
SECTORS = ("chem", "trade", "construction")
BUREAU = Actor(id="bench-bureau", role=Role.BUREAU, name="县安委会办公室")
TOWNSHIP = Actor(id="bench-town", role=Role.TOWNSHIP, name="跃龙街道")


def fill(app: HazardLedger, referrals: int) -> None:
    hazards = []
    for i in range(20):
        e = app.register_enterprise(BUREAU, credit_code=make_code(f"91330226MA{i:07d}"), name=f"企业{i}",
                                    township=TOWN if i % 2 else "330226002", sector=SECTORS[i % 3],
                                    scale="small_micro").id
        hazards.append(app.report_hazard(BUREAU, enterprise_id=e, source="government_check",
                                         category="unsafe_condition", description=f"隐患{i}", level="general",
                                         discovered_on=date(2026, 5, 1)).id)
    for n in range(referrals):
        to = {"township": TOWN} if n % 2 == 0 else {"sector": SECTORS[n % 3]}
        ident = app.refer_hazards(BUREAU, hazard_ids=hazards[n % 20:n % 20 + 2], instructions=f"交办{n}",
                                  due_on=date(2026, 6, 1 + n % 29), referred_on=date(2026, 5, 20), **to).id
        if n % 6 == 0:
            app.sign_referral(TOWNSHIP, ident, unit=TOWN, signed_on=date(2026, 5, 21))
            app.answer_referral(TOWNSHIP, ident, unit=TOWN, answer="已办", answered_on=date(2026, 5, 25))


def before(app: HazardLedger, township: str | None) -> list[dict]:
    """The list as it was read before the view: the log by topic, then one load per referral."""
    topic, ids, after = get_topic(Referral.Referred), [], 0
    while page := app.log_reader.page(after, topics=[topic]):
        for logged in page:
            e = logged.event
            if e is not None and (township is None or (e.receiver_kind, e.receiver) == ("township", township)):
                ids.append(e.originator_id)
        after = page[-1].position
    rows = []
    for ident in ids:
        r = app.load(Referral, ident)
        rows.append({"id": str(r.id), "receiver": r.receiver, "hazards": r.hazards,
                     "instructions": r.instructions, "state": r.state(TODAY)})
    return rows


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, int]:
    fn()  # warm
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
        size = len(out) if isinstance(out, list) else size
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or sys.exit("DATABASE_URL is required")
    schema = f"bench_ref_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    env = event_store_env(url, schema=schema, pool_size=2)
    app = HazardLedger(env, clock=lambda: TODAY)
    try:
        started = time.perf_counter()
        fill(app, args.referrals)
        catch_up(env)
        rm = ReadModels(env, reference=app.reference)
        print(f"store: {schema}, {rm.max_position()} events, {args.referrals} referrals "
              f"({args.referrals // 2 + args.referrals % 2} to the township), "
              f"filled in {time.perf_counter() - started:.1f} s")
        tokens = Tokens("bench-secret-not-for-production-0123456789")
        client = TestClient(create_app(app, tokens, read_models=rm))
        headers = {r: {"Authorization": "Bearer " + tokens.issue(role=r, name="bench", **scope)}
                   for r, scope in (("township", {"township": TOWN}), ("bureau", {}))}
        raw = psycopg.connect(url, autocommit=True)
        table = sql.SQL("{}.activity_referrals").format(sql.Identifier(schema))

        def ceiling(where: sql.Composable, limit: int) -> Callable[[], list]:
            query = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY position LIMIT %s").format(table, where)
            return lambda: raw.execute(query, (limit,)).fetchall()

        def query(scope: dict, limit: int) -> Callable[[], list]:
            return lambda: [referrals_q.item(r, rm.reference, TODAY) for r in
                            referrals_q.rows(rm.activity, scope=scope, day=TODAY, limit=limit)[1]]

        def http(role: str, limit: int) -> Callable[[], list]:
            return lambda: client.get(f"/api/v1/referrals?limit={limit}", headers=headers[role]).json()["items"]

        town_where = sql.SQL("receiver_kind = 'township' AND receiver = {}").format(sql.Literal(TOWN))
        cases = [
            ("township, first 50", lambda: before(app, TOWN)[:50], query({"township": TOWN}, 50),
             http("township", 50), ceiling(town_where, 50)),
            ("township, all (≤ 500)", lambda: before(app, TOWN)[:500], query({"township": TOWN}, 500),
             http("township", 500), ceiling(town_where, 500)),
            ("county, all (≤ 500)", lambda: before(app, None)[:500], query({}, 500),
             http("bureau", 500), ceiling(sql.SQL("TRUE"), 500)),
        ]
        print(f"{'list':24} {'rows':>5} {'before':>9} {'query':>9} {'HTTP':>9} {'ceiling':>9} "
              f"{'before/HTTP':>12} {'HTTP/ceiling':>13}")
        for name, *fns in cases:
            (b, rows), (q, _), (h, _), (c, _) = (median_ms(fn, args.repeat) for fn in fns)
            print(f"{name:24} {rows:>5} {b:>7.1f}ms {q:>7.1f}ms {h:>7.1f}ms {c:>7.2f}ms "
                  f"{b / h:>11.1f}x {h / c:>12.1f}x")
        raw.close()
        client.close()
        rm.close()
    finally:
        app.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
