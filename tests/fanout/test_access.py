"""`hazard nats-config` on a real nats-server: each subscriber reads only its own events and
nobody but the administrator publishes."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js import api

from infra.nats import server_binary
from infra.relay import running_relay
from services.cli.fanout import main as fanout
from tests.fanout.conftest import enterprise, hazard_steps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def secured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict]]:
    """A nats-server started with the configuration `hazard nats-config` wrote; its consumers
    created by `hazard nats-config --create-consumers` as the administrator."""
    port = _free_port()
    conf = tmp_path / "access" / "nats.conf"
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("NATS_URL", raising=False)
    args = ["nats-config", "--regulator", "chem", "--regulator", "construction",
            "--township", "330226011", "--out", str(conf), "--listen", f"127.0.0.1:{port}"]
    assert fanout(args) == 0
    assert conf.stat().st_mode & 0o777 == 0o600
    credentials = json.loads(conf.with_name("nats.credentials.json").read_text())
    server = subprocess.Popen([server_binary(), "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        url = f"nats://127.0.0.1:{port}"
        monkeypatch.setenv("NATS_URL", _as(url, credentials, "admin"))
        assert fanout(args + ["--create-consumers"]) == 0
        yield url, credentials
    finally:
        server.terminate()
        server.wait(10)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("nats-server did not start")


def _as(url: str, credentials: dict, user: str) -> str:
    return url.replace("nats://", f"nats://{user}:{credentials[user]['password']}@")


def test_the_configuration_names_one_user_per_subscriber_with_its_filter(secured):
    _, credentials = secured
    assert set(credentials) == {"admin", "regulator_chem", "regulator_construction",
                                "township_330226011"}
    assert credentials["regulator_chem"]["filter_subject"] == "hz.*.chem.>"
    assert credentials["township_330226011"]["filter_subject"] == "hz.330226011.>"


def test_a_chemicals_regulator_can_neither_read_construction_events_nor_publish(secured, ledger, log_reader):
    url, credentials = secured
    chem = enterprise(ledger, "330226011", "chem")
    construction = enterprise(ledger, "330226005", "construction")
    hazard_steps(ledger, chem)
    last = hazard_steps(ledger, construction)
    with running_relay(log_reader, _as(url, credentials, "admin")) as relay:   # the relay is the admin
        assert relay.wait_for(last)
    seen = asyncio.run(_as_chemicals_regulator(_as(url, credentials, "regulator_chem")))
    assert seen["own"] and all(".chem." in s for s in seen["own"])
    assert len(seen["own"]) == 3                           # enterprise registered, reported, assigned
    assert seen["construction consumer"] == "refused"
    assert seen["own consumer on construction"] == "refused"
    assert seen["direct read"] == "refused"
    assert seen["plain subscribe"] == "refused"
    assert seen["publish"] == "refused"
    violations = " ".join(seen["errors"])
    for subject in ("consumer.msg.next.hazard_events.regulator_construction",
                    "consumer.durable.create", "stream.msg.get", 'subscription to "hz.>"',
                    'publish to "hz.330226011.chem.hazard.reported"'):
        assert subject in violations, subject
    assert asyncio.run(_stream_messages(_as(url, credentials, "admin"))) == last   # nothing was added


async def _as_chemicals_regulator(url: str) -> dict:
    errors: list[str] = []

    async def on_error(e: Exception) -> None:
        errors.append(str(e).lower())

    nc = await nats.connect(url, error_cb=on_error, max_reconnect_attempts=0)
    js = nc.jetstream(timeout=0.5)
    seen: dict = {"errors": errors}
    try:
        own = await js.pull_subscribe_bind(durable="regulator_chem", stream="HAZARD_EVENTS")
        msgs = await own.fetch(20, timeout=1)
        for m in msgs:
            await m.ack()
        seen["own"] = [m.subject for m in msgs]
        other = await js.pull_subscribe_bind(durable="regulator_construction", stream="HAZARD_EVENTS")
        seen["construction consumer"] = await _refused(other.fetch(20, timeout=0.5))
        seen["own consumer on construction"] = await _refused(js.add_consumer(
            "HAZARD_EVENTS", api.ConsumerConfig(durable_name="mine", filter_subject="hz.*.construction.>")))
        seen["direct read"] = await _refused(js.get_msg("HAZARD_EVENTS", seq=1))
        plain = await nc.subscribe("hz.>")
        seen["plain subscribe"] = await _refused(plain.next_msg(timeout=0.5))
        seen["publish"] = await _refused(js.publish("hz.330226011.chem.hazard.reported", b"{}"))
        await asyncio.sleep(0.2)
    finally:
        await nc.close()
    return seen


async def _refused(attempt) -> str:
    try:
        result = await attempt
    except (TimeoutError, nats.errors.Error):
        return "refused"
    return f"answered: {result!r}"


async def _stream_messages(url: str) -> int:
    nc = await nats.connect(url, max_reconnect_attempts=0)
    try:
        return (await nc.jetstream().stream_info("HAZARD_EVENTS")).state.messages
    finally:
        await nc.close()


def test_a_township_office_reads_only_its_township(secured, ledger, log_reader):
    url, credentials = secured
    hazard_steps(ledger, enterprise(ledger, "330226011", "chem"))
    last = hazard_steps(ledger, enterprise(ledger, "330226005", "chem"))
    with running_relay(log_reader, _as(url, credentials, "admin")) as relay:
        assert relay.wait_for(last)

    async def read() -> list[str]:
        nc = await nats.connect(_as(url, credentials, "township_330226011"), max_reconnect_attempts=0)
        try:
            sub = await nc.jetstream(timeout=1).pull_subscribe_bind(
                durable="township_330226011", stream="HAZARD_EVENTS")
            return [m.subject for m in await sub.fetch(20, timeout=1)]
        finally:
            await nc.close()

    subjects = asyncio.run(read())
    assert len(subjects) == 3 and all(s.startswith("hz.330226011.") for s in subjects)


def test_the_regulators_script_in_the_docs_reads_its_events_with_plain_nats_py(secured, ledger, log_reader, tmp_path):
    import re
    import subprocess
    import sys

    url, credentials = secured
    hazard_steps(ledger, enterprise(ledger, "330226005", "construction"))
    last = hazard_steps(ledger, enterprise(ledger, "330226011", "chem"))
    with running_relay(log_reader, _as(url, credentials, "admin")) as relay:
        assert relay.wait_for(last)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "fanout.md").read_text()
    script = re.search(r"## A regulator's own program.*?```python\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "chem_events.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "chem_events.py"), "3"], capture_output=True,
                          text=True, timeout=30, cwd=tmp_path,
                          env={"NATS_URL": _as(url, credentials, "regulator_chem"), "PATH": ""})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["4", "5", "6"]
    assert all("hz.330226011.chem." in line for line in lines) and "配电箱未接地" in lines[1]
