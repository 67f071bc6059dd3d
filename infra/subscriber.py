"""Reading the fan-out (订阅): a pull consumer on the stream, filtered by township and sector.

Without a durable name the consumer is ephemeral and starts with new events (or at
`from_seq` / `since`); with one it is created on first use (from the beginning unless told
otherwise) and afterwards resumed where its reader stopped — each message is acknowledged
only after it was handled. A durable consumer created by the administrator for a restricted
user (`hazard nats-config`) is bound as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nats.errors
from nats.js import api
from nats.js.errors import NotFoundError

from infra.subjects import PREFIX, STREAM, filter_subject


@dataclass(frozen=True)
class Interest:
    """What a subscriber wants from the stream."""

    township: str | None = None
    sector: str | None = None
    from_seq: int | None = None
    since: datetime | None = None
    durable: str | None = None
    stream: str = STREAM
    prefix: str = PREFIX

    @property
    def subject(self) -> str:
        return filter_subject(self.prefix, self.township, self.sector)

    def consumer_config(self) -> api.ConsumerConfig:
        if self.from_seq is not None:
            start = {"deliver_policy": api.DeliverPolicy.BY_START_SEQUENCE,
                     "opt_start_seq": self.from_seq}
        elif self.since is not None:
            start = {"deliver_policy": api.DeliverPolicy.BY_START_TIME,
                     "opt_start_time": self.since}
        elif self.durable:
            start = {"deliver_policy": api.DeliverPolicy.ALL}
        else:
            start = {"deliver_policy": api.DeliverPolicy.NEW}
        return api.ConsumerConfig(
            durable_name=self.durable, filter_subject=self.subject,
            ack_policy=api.AckPolicy.EXPLICIT,
            inactive_threshold=None if self.durable else 60.0, **start)


async def open_consumer(js: Any, interest: Interest) -> tuple[Any, str | None]:
    """A pull subscription for the interest, and a note when an existing durable consumer's
    own filter differs from the one asked for (its filter wins)."""
    note = None
    if interest.durable:
        try:
            info = await js.consumer_info(interest.stream, interest.durable)
        except NotFoundError:
            await js.add_consumer(interest.stream, interest.consumer_config())
        else:
            existing = info.config.filter_subject
            if (interest.township or interest.sector) and existing != interest.subject:
                note = f"durable consumer {interest.durable} keeps its own filter {existing}"
            elif interest.from_seq is not None or interest.since is not None:
                note = f"durable consumer {interest.durable} resumes where it stopped"
        return await js.pull_subscribe_bind(durable=interest.durable, stream=interest.stream), note
    sub = await js.pull_subscribe(interest.subject, stream=interest.stream,
                                  config=interest.consumer_config())
    return sub, note


async def messages(sub: Any, stopping: asyncio.Event, limit: int | None = None,
                   batch: int = 100) -> AsyncIterator[Any]:
    """Messages as they arrive, in stream order, until `stopping` is set or `limit` came.
    The caller acknowledges each; no more are fetched than `limit` asks for, so none is left
    delivered-but-unacknowledged (it would come again only after the consumer's ack wait)."""
    given = 0
    while not stopping.is_set() and (limit is None or given < limit):
        size = batch if limit is None else min(batch, limit - given)
        try:
            fetched = await sub.fetch(size, timeout=1.0)
        except (TimeoutError, asyncio.TimeoutError, nats.errors.TimeoutError):
            continue
        for msg in fetched:
            given += 1
            yield msg
