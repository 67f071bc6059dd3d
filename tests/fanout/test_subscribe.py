"""`hazard subscribe`: readable Chinese lines or JSON, filters, replay, a durable consumer resumed."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
import pytest

from infra.clock import SHANGHAI
from infra.relay import running_relay
from services.cli.fanout import main as fanout
from tests.fanout.conftest import enterprise, hazard_steps


@pytest.fixture
def relayed(ledger, log_reader, nats_url, channel, monkeypatch, tmp_path):
    """Two townships' events relayed to this test's stream; `hazard` pointed at it."""
    hazard_steps(ledger, enterprise(ledger, "330226011", "chem"))          # positions 1-3
    last = hazard_steps(ledger, enterprise(ledger, "330226005", "trade"))  # positions 4-6
    with running_relay(log_reader, nats_url, **channel.options) as relay:
        assert relay.wait_for(last)
    monkeypatch.setenv("NATS_URL", nats_url)
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    return ["--stream", channel.stream, "--prefix", channel.prefix]


def test_a_township_office_sees_readable_chinese_lines(relayed, capsys):
    assert fanout(["subscribe", "--township", "330226011", "--from-seq", "1", "--limit", "3", *relayed]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("#1  ") and "登记" in lines[0] and "西店镇·危险化学品" in lines[0]
    assert "隐患上报" in lines[1] and "配电箱未接地" in lines[1]
    assert "落实责任人和整改期限" in lines[2] and "+08:00" in lines[2]


def test_a_regulator_gets_json_lines_replayed_from_a_time(relayed, capsys):
    since = (datetime.now(SHANGHAI) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    assert fanout(["subscribe", "--sector", "trade", "--since", since, "--json", "--limit", "3",
                   *relayed]) == 0
    events = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["position"] for e in events] == [4, 5, 6]
    assert all(e["sector"] == "trade" and ".trade." in e["subject"] for e in events)
    assert events[1]["type"] == "Hazard.Reported" and events[1]["stream_seq"] == 5


def test_a_durable_subscriber_resumes_where_it_stopped(relayed, capsys):
    durable = ["--durable", "office_330226005", "--township", "330226005", "--json", *relayed]
    assert fanout(["subscribe", "--limit", "2", *durable]) == 0
    first = [orjson.loads(line)["position"] for line in capsys.readouterr().out.splitlines()]
    assert fanout(["subscribe", "--limit", "1", *durable]) == 0
    then = [orjson.loads(line)["position"] for line in capsys.readouterr().out.splitlines()]
    assert (first, then) == ([4, 5], [6])


def test_without_nats_url_or_a_running_server_subscribe_says_what_to_do(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("NATS_URL", raising=False)
    monkeypatch.setenv("HAZARD_DATA_DIR", str(tmp_path / "var"))
    assert fanout(["subscribe"]) == 2
    assert "hazard serve" in capsys.readouterr().err
