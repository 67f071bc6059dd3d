"""Embedded NATS: with NATS_URL unset, a nats-server with JetStream under the data folder, on
loopback and a free port (never 4222), found by other commands, stopped on exit."""

from __future__ import annotations

import socket
import time

from infra.nats import STANDARD_PORT, Broker, locate
from infra.relay import running_relay
from infra.settings import Settings
from tests.fanout.conftest import assert_exactly_once_in_order, collect, enterprise, hazard_steps


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_an_embedded_broker_runs_under_the_data_folder_on_a_free_port(tmp_path):
    settings = Settings.from_env({"HAZARD_DATA_DIR": str(tmp_path / "var")})
    with Broker(settings) as broker, Broker(Settings.from_env(
            {"HAZARD_DATA_DIR": str(tmp_path / "other")})) as beside:
        port = broker.embedded.port
        assert broker.url == f"nats://127.0.0.1:{port}" and port != STANDARD_PORT
        assert beside.embedded.port not in (port, STANDARD_PORT)     # two data folders at once
        assert (tmp_path / "var" / "nats" / "jetstream").is_dir()
        assert locate(settings) == broker.url                          # `hazard subscribe` finds it
        assert "embedded NATS" in broker.describe()
    assert not _accepts(port)
    assert not (tmp_path / "var" / "nats" / "url").exists()


def test_a_relay_started_while_nats_is_down_catches_up_when_it_comes(ledger, log_reader, own_nats):
    own_nats.stop()
    first = hazard_steps(ledger, enterprise(ledger))
    with running_relay(log_reader, own_nats.url) as relay:
        time.sleep(0.5)
        assert relay.stats.position == 0
        own_nats.start()
        last = hazard_steps(ledger, enterprise(ledger))
        assert relay.wait_for(last, timeout=15), relay.stats
    assert first < last
    assert_exactly_once_in_order(collect(own_nats.url, "HAZARD_EVENTS", "hz.>", last),
                                 list(range(1, last + 1)))
