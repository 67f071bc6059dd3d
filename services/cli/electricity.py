"""`hazard alarms listen`: answer smart-electricity alarms sent over NATS (智慧用电, issue 15 §4,
docs/electricity.md) — requests on `hz-alarms.<enterprise id>`, each handled as
`POST /api/v1/alarms` by this process's own application, until Ctrl-C or SIGTERM. Run one or more
beside `hazard serve` (same DATABASE_URL and NATS_URL): they share the messages (queue group)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from services.alarm_feed import PREFIX
from services.runtime import Config


def register(commands: Any) -> None:
    alarms = commands.add_parser("alarms", help="smart-electricity alarms (智慧用电)").add_subparsers(
        dest="action", required=True)
    listen = alarms.add_parser("listen", help=f"answer alarms sent as NATS requests on {PREFIX}.<enterprise id>")
    listen.add_argument("--prefix", default=PREFIX, help=f"subject prefix (default {PREFIX})")
    listen.set_defaults(run=_listen)


def _listen(args: argparse.Namespace, config: Config) -> int:
    from services.alarm_feed import serve
    from services.api.app import create_app
    from services.runtime import running

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with running(config) as rt:
        app = create_app(rt.ledger, rt.tokens, policy_file=config.settings.policy_file,
                         catalogue=config.criteria, templates=config.checklists)
        url = config.nats_url()
        print(f"alarms: {rt.database.describe()}, answering {args.prefix}.* on NATS", flush=True)
        asyncio.run(_until_signal(app, url, args.prefix, serve))
    return 0


async def _until_signal(app: Any, url: str, prefix: str, serve: Any) -> None:
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    await serve(app, url, stopping, prefix=prefix)
