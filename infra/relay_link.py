"""The relay's connection to NATS (连接): made, lost, back, moved.

`Link.connect` makes a connection that reconnects by itself for ever (nats-py
`max_reconnect_attempts=-1`, every 0.5 s); while the relay works `Link.check` says, between
batches, whether it must start over — NATS came back after the connection was lost (`NatsBack`:
it may have lost messages it had acknowledged, or stored some the client buffered) or its
address changed (`NatsMoved`: an embedded server restarted on another port; whatever now
answers on the old port is not our server). Each step is logged at WARNING.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import nats
import nats.errors

from infra.nats import servers

log = logging.getLogger("infra.relay")


class NatsBack(Exception):
    """NATS came back after the connection was lost: start over from where the stream ends."""


class NatsMoved(Exception):
    """NATS's address changed (an embedded server restarted on another port)."""


class Link:
    """`address` answers NATS's current address (`Broker.address`, or a fixed one); `stats`
    gets `connected` and `reconnects`, `position()` says how far the relay got (for the logs)."""

    def __init__(self, address: Callable[[], str], stats: Any, position: Callable[[], int],
                 stream: str) -> None:
        self._address = address
        self.stats = stats
        self._position = position
        self.stream = stream
        self.connected_to = ""
        self.back = asyncio.Event()       # set when NATS came back: start over
        self._closing = False
        self._last_error = ""
        self._lost: tuple[float, int] | None = None  # when the connection was lost, at what position

    @property
    def url(self) -> str:
        return self._address()

    async def connect(self, stopping: asyncio.Event) -> Any:
        """A connection that reconnects by itself for ever; None if stopped before it came.
        (nats-py keeps trying the first connect too, so the attempt races `stopping` and a
        change of address.)"""
        pause = 0.2
        while not stopping.is_set():
            url = self.url
            attempt = asyncio.ensure_future(nats.connect(
                servers(url), name="hazardledger-relay", connect_timeout=2,
                allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                error_cb=self._error, disconnected_cb=self._disconnected,
                reconnected_cb=self._reconnected))
            while not (attempt.done() or stopping.is_set() or self.url != url):
                await asyncio.wait([attempt], timeout=0.25)
            if not attempt.done():
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
                continue  # stopping, or NATS moved: try the new address
            try:
                nc = attempt.result()
            except (nats.errors.Error, OSError, TimeoutError) as e:
                log.warning("relay: NATS %s unreachable (%r); retrying", safe(url), e)
                await sleep(stopping, pause)
                pause = min(pause * 2, 5.0)
                continue
            self.connected_to, self.stats.connected = url, True
            if self._lost is not None:  # a new connection after NATS moved
                await self._reconnected()
            return nc
        return None

    async def close(self, nc: Any) -> None:
        self._closing = True
        self.stats.connected = False
        try:
            await asyncio.wait_for(nc.close(), 5)
        except Exception as e:  # noqa: BLE001 - a connection being given up
            log.debug("relay: closing the NATS connection: %r", e)
        self._closing = False

    def check(self) -> None:
        """Between batches: raise NatsBack when NATS came back, NatsMoved when its address
        changed."""
        if self.back.is_set():
            self.back.clear()
            raise NatsBack()
        if self.url != self.connected_to:
            raise NatsMoved(f"NATS moved from {safe(self.connected_to)} to {safe(self.url)}")

    async def _error(self, e: Exception) -> None:
        # while NATS is down every reconnect attempt fails the same way: say it once
        level = logging.DEBUG if repr(e) == self._last_error else logging.WARNING
        self._last_error = repr(e)
        log.log(level, "relay: NATS error: %r", e)

    async def _disconnected(self) -> None:
        self.stats.connected = False
        if self._closing or self._lost is not None:
            return
        self._lost = (time.monotonic(), self._position())
        log.warning("relay: lost NATS %s at position %d; commands go on, the relay reconnects "
                    "by itself and then catches up", safe(self.connected_to), self._position())

    async def _reconnected(self) -> None:
        self._last_error = ""
        self.stats.connected = True
        self.stats.reconnects += 1
        lost_at, position = self._lost or (time.monotonic(), self._position())
        self._lost = None
        log.warning("relay: NATS %s is back after %.1f s (lost at position %d); resuming from "
                    "where stream %s ends", safe(self.connected_to), time.monotonic() - lost_at,
                    position, self.stream)
        self.back.set()


async def sleep(stopping: asyncio.Event, seconds: float) -> None:
    """`seconds`, or less when `stopping` is set meanwhile."""
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except (TimeoutError, asyncio.TimeoutError):
        pass


def safe(url: str) -> str:
    """The address without its user and password (for the logs)."""
    return url.split("@", 1)[-1]
