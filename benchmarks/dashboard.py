"""How fast the dashboard's overview (总览) is on a store filled by `hazard simulate`.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test HAZARD_DB_SCHEMA=bench_dash \\
        hazard simulate --seed 4 --scale 1.0          # once: a Ninghai-scale year (~10 min)
    DATABASE_URL=… .venv/bin/python benchmarks/dashboard.py --schema bench_dash [--repeat 5] [--browser]

It catches the read models up with the store, serves the app (API + dashboard, as `hazard
serve` wires it) on a loopback port with uvicorn, and then, for a county-wide token and for a
township's token:

1. times each API call the overview makes (the same calls, with the same parameters, as
   services/dashboard/static/js/pages/overview.js), one at a time — median of --repeat runs;
2. times the overview's data as the page fetches it: the first round of calls in parallel over
   six connections (a browser's limit per host), then the overdue list — median wall time;
3. with --browser, times the page itself in Chromium (/usr/bin/chromium): from navigation to
   the page saying it is ready (counters, heat map, trend and overdue list drawn) — median.

The target (issue 7): the overview renders in under a second for a Ninghai-scale year.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.auth import Tokens  # noqa: E402
from infra.postgres import event_store_env  # noqa: E402
from projections.operations import catch_up  # noqa: E402
from projections.progress import ProgressBar  # noqa: E402
from projections.readmodels import ReadModels  # noqa: E402
from services.application import HazardLedger  # noqa: E402
from tests.e2e.dashboard_conftest import dashboard_app, served, wired  # noqa: E402

BROWSER_CONNECTIONS = 6
OVERDUE_ROWS = 20  # as overview.js


def overview_calls(year: int, sectors: list[str], township: str | None) -> list[tuple[str, dict]]:
    """The first round of the overview's calls (overview.js `load`), for the whole year."""
    f = {"discovered_from": f"{year}-01-01", "discovered_to": f"{year}-12-31"}
    calls = [
        ("rates by county per month (counters, trend)", {**f, "by": "county", "period": "month"}),
        ("rates, major (counter)", {**f, "by": "county", "period": "year", "level": "major"}),
        ("rates, supervised (counter)", {**f, "by": "county", "period": "year", "level": "supervised"}),
    ]
    if township:
        calls.append(("rates by sector (heat map)", {**f, "by": "sector", "period": "year"}))
    else:
        calls += [(f"rates by township, sector={s} (heat map)", {**f, "by": "township", "period": "year", "sector": s})
                  for s in sectors]
    return calls


def overdue_calls(year: int, overdue: int) -> list[tuple[str, dict]]:
    f = {"discovered_from": f"{year}-01-01", "discovered_to": f"{year}-12-31", "overdue": "true",
         "page_size": OVERDUE_ROWS}
    if not overdue:
        return []
    pages = math.ceil(overdue / OVERDUE_ROWS)
    wanted = [pages - 1, pages] if overdue % OVERDUE_ROWS and pages > 1 else [pages]
    return [(f"ledger, overdue, page {p} (oldest overdue)", {**f, "page": p}) for p in wanted]


def timed_get(client: httpx.Client, params: dict, path: str = "/rates") -> tuple[float, dict]:
    started = time.perf_counter()
    answer = client.get(f"/api/v1{path}", params=params)
    seconds = time.perf_counter() - started
    answer.raise_for_status()
    return seconds, answer.json()


