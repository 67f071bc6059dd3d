"""Keeps the audit hash chain up with the event store, in a background thread of `hazard serve`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from infra.audit_chain import AuditChain

log = logging.getLogger("hazard.audit")


class ChainKeeper:
    """Extends the chain every `interval` seconds; calls `on_head(position, hex)` after each
    pass that chained something (the NATS checkpoint publisher listens there)."""

    def __init__(self, chain: AuditChain, interval: float = 1.0,
                 on_head: Callable[[int, str], None] | None = None) -> None:
        self._chain = chain
        self._interval = interval
        self._on_head = on_head
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-chain", daemon=True)

    def __enter__(self) -> ChainKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while True:  # at least one pass, even when stopped at once
            self._pass()
            if self._stop.wait(self._interval):
                return

    def _pass(self) -> None:
        try:
            if self._chain.extend_all() and self._on_head:
                position, head = self._chain.head()
                self._on_head(position, head.hex())
        except Exception:  # the store may be briefly unavailable; try again next pass
            log.exception("audit chain pass failed")
