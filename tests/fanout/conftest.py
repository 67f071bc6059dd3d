"""NATS for the fan-out tests: NATS_URL when set (CI), else one embedded nats-server per session.

Each test gets a stream and subject prefix of its own (`channel`), so tests never see each
other's messages on a shared server; tests that stop NATS start their own (`own_nats`).
With CI=true a missing server fails the run, it is never skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import nats
import orjson
import pytest
from nats.js.errors import NotFoundError

from domain.actor import Role
from infra.log_reader import LogReader
from infra.nats import EmbeddedNats
from infra.relay import open_reader
from tests.conftest import actor, credit_code

BUREAU = actor(Role.BUREAU)


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("NATS_URL")
    if url:
        asyncio.run(_check_jetstream(url))  # fails loudly if it is not there
        yield url
        return
    with EmbeddedNats(tmp_path_factory.mktemp("nats")) as server:
        yield server.url


async def _check_jetstream(url: str) -> None:
    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        await nc.jetstream().account_info()
    finally:
        await nc.close()


@pytest.fixture
def log_reader(store_env: dict[str, str]) -> Iterator[LogReader]:
    """The one reader of the test's log, as a relay takes it (`hazard serve` opens it the same way)."""
    reader = open_reader(store_env)
    yield reader
    reader.close()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server this test may stop and start again (same port, same JetStream data)."""
    with EmbeddedNats(tmp_path / "nats") as server:
        yield server


@dataclass(frozen=True)
class Channel:
    stream: str
    prefix: str

    @property
    def options(self) -> dict[str, str]:
        return {"stream": self.stream, "prefix": self.prefix}


@pytest.fixture
def channel(nats_url: str) -> Iterator[Channel]:
    """A stream and subject prefix for this test only; the stream is deleted afterwards."""
    tag = uuid.uuid4().hex[:10]
    chan = Channel(stream=f"HZT_{tag}", prefix=f"hzt{tag}")
    yield chan
    asyncio.run(_delete_stream(nats_url, chan.stream))


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url, max_reconnect_attempts=0)
    try:
        await nc.jetstream().delete_stream(stream)
    except NotFoundError:
        pass
    finally:
        await nc.close()


@dataclass
class Received:
    subject: str
    msg_id: int
    stream_seq: int
    body: dict[str, Any]


def collect(url: str, stream: str, subject: str, count: int, timeout: float = 15.0,
            **connect: Any) -> list[Received]:
    """Read the stream from the start through a filter until `count` messages came, then a
    little longer to catch any extra (a duplicate would show up here)."""
    return asyncio.run(_collect(url, stream, subject, count, timeout, connect))


async def _collect(url: str, stream: str, subject: str, count: int, timeout: float,
                   connect: dict[str, Any]) -> list[Received]:
    nc = await nats.connect(url, max_reconnect_attempts=0, **connect)
    got: list[Received] = []
    try:
        sub = await nc.jetstream().pull_subscribe(subject, stream=stream)
        deadline = asyncio.get_running_loop().time() + timeout
        extra_until = None
        while True:
            now = asyncio.get_running_loop().time()
            if now > deadline or (extra_until is not None and now > extra_until):
                break
            try:
                msgs = await sub.fetch(500, timeout=0.3)
            except (TimeoutError, nats.errors.TimeoutError):
                msgs = []
            for m in msgs:
                got.append(Received(m.subject, int(m.headers["Nats-Msg-Id"]),
                                    m.metadata.sequence.stream, orjson.loads(m.data)))
                await m.ack()
            if len(got) >= count and extra_until is None:
                extra_until = asyncio.get_running_loop().time() + 0.5
    finally:
        await nc.close()
    return got


def stream_info(url: str, stream: str) -> Any:
    async def info() -> Any:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            return await nc.jetstream().stream_info(stream)
        finally:
            await nc.close()

    return asyncio.run(info())


# --- a workload through the real command path ---------------------------------------------------
def enterprise(ledger: Any, township: str = "330226011", sector: str = "chem") -> str:
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=f"{township}{sector}企业",
                                      township=township, sector=sector, scale="small_micro").id


def hazard_steps(ledger: Any, enterprise_id: str) -> int:
    """Report a general hazard and assign responsibility: two events; returns the last position."""
    hazard = ledger.report_hazard(actor(Role.TOWNSHIP), enterprise_id=enterprise_id,
                                  source="government_check", category="unsafe_condition",
                                  description="配电箱未接地", level="general",
                                  discovered_on=date(2026, 6, 1))
    return ledger.assign_responsibility(BUREAU, hazard.id, responsible_person="王五",
                                        deadline=date(2026, 7, 15)).position


def assert_exactly_once_in_order(received: list[Received], expected_positions: list[int]) -> None:
    """Every expected event exactly once, in log order (hence in order for each aggregate)."""
    positions = [r.msg_id for r in received]
    assert len(positions) == len(set(positions)), "a message was delivered twice"
    assert positions == sorted(expected_positions)
    assert all(r.body["position"] == r.msg_id for r in received)
    versions: dict[str, int] = {}
    for r in received:
        aggregate, version = r.body["aggregate_id"], r.body["aggregate_version"]
        assert version > versions.get(aggregate, 0), f"{aggregate} out of order"
        versions[aggregate] = version


def bulk_hazards(ledger: Any, count: int, chunk: int = 200) -> int:
    """`count` hazards in four township/sector places, each reported and assigned (two events),
    saved `chunk` aggregates at a time; returns the last position."""
    from domain.hazard import Hazard
    from domain.parties import Enterprise
    from tests.conftest import TODAY

    places = [("330226011", "chem"), ("330226011", "construction"), ("330226005", "chem"),
              ("330226005", "trade")]
    enterprises = [Enterprise.register(credit_code=credit_code(), name=f"{t}{s}企业", township=t,
                                       sector=s, scale="small_micro", actor=BUREAU) for t, s in places]
    position = ledger.store(*enterprises).position
    for start in range(0, count, chunk):
        hazards = []
        for i in range(start, min(count, start + chunk)):
            hazard = Hazard.report(enterprise=enterprises[i % len(places)], inspection=None,
                                   source="government_check", category="unsafe_condition",
                                   description=f"隐患 {i}", level="general",
                                   discovered_on=date(2026, 6, 1), today=TODAY, actor=BUREAU)
            hazard.assign_responsibility(responsible_person="王五", deadline=date(2026, 7, 15),
                                         assigned_on=date(2026, 6, 2), today=TODAY, actor=BUREAU)
            hazards.append(hazard)
        position = ledger.store(*hazards).position
    return position