def measure(url: str, token: str, year: int, sectors: list[str], township: str | None, repeat: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        first = overview_calls(year, sectors, township)
        _, monthly = timed_get(client, first[0][1])  # warm up, and the overdue count
        overdue = monthly["total"]["overdue"]
        second = overdue_calls(year, overdue)
        each: dict[str, list[float]] = {}
        for _ in range(repeat):
            for name, params in first:
                each.setdefault(name, []).append(timed_get(client, params)[0])
            for name, params in second:
                each.setdefault(name, []).append(timed_get(client, params, "/ledger")[0])
    walls = []
    clients = [httpx.Client(base_url=url, headers=headers, timeout=60) for _ in range(BROWSER_CONNECTIONS)]
    try:
        with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
            for _ in range(repeat):
                started = time.perf_counter()
                list(pool.map(lambda job: timed_get(clients[job[0] % BROWSER_CONNECTIONS], job[1][1]),
                              enumerate(first)))
                list(pool.map(lambda job: timed_get(clients[job[0] % BROWSER_CONNECTIONS], job[1][1], "/ledger"),
                              enumerate(second)))
                walls.append(time.perf_counter() - started)
    finally:
        for c in clients:
            c.close()
    return {"found": monthly["total"]["found"], "overdue": overdue,
            "calls": {name: statistics.median(s) for name, s in each.items()},
            "calls_total": sum(statistics.median(s) for s in each.values()),
            "overview_data_wall": statistics.median(walls), "overview_data_walls": walls}


def browser_load(url: str, token: str, year: int, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    seconds = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("HAZARD_CHROMIUM", "/usr/bin/chromium"), args=args)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        page.goto(f"{url}/static/dashboard/img/favicon.svg")
        page.evaluate("t => sessionStorage.setItem('hazardledger.token', t)", token)
        for i in range(repeat + 1):
            started = time.perf_counter()
            page.goto(f"{url}/?year={year}")
            page.wait_for_selector("main[data-ready=true]", timeout=60_000)
            if i:  # the first load fills the browser's cache (ECharts is 1 MB)
                seconds.append(time.perf_counter() - started)
        browser.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", default=os.environ.get("HAZARD_DB_SCHEMA", "bench_dash"))
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--township", default="330226011", help="the township token's township")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("benchmarks/dashboard.py: set DATABASE_URL (the store filled by hazard simulate)", file=sys.stderr)
        return 2
    env = event_store_env(url, schema=args.schema, pool_size=8)
    catch_up(env, progress=ProgressBar(sys.stderr, "catch-up") if sys.stderr.isatty() else None)
    ledger = HazardLedger(env)
    events = ledger.recorder.max_notification_id() or 0
    tokens = Tokens("benchmark-secret-0123456789-0123456789")
    read_models = ReadModels(env, reference=ledger.reference, pool_size=8)
    sectors = list(ledger.reference.sectors)
    results = {"schema": args.schema, "events": events, "year": args.year, "repeat": args.repeat}
    try:
        with wired(), served(dashboard_app(ledger, tokens, read_models=read_models)) as base:
            who = {"bureau": (tokens.issue(role="bureau", name="benchmark"), None),
                   f"township {args.township}": (tokens.issue(role="township", township=args.township, name="benchmark"),
                                                 args.township)}
            for label, (token, township) in who.items():
                results[label] = measure(base, token, args.year, sectors, township, args.repeat)
                if args.browser:
                    loads = browser_load(base, token, args.year, args.repeat)
                    results[label]["browser_ready"] = statistics.median(loads)
                    results[label]["browser_ready_runs"] = loads
    finally:
        read_models.close()
        ledger.close()
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    print(f"store {args.schema}: {events:,} events; overview of {args.year}; median of {args.repeat} runs")
    for label in [k for k in results if isinstance(results[k], dict)]:
        r = results[label]
        print(f"\n{label}: {r['found']:,} hazards found, {r['overdue']:,} overdue")
        for name, seconds in r["calls"].items():
            print(f"  {seconds * 1000:8.1f} ms  {name}")
        print(f"  {r['calls_total'] * 1000:8.1f} ms  all calls one after another")
        print(f"  {r['overview_data_wall'] * 1000:8.1f} ms  overview data as the page fetches it "
              f"({BROWSER_CONNECTIONS} connections, then the overdue list)")
        if "browser_ready" in r:
            print(f"  {r['browser_ready'] * 1000:8.1f} ms  page in Chromium: navigation → counters, charts and list drawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
