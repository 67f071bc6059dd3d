"""Event versions and upcasters (docs/events.md): how events stored long ago are read today.

The library's own mechanism: an event class's `class_version` (1 when absent; stored in the
event's state only above 1) and static methods `upcast_v1_v2`, `upcast_v2_v3`, … that bring a
stored state up one version each before the event is built. Upcasters are pure and only ever
add what an older version lacked; they never change what was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Upcaster = Callable[[dict[str, Any]], None]


def versioned(event_class: type, version: int, **upcasters: Upcaster) -> None:
    """Give `event_class` its `class_version` and one upcaster per step from version 1."""
    needed = {f"upcast_v{n}_v{n + 1}" for n in range(1, version)}
    if set(upcasters) != needed:
        raise TypeError(f"{event_class.__name__} v{version} needs {sorted(needed)}")
    event_class.class_version = version
    for name, upcast in upcasters.items():
        setattr(event_class, name, staticmethod(upcast))


def criterion_cited(state: dict[str, Any]) -> None:
    """`Hazard.Regraded` v1 → v2: events stored before issue 13 cite no criterion (判定依据);
    they are read as citing none. Events stored with one keep it."""
    state.setdefault("criterion", None)


def hazard_reported_v1_v2(state: dict[str, Any]) -> None:
    """`Hazard.Reported` v1 → v2: a criterion (issue 13) and the `migrated` flag (issue 16 §1)
    are always there. Older events cite none and were not imported from an old ledger."""
    criterion_cited(state)
    state.setdefault("migrated", False)


def referral_referred_v1_v2(state: dict[str, Any]) -> None:
    """`Referral.Referred` v1 → v2: events stored before issue 14 §4 name no joint meeting
    (联席会); they are read as not a meeting's decision."""
    state.setdefault("meeting", None)
