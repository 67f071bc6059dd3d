"""Aggregates and events as plain data for people: times in Asia/Shanghai, dates ISO 8601."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from infra.clock import local
from infra.log_reader import event_data, names_of
from projections.labels import event_label

def aggregate_state(aggregate: Aggregate) -> dict[str, Any]:
    state = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    return {
        "id": str(aggregate.id),
        "type": type(aggregate).__name__,
        "version": aggregate.version,
        "created_at": local(aggregate.created_on),
        "modified_at": local(aggregate.modified_on),
        **state,
    }


def event_entry(event: Any) -> dict[str, Any]:
    aggregate, name = names_of(type(event))
    return {
        "type": f"{aggregate}.{name}",
        "label": event_label(aggregate, name),
        "version": event.originator_version,
        "recorded_at": local(event.timestamp),
        "actor": getattr(event, "actor", None),
        "data": event_data(event),
    }
