"""Where an event happened: the township (乡镇·街道) and sector (行业) of its aggregate.

Hazards, inspections, accidents and enterprises carry `township` and `sector` only on their
creation events; every later event of the same aggregate goes to the same place. The locator
remembers the place per aggregate id and, on a miss (after a restart, say), loads the
aggregate through the application's repository. An aggregate that names an `enterprise_id`
but no place of its own (a service contract, 企业委托服务合同) is placed where that enterprise
is. Anything else (agencies, procurement agreements) has no place: `Place.NOWHERE`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import PersistenceError

log = logging.getLogger(__name__)

# Failures of the database itself: the caller retries later instead of guessing a place.
TRANSIENT = (PersistenceError, psycopg.Error)


@dataclass(frozen=True)
class Place:
    township: str | None
    sector: str | None

    NOWHERE: ClassVar[Place]


Place.NOWHERE = Place(None, None)


class Locator:
    """Township and sector per aggregate id, remembered (bounded, least recently used first out:
    a following of the whole log keeps at most `capacity` of them, whatever its length; each
    place itself is kept once)."""

    def __init__(self, repository: Any, capacity: int = 50_000) -> None:
        self._repository = repository
        self._capacity = capacity
        self._places: OrderedDict[UUID, Place] = OrderedDict()
        self._distinct: dict[tuple[str, str], Place] = {}
        self._lock = threading.RLock()  # a batch abandoned after a failure may still be running

    def place_of(self, event: Any) -> Place:
        with self._lock:
            return self._place_of(event)

    def _place_of(self, event: Any) -> Place:
        ident = event.originator_id
        place = self._recall(ident)
        if place is None:
            place = self._from_state(event)
            if place is None:
                # A creation event without a place means the aggregate never has one.
                place = Place.NOWHERE if event.originator_version == 1 else self._load(ident)
            self._remember(ident, place)
        return place

    def _from_state(self, obj: Any) -> Place | None:
        township, sector = getattr(obj, "township", None), getattr(obj, "sector", None)
        if isinstance(township, str) and isinstance(sector, str):
            return self._place(township, sector)
        enterprise_id = getattr(obj, "enterprise_id", None)
        if isinstance(enterprise_id, str | UUID) and enterprise_id:
            return self._enterprise(enterprise_id)
        return None

    def _enterprise(self, enterprise_id: str | UUID) -> Place:
        try:
            ident = enterprise_id if isinstance(enterprise_id, UUID) else UUID(enterprise_id)
        except ValueError:
            log.warning("relay: enterprise id %r is not a UUID; no township/sector", enterprise_id)
            return Place.NOWHERE
        place = self._recall(ident)
        if place is None:
            place = self._load(ident)
            self._remember(ident, place)
        return place

    def _load(self, ident: UUID) -> Place:
        try:
            aggregate = self._repository.get(ident)
        except TRANSIENT:
            raise
        except AggregateNotFoundError:
            log.warning("relay: aggregate %s not found; its events go out without township/sector",
                        ident)
            return Place.NOWHERE
        except Exception as e:  # noqa: BLE001 - an undecodable history must not stop the relay
            log.warning("relay: aggregate %s cannot be loaded (%s); no township/sector", ident, e)
            return Place.NOWHERE
        place = self._from_state(aggregate)
        return place if place is not None else Place.NOWHERE

    def known(self) -> list[tuple[bytes, str | None, str | None]]:
        """The places remembered, least recently used first, as plain tuples (they cross to
        another process: `learn`)."""
        with self._lock:
            return [(ident.bytes, p.township, p.sector) for ident, p in self._places.items()]

    def learn(self, known: list[tuple[bytes, str | None, str | None]]) -> None:
        """Remember places another locator found (`known`), as if found here."""
        with self._lock:
            for ident, township, sector in known:
                self._remember(UUID(bytes=ident), self._place(township, sector))

    def _place(self, township: str | None, sector: str | None) -> Place:
        if township is None and sector is None:
            return Place.NOWHERE
        place = self._distinct.get((township, sector))  # type: ignore[arg-type]
        return place if place is not None else self._distinct.setdefault(
            (township, sector), Place(township, sector))  # type: ignore[arg-type]

    def _recall(self, ident: UUID) -> Place | None:
        place = self._places.get(ident)
        if place is not None:
            self._places.move_to_end(ident)
        return place

    def _remember(self, ident: UUID, place: Place) -> None:
        self._places[ident] = place
        if len(self._places) > self._capacity:
            self._places.popitem(last=False)
