"""Upward sync (上报同步, issue 16 §3) on NATS's own machinery: a city's nats-server mirrors the
county's HAZARD_EVENTS over a leafnode, both servers started from the configuration `hazard
nats-config --upstream` writes. The link is cut (the city's server stops) while the relay goes on
publishing; once it is back the city's copy is complete, in order, without duplicates."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import nats
import pytest

from infra.nats import server_binary
from infra.relay import running_relay
from infra.subjects import STREAM
from services.cli.fanout import main as fanout
from tests.fanout.conftest import bulk_hazards, collect
from tests.fanout.test_access import _as, _free_port, _wait_for_port

DOMAIN = "hz330226"


def _start(conf: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([server_binary(), "-c", str(conf)], stderr=subprocess.DEVNULL)
    _wait_for_port(port)
    return server


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(10)


def _last_seq(url: str, stream: str) -> int:
    async def last() -> int:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            return (await nc.jetstream().stream_info(stream)).state.last_seq
        except nats.js.errors.NotFoundError:
            return 0
        finally:
            await nc.close()
    return asyncio.run(last())


def _wait_for_seq(url: str, stream: str, seq: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while (got := _last_seq(url, stream)) < seq:
        assert time.monotonic() < deadline, f"{stream} at {url} did not reach {seq} (at {got})"
        time.sleep(0.2)


@pytest.fixture
def link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    county_port, city_port, leaf_port = _free_port(), _free_port(), _free_port()
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("NATS_URL", raising=False)
    conf = tmp_path / "county" / "nats.conf"
    assert fanout(["nats-config", "--township", "330226011", "--out", str(conf),
                   "--listen", f"127.0.0.1:{county_port}", "--city-listen", f"127.0.0.1:{city_port}",
                   "--upstream", f"nats-leaf://ninghai:s3cret@127.0.0.1:{leaf_port}"]) == 0
    city_conf = conf.with_name("city-upstream.conf")
    text = conf.read_text()
    assert f'domain: "{DOMAIN}"' in text and "leafnodes" in text and city_conf.stat().st_mode & 0o777 == 0o600
    admin = json.loads(conf.with_name("nats.credentials.json").read_text())
    servers = {"city": _start(city_conf, city_port)}
    county = _start(conf, county_port)
    try:
        yield {"county": _as(f"nats://127.0.0.1:{county_port}", admin, "admin"),
               "city": f"nats://127.0.0.1:{city_port}", "city_conf": city_conf, "city_port": city_port,
               "servers": servers}
    finally:
        for server in (county, servers["city"]):
            if server.poll() is None:
                _stop(server)


def test_the_city_mirrors_the_county_through_a_cut_link(link, ledger, log_reader):
    mirror = f"{STREAM}_{DOMAIN}"
    with running_relay(log_reader, link["county"]):
        first = bulk_hazards(ledger, 150)
        _wait_for_seq(link["county"], STREAM, 1)
        assert fanout(["nats-config", "--create-mirror", link["city"], "--domain", DOMAIN]) == 0
        county_head = _relayed(link, first)
        _wait_for_seq(link["city"], mirror, county_head)

        link["servers"]["city"].terminate()  # the link is cut: the city is gone …
        link["servers"]["city"].wait(10)
        last = bulk_hazards(ledger, 150)     # … while the county goes on writing and relaying
        county_head = _relayed(link, last)
        link["servers"]["city"] = _start(link["city_conf"], link["city_port"])  # restored
        _wait_for_seq(link["city"], mirror, county_head)

    county = collect(link["county"], STREAM, "hz.>", county_head)
    city = collect(link["city"], mirror, "hz.>", county_head)
    assert len(county) == county_head and county[-1].msg_id == last
    assert [(r.stream_seq, r.msg_id, r.subject) for r in city] == \
        [(r.stream_seq, r.msg_id, r.subject) for r in county]  # complete, in order, once each


def _relayed(link: dict, position: int) -> int:
    """Wait until the relay has published the event at `position`; answer the county stream's
    last sequence then."""
    async def last() -> tuple[int, int]:
        nc = await nats.connect(link["county"], max_reconnect_attempts=0)
        try:
            js = nc.jetstream()
            seq = (await js.stream_info(STREAM)).state.last_seq
            return seq, int((await js.get_msg(STREAM, seq)).headers["Nats-Msg-Id"]) if seq else 0
        finally:
            await nc.close()

    deadline = time.monotonic() + 30
    while True:
        seq, msg_id = asyncio.run(last())
        if msg_id >= position:
            return seq
        assert time.monotonic() < deadline, "the relay did not publish"
        time.sleep(0.1)
