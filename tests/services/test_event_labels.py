"""Every step a person can see in a history or the event stream has a Chinese label."""

import importlib
import inspect
import pkgutil
import re

import domain
from eventsourcing.domain import Aggregate, DomainEvent

from projections.labels import event_label

CJK = re.compile(r"[\u4e00-\u9fff]")


def stored(aggregate: type, name: str) -> bool:
    """The library's own `Event` and `Created` bases: every aggregate here names its events."""
    return name not in ("Event", "Created")


def domain_events() -> list[tuple[str, str]]:
    found = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, Aggregate) and cls.__module__ == module.__name__):
                continue
            for name, member in vars(cls).items():
                if inspect.isclass(member) and issubclass(member, DomainEvent) and stored(cls, name):
                    found.add((cls.__name__, name))
    return sorted(found)


def test_every_event_of_every_aggregate_has_a_chinese_label():
    events = domain_events()
    assert len(events) > 30  # the walk found the domain's events
    unlabelled = [f"{a}.{n}" for a, n in events if not CJK.search(event_label(a, n))]
    assert not unlabelled, f"events without a Chinese label: {unlabelled}"


def test_names_shared_by_different_records_are_told_apart():
    assert event_label("SelfReport", "Filed") != event_label("SubsidyClaim", "Filed")
    assert event_label("ServiceContract", "Signed") != event_label("ProcurementAgreement", "Signed")
