"""Deciding the rows' histories and encoding their events — in this process for a small ledger,
shared among forked processes for a large one (issue 16 §1, speed: the domain's deciding and
the events' encoding are CPU work; the store's writes stay in the importing process).

Each process decides the rows of its blocks with the domain's own methods (`history.hazard_of`)
and keeps the hazards; the importer learns every row's outcome (bad rows with their reasons,
events per good row) before anything is stored. Only when it stores does it ask for the
encoded events (`encode`), block by block, through the application's mapper (the same
sealing of personal fields, `infra.personal`, so nothing — not even a person's key — is made
for a dry run or a refused file). A forked process makes its own connection for the person
keys, never the parent's."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.errors import DomainError
from domain.hazard import Hazard
from domain.parties import Enterprise
from services.importer import history
from services.importer.rows import LedgerRow

FORK_FROM = 2000  # good rows from which the work is shared by forked processes
PROCESSES = 2  # the machine's CPUs (2 here); the importing process meanwhile waits, then stores

Rows = list[tuple[int, LedgerRow, Enterprise]]  # (row number, row, its enterprise)


@dataclass
class Decided:
    """One block's outcome: the events of each good row, the reasons of each bad one."""

    key: str
    events: list[int] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


class Decider:
    """The work of one process: decide the rows of its blocks, keep the hazards, encode on demand."""

    def __init__(self, blocks: list[tuple[str, Rows]], today: date) -> None:
        self.blocks, self.today = blocks, today
        self.hazards: dict[str, list[Hazard]] = {}

    def decide(self) -> Iterator[Decided]:
        from services.importer.run import reason

        for key, rows in self.blocks:
            out, hazards = Decided(key), []
            for number, row, enterprise in rows:
                try:
                    hazard = history.hazard_of(row, enterprise, self.today)
                except DomainError as e:
                    out.bad.append((number, reason(e)))
                    continue
                hazards.append(hazard)
                out.events.append(len(hazard.pending_events))
            self.hazards[key] = hazards
            yield out

    def encode(self, mapper: Any, keys: list[str]) -> Iterator[tuple[str, list[StoredEvent]]]:
        for key in keys:
            events = [e for h in self.hazards.pop(key) for e in h.collect_events()]
            mapper.prepare(events)  # the block's new persons' keys in one transaction (infra/personal.py)
            yield key, [mapper.to_stored_event(e) for e in events]


class Deciders:
    """`decide()` every block's outcome, then `encode(keys)` the stored events of those blocks
    (in the order given); `close()` when done. Shared among `PROCESSES` forked processes when
    there are at least `FORK_FROM` rows, else done here."""

    def __init__(self, ledger: Any, blocks: list[tuple[str, Rows]], today: date) -> None:
        self.ledger = ledger
        rows = sum(len(r) for _, r in blocks)
        if rows < FORK_FROM or PROCESSES < 2:
            self.local: Decider | None = Decider(blocks, today)
            self.pipes: list[Any] = []
            return
        self.local = None
        context = multiprocessing.get_context("fork")  # the rows and enterprises are inherited, not sent
        gc.freeze()  # the inherited objects out of the collector's sight: not copied by its visits
        self.pipes, self.processes, self.owner = [], [], {}
        for n in range(PROCESSES):
            mine = blocks[n::PROCESSES]
            self.owner.update({key: n for key, _ in mine})
            parent, child = context.Pipe()
            process = context.Process(target=_child, args=(child, Decider(mine, today), dict(ledger.env), ledger.reference),
                                      name=f"import-decider-{n}", daemon=True)
            process.start()
            child.close()
            self.pipes.append(parent)
            self.processes.append(process)

    def decide(self) -> Iterator[Decided]:
        if self.local is not None:
            yield from self.local.decide()
            return
        waiting = list(self.pipes)
        while waiting:
            for pipe in multiprocessing.connection.wait(waiting):
                message = _receive(pipe)
                if message is None:
                    waiting.remove(pipe)
                else:
                    yield message

    def encode(self, keys: list[str]) -> Iterator[tuple[str, list[StoredEvent]]]:
        if self.local is not None:
            yield from self.local.encode(self.ledger.mapper, keys)
            return
        for n, pipe in enumerate(self.pipes):
            pipe.send([k for k in keys if self.owner[k] == n])
        waiting, ready = list(self.pipes), {}
        for key in keys:  # in the order asked, each from the process that decided it
            while key not in ready:
                for pipe in multiprocessing.connection.wait(waiting):
                    message = _receive(pipe)
                    if message is None:
                        waiting.remove(pipe)
                    else:
                        got, events = message
                        ready[got] = [StoredEvent(UUID(bytes=i), v, t, s) for i, v, t, s in events]
            yield key, ready.pop(key)

    def close(self) -> None:
        if self.local is None:
            gc.unfreeze()
        for pipe in self.pipes:
            try:
                pipe.send(None)  # a process still waiting for keys: none
            except OSError:
                pass
            pipe.close()
        for process in getattr(self, "processes", []):
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()

    def __enter__(self) -> Deciders:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _receive(pipe: Any) -> Any:
    try:
        message = pipe.recv()
    except EOFError:
        raise RuntimeError("导入的子进程意外退出") from None
    if isinstance(message, BaseException):
        raise message
    return message


def _child(pipe: Any, decider: Decider, env: dict[str, str], reference: Any) -> None:
    """In a forked process: decide, then wait for the keys to encode (None: nothing to store).
    The cyclic garbage collector is off: this process lives for one import, reference counting
    frees what it drops, and the collector's passes over the growing set of decided hazards
    cost about a third of its CPU (measured)."""
    gc.disable()
    try:
        for decided in decider.decide():
            pipe.send(decided)
        pipe.send(None)
        keys = pipe.recv()
        if keys is None:
            return
        from services.application import HazardLedger

        # its own small pool (the parent's connections are the parent's); the tables exist
        app = HazardLedger({**env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1", "CREATE_TABLE": "n"},
                           reference=reference)
        try:
            for key, events in decider.encode(app.mapper, keys):
                pipe.send((key, [(e.originator_id.bytes, e.originator_version, e.topic, e.state) for e in events]))  # UUID ids
        finally:
            app.close()
        pipe.send(None)
    except BaseException as e:  # noqa: BLE001 - handed to the importing process, which raises it
        try:
            pipe.send(e)
        except Exception:  # noqa: BLE001
            pass
    finally:
        pipe.close()
        os._exit(0)
