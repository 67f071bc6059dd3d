"""Keeps the audit hash chain up with the event store, in a background thread of `hazard serve`."""

from __future__ import annotations

import logging
import threading

from infra.audit_chain import AuditChain

log = logging.getLogger("hazard.audit")


class ChainKeeper:
    """Extends the chain every `interval` seconds (the relay reads its head for the NATS
    checkpoints)."""

    def __init__(self, chain: AuditChain, interval: float = 1.0) -> None:
        self._chain = chain
        self._interval = interval
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
            self._chain.extend_all()
        except Exception:  # the store may be briefly unavailable; try again next pass
            log.exception("audit chain pass failed")
