"""The audit chain's head goes out on hz._._.audit.checkpoint, inside the relay's own sequence."""

from __future__ import annotations

import asyncio

import nats
import orjson

from infra.chain_keeper import ChainKeeper
from infra.relay import running_relay
from tests.conftest import actor, credit_code


async def _messages(url: str, stream: str, subject: str) -> list[tuple[str, dict]]:
    nc = await nats.connect(url, max_reconnect_attempts=0)
    try:
        sub = await nc.jetstream().pull_subscribe(subject, stream=stream)
        try:
            msgs = await sub.fetch(100, timeout=1)
        except nats.errors.TimeoutError:
            msgs = []
        return [(m.headers["Nats-Msg-Id"], orjson.loads(m.data)) for m in msgs]
    finally:
        await nc.close()


def test_checkpoints_witness_the_chain_and_a_restart_repeats_no_event(ledger, log_reader, nats_url, channel):
    for n in range(5):
        ledger.register_agency(actor("bureau"), credit_code=credit_code(), name=f"机构{n}")
    chain = ledger.audit_chain()
    with ChainKeeper(chain, interval=0.05):
        pass
    with running_relay(log_reader, nats_url, **channel.options, chain_head=chain.head,
                       checkpoint_every=0) as relay:
        assert relay.wait_for(5)
    got = asyncio.run(_messages(nats_url, channel.stream, f"{channel.prefix}._._.audit.checkpoint"))
    assert [(msg_id, body["position"]) for msg_id, body in got] == [("checkpoint-5", 5)]
    assert got[0][1]["chain"] == chain.head()[1].hex()

    with running_relay(log_reader, nats_url, **channel.options, chain_head=chain.head,
                       checkpoint_every=0) as relay:  # restarted after a checkpoint was last
        ledger.register_agency(actor("bureau"), credit_code=credit_code(), name="机构5")
        assert relay.wait_for(6)
    everything = asyncio.run(_messages(nats_url, channel.stream, f"{channel.prefix}.>"))
    events = [int(msg_id) for msg_id, _ in everything if msg_id.isdigit()]
    assert events == [1, 2, 3, 4, 5, 6]  # the restart after a checkpoint repeated nothing
    assert everything[5][0] == "checkpoint-5"  # the witness sits right after the event it follows
