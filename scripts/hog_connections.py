#!/usr/bin/env python3
"""Hold N connections of a PostgreSQL server until stopped: another tenant of a shared server.

    .venv/bin/python scripts/hog_connections.py 70 &     # DATABASE_URL, else 127.0.0.1:5432/test
    CI=true ... .venv/bin/python -m pytest                 # the suite still passes (budget: 20)
    kill %1                                                # or Ctrl-C: the connections close

The connections carry the application name `hazard-hog`, so the tests' budget check never
counts them. Prints one line when all are open, then waits (SIGTERM or SIGINT ends it).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="占用 PostgreSQL 的 N 个连接，直到被终止")
    parser.add_argument("count", type=int, help="连接数")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    args = parser.parse_args(argv)
    held = []
    try:
        for n in range(args.count):
            try:
                held.append(psycopg.connect(args.url, application_name="hazard-hog", connect_timeout=5,
                                            autocommit=True))
            except psycopg.OperationalError as e:
                print(f"hog: 第 {n + 1} 个连接失败：{e}", file=sys.stderr)
                return 1
        busy = held[0].execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
        print(f"hog: 已占用 {len(held)} 个连接（服务器上的客户端连接共 {busy.fetchone()[0]} 个）；"
              f"进程 {os.getpid()}，kill 它即释放", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        for conn in held:
            conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
