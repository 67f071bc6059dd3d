"""`python -m projections run|status [NAME…]` on the store named by the eventsourcing
environment (PERSISTENCE_MODULE, POSTGRES_DBNAME, POSTGRES_HOST, …, POSTGRES_SCHEMA), for a
worker process beside the API and for the crash test. Rebuilds and catch-ups have one way in:
`hazard projections rebuild|run` (offline, or a new generation while another process follows)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from projections import runners
from projections.operations import Supervisor, take_locks
from projections.readmodels import ReadModels


def run_forever(env: dict[str, str], names: list[str]) -> int:
    """Follow the log until SIGTERM/SIGINT (waits up to 10 s for a killed owner's lock)."""
    locks = take_locks(env, names, wait=10.0)
    if len(locks.held) < len(names):
        print(f"views followed elsewhere: {sorted(set(names) - set(locks.held))}", file=sys.stderr)
        locks.release()
        return 1
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    supervisor = Supervisor(env, names).start()
    print("following", ", ".join(names), flush=True)
    stopping.wait()
    supervisor.stop()
    locks.release()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    parser.add_argument("action", choices=["run", "status"])
    parser.add_argument("names", nargs="*", help=f"views (default all: {', '.join(runners.PROJECTIONS)})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env = dict(os.environ)
    names = runners.names(args.names)
    if args.action == "run":
        return run_forever(env, names)
    read_models = ReadModels(env)
    for row in read_models.status():
        print(row)
    read_models.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
