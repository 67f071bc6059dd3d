"""`hazard serve`'s followers alone (views, relay, chain keeper, reminders), for tests that kill
them: `python -m tests.fanout.followers_child` with DATABASE_URL, HAZARD_DB_SCHEMA, NATS_URL."""

from __future__ import annotations

import logging
import signal
import threading

from services.runtime import Config, followers


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("hazard.leadership").setLevel(logging.INFO)  # who leads, as `hazard serve` logs it
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    config = Config()
    with followers(config, config.settings.nats_url or ""):
        print("following", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
