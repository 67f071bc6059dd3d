"""A three-node JetStream cluster (issue 18 §3) from the configuration `hazard nats-config
--cluster 3` writes: three nats-servers on loopback, the events stream created by the real relay
with three replicas; one node is killed while the relay publishes; the stream is complete, in
log order, without duplicates."""

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
from infra.publisher import ensure_reminder_stream
from infra.subjects import PREFIX, REMINDER_STREAM, STREAM
from services.cli.fanout import main as fanout
from tests.fanout.conftest import assert_exactly_once_in_order, bulk_hazards, collect
from tests.fanout.test_access import _as, _free_port, _wait_for_port


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    clients, routes = [_free_port() for _ in range(3)], [_free_port() for _ in range(3)]
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("NATS_URL", raising=False)
    conf = tmp_path / "nats" / "nats.conf"
    assert fanout(["nats-config", "--township", "330226011", "--out", str(conf), "--cluster", "3",
                   "--client-ports", ",".join(map(str, clients)), "--route-ports", ",".join(map(str, routes))]) == 0
    confs = [conf.with_name(f"nats-hz-{i}.conf") for i in (1, 2, 3)]
    assert all(c.stat().st_mode & 0o777 == 0o600 for c in confs)
    admin = json.loads(conf.with_name("nats.credentials.json").read_text())
    servers = [subprocess.Popen([server_binary(), "-c", str(c)], stderr=subprocess.DEVNULL) for c in confs]
    try:
        for port in clients:
            _wait_for_port(port)
        urls = [_as(f"nats://127.0.0.1:{p}", admin, "admin") for p in clients]
        _wait_for_jetstream(urls[0])
        yield {"urls": urls, "servers": servers}
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
                server.wait(10)


def _wait_for_jetstream(url: str, timeout: float = 30.0) -> None:
    """Until the cluster has elected its JetStream meta leader (account info answers)."""
    async def ready() -> bool:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            await nc.jetstream().account_info()
            return True
        except Exception:  # noqa: BLE001 - not yet
            return False
        finally:
            await nc.close()
    deadline = time.monotonic() + timeout
    while not asyncio.run(ready()):
        assert time.monotonic() < deadline, "the JetStream cluster did not elect a leader"
        time.sleep(0.3)


def _stream(url: str) -> tuple[int, int]:
    """(replicas, messages) of the events stream; (0, 0) while it has no leader (a node was just
    lost and the others are electing one) or does not exist yet."""
    async def info() -> tuple[int, int]:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            got = await nc.jetstream().stream_info(STREAM)
            return got.config.num_replicas, got.state.messages
        except (nats.errors.Error, TimeoutError):
            return 0, 0
        finally:
            await nc.close()
    return asyncio.run(info())


def test_the_stream_survives_a_lost_node_complete_and_in_order(cluster, ledger, log_reader):
    urls, servers = cluster["urls"], cluster["servers"]
    with running_relay(log_reader, ",".join(urls), replicas=3, stall_after=10):
        first = bulk_hazards(ledger, 100)
        _until(lambda: _stream(urls[1])[1] >= first, "the relay did not publish")
        assert _stream(urls[1])[0] == 3  # three copies
        assert _reminder_replicas(urls[1]) == 3  # the reminders' stream too, as the deliverer makes it
        servers[0].kill()  # a node is lost (the relay may have been connected to it) …
        servers[0].wait(10)
        last = bulk_hazards(ledger, 200)  # … while events go on being written
        _until(lambda: _stream(urls[2])[1] >= last, "the stream did not catch up without the lost node")
    assert_exactly_once_in_order(_read_all(urls[2], last), list(range(1, last + 1)))


def _reminder_replicas(url: str) -> int:
    async def made() -> int:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            js = nc.jetstream()
            await ensure_reminder_stream(js, REMINDER_STREAM, PREFIX, events_stream=STREAM, replicas=3)
            return (await js.stream_info(REMINDER_STREAM)).config.num_replicas
        finally:
            await nc.close()
    return asyncio.run(made())


def _read_all(url: str, count: int, timeout: float = 60.0) -> list:
    """The whole stream through a new consumer — retried while the cluster, one node short,
    still places it (creating a consumer times out until the stream has a leader again)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return collect(url, STREAM, "hz.>", count)
        except (nats.errors.Error, TimeoutError):
            assert time.monotonic() < deadline, "no consumer could be created on the cluster"
            time.sleep(0.5)


def _until(check, message: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_a_cluster_needs_an_odd_number_of_nodes_and_distinct_ports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    out = str(tmp_path / "n" / "nats.conf")
    assert fanout(["nats-config", "--township", "330226011", "--out", out, "--cluster", "2"]) == 2
    assert "3 或 5" in capsys.readouterr().err
    assert fanout(["nats-config", "--township", "330226011", "--out", out, "--cluster", "3",
                   "--client-ports", "4222,4222,4224"]) == 2
    assert "端口不能重复" in capsys.readouterr().err
    assert not (tmp_path / "n").exists()  # nothing written


def test_the_replica_setting_is_checked_when_read():
    from infra.settings import Settings

    assert Settings.from_env({"HAZARD_NATS_REPLICAS": "3"}).nats_replicas == 3
    assert Settings.from_env({}).nats_replicas == 1
    for bad in ("0", "7", "three"):
        with pytest.raises(ValueError, match="HAZARD_NATS_REPLICAS"):
            Settings.from_env({"HAZARD_NATS_REPLICAS": bad})
