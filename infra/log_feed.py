"""News of the notification log (通知日志): LISTEN/NOTIFY on the store's channel, for a follower
that reads the log through the one reader of it (`infra.log_reader.LogReader`).

The recorder NOTIFYs on every insert. A listener thread LISTENs on the reader's recorder's
channel (a connection of the reader's pool) and wakes `wait`; `rearm` forgets earlier news —
call it just before asking for the next page, so news that comes while that page is read is
kept. Without a notification `wait` returns after its timeout anyway, so a missed one only
costs that much delay.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from psycopg.sql import SQL, Identifier

from infra.log_reader import LogReader

log = logging.getLogger(__name__)


class LogFeed:
    """Wake-ups when something new may be in the log that `reader` reads."""

    def __init__(self, reader: LogReader) -> None:
        self._recorder: Any = reader.recorder
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notified = asyncio.Event()
        self._stopped = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="relay-listen", daemon=True)

    def __enter__(self) -> LogFeed:
        self._loop = asyncio.get_running_loop()
        self._listener.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._listener.join(2)

    def rearm(self) -> None:
        """Forget earlier wake-ups; call in the event loop just before asking for a page."""
        self._notified.clear()

    async def wait(self, timeout: float, *events: asyncio.Event) -> None:
        """Until something new may be in the log (a NOTIFY), one of `events` is set (`stopping`,
        say), or `timeout` s."""
        waiters = [asyncio.ensure_future(self._notified.wait()),
                   *(asyncio.ensure_future(event.wait()) for event in events)]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                channel = Identifier(self._recorder.channel_name)
                with self._recorder.datastore.get_connection() as conn:
                    conn.execute(SQL("LISTEN {0}").format(channel))
                    try:
                        while not self._stopped.is_set():
                            for _ in conn.notifies(timeout=0.2, stop_after=1):
                                self._wake()
                    finally:  # the connection goes back to the application's pool
                        conn.execute(SQL("UNLISTEN {0}").format(channel))
            except Exception as e:  # noqa: BLE001 - the relay polls meanwhile; try again
                log.warning("relay: LISTEN failed (%r); polling until it works again", e)
                self._stopped.wait(1.0)

    def _wake(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._notified.set)
