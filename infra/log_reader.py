"""The one reader of the notification log (通知日志): pages of it, decoded.

Every follower of the log reads it here — the views (rebuilds and catch-up), the NATS relay,
the audit chain, the dashboard's event stream and the auditor's export — and this is the one
place that turns a stored event into its aggregate and event names (`names_of`,
`names_of_topic`).

`EventLog` is the event-sourced application `services.application.HazardLedger` seen from the
read side: the same name (so the same `hazardledger_events` table), the same orjson transcoder
and the same cipher settings, but none of the commands. Its `repository` serves followers that
must look an aggregate up (the relay places an event in its township and sector).

Pages come from the `eventsourcing` recorder's own `select_notifications`, in position order;
the recorder's table lock makes positions visible in commit order, so reading "after N" never
skips an event that commits later.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Notification, Transcoder

from infra.personal import sealing_mapper
from infra.transcoder import OrjsonTranscoder

APPLICATION = "HazardLedger"  # the one application whose notification log everything follows
PAGE = 500


class EventLog(Application):
    """The application's log and repository, without commands (the read side)."""

    name = APPLICATION

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper:
        """Personal fields sealed under a key per person (`infra.personal`)."""
        return sealing_mapper(self.factory, self.construct_transcoder())


@functools.cache
def names_of(event_class: type) -> tuple[str, str]:
    """("Hazard", "Reported") for the event class `Hazard.Reported`."""
    aggregate, _, name = event_class.__qualname__.rpartition(".")
    return (aggregate.rpartition(".")[2] or name), name


@functools.cache
def names_of_topic(topic: str) -> tuple[str, str]:
    """("Hazard", "Reported") for the stored topic "domain.hazard:Hazard.Reported"."""
    aggregate, _, name = topic.rpartition(":")[2].rpartition(".")
    return (aggregate.rpartition(".")[2] or name), name


EVENT_META = frozenset({"originator_id", "originator_version", "timestamp", "actor", "originator_topic"})


def event_data(event: Any) -> dict[str, Any]:
    """The event's own fields (业务数据): everything but the envelope (`EVENT_META`)."""
    return {k: v for k, v in vars(event).items() if k not in EVENT_META}


@dataclass(frozen=True, slots=True)
class Logged:
    """One event of the log: its position, names, the stored record and the decoded event
    (`event` is None and `error` says why when it cannot be decoded)."""

    position: int
    aggregate: str
    name: str
    notification: Notification
    event: Any = None
    error: Exception | None = None

    @property
    def kind(self) -> str:
        """"Hazard.Reported": the key views and labels use."""
        return f"{self.aggregate}.{self.name}"


class LogReader:
    """Pages of the log after a position, decoded with the application's mapper."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.recorder: Any = app.recorder
        self.mapper = app.mapper

    @classmethod
    def open(cls, env: Mapping[str, str]) -> LogReader:
        """A reader on its own read-side application (close it)."""
        return cls(EventLog(dict(env)))

    def close(self) -> None:
        self.app.close()

    @property
    def repository(self) -> Any:
        return self.app.repository

    def head(self) -> int:
        """The position of the newest stored event (0 when the log is empty)."""
        return self.recorder.max_notification_id() or 0

    def notifications(self, after: int, limit: int = PAGE, stop: int | None = None,
                      topics: Sequence[str] = ()) -> Sequence[Notification]:
        """The stored records after `after` (at most `limit`, up to `stop`), not decoded."""
        return self.recorder.select_notifications(start=after, limit=limit, stop=stop, topics=topics,
                                                  inclusive_of_start=False)

    def decode(self, notification: Notification) -> Logged:
        """The notification with its names and decoded event; never raises for a bad event."""
        aggregate, name = names_of_topic(notification.topic)
        try:
            event = self.mapper.to_domain_event(notification)
        except Exception as e:  # noqa: BLE001 - an unknown topic or broken body is reported
            return Logged(notification.id, aggregate, name, notification, None, e)
        return Logged(notification.id, aggregate, name, notification, event)

    def page(self, after: int, limit: int = PAGE, stop: int | None = None,
             topics: Sequence[str] = ()) -> list[Logged]:
        """The next decoded events after `after`; may be empty."""
        decode = self.decode
        return [decode(n) for n in self.notifications(after, limit, stop, topics)]

    def pages(self, after: int = 0, limit: int = PAGE, stop: int | None = None) -> Iterator[list[Logged]]:
        """Decoded pages from `after` to `stop` (or the end of the log as it is then)."""
        while True:
            page = self.page(after, limit, stop)
            if not page:
                return
            yield page
            after = page[-1].position
