"""Two relays on the same store and stream by mistake (say `hazard serve` started twice):
the expected-sequence guard still lets each event into the stream once, in order."""

from __future__ import annotations

import time

from contextlib import closing

from infra.relay import open_reader, running_relay
from tests.fanout.conftest import assert_exactly_once_in_order, bulk_hazards, collect, stream_info


def test_two_relays_at_once_still_store_each_event_once_in_order(ledger, log_reader, store_env,
                                                                 nats_url, channel):
    last = bulk_hazards(ledger, 600)
    with closing(open_reader(store_env)) as other_reader, \
            running_relay(log_reader, nats_url, batch_size=50, **channel.options) as one, \
            running_relay(other_reader, nats_url, batch_size=50, **channel.options) as two:
        deadline = time.monotonic() + 30
        while max(one.stats.position, two.stats.position) < last and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # give the other one a moment to try again
    assert one.stats.restarts + two.stats.restarts > 0, "they did get in each other's way"
    assert stream_info(nats_url, channel.stream).state.messages == last
    received = collect(nats_url, channel.stream, f"{channel.prefix}.>", last)
    assert_exactly_once_in_order(received, list(range(1, last + 1)))
