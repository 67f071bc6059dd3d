"""Erasure of personal information (个人信息删除, 个人信息保护法第四十七条; issue 16 §6).

Finding a person by name (`find_persons`: the store's pseudonymous person ids) and erasing one
(`erase_person`): the erasure is recorded as an event (`Erasure.Recorded`), then the person's key
is destroyed (`infra.personal.PersonKeys.erase`) and this process's caches are dropped, so that
every later read opens the person's fields as 已删除. The views are rebuilt by the caller
(`services.privacy.refresh_views`). Erasing an erased person records nothing new and destroys
nothing more (idempotent); the answer is the first erasure.
"""

from __future__ import annotations

from domain.privacy import Erasure, erasure_id
from infra.personal import PersonKeys, SealingMapper, plain_values, redact_copies
from services.errors import ConcurrentModification, NotFound


class PrivacyCommands:
    """Mixed into `HazardLedger`."""

    @property
    def person_keys(self) -> PersonKeys:
        mapper = self.mapper
        if not isinstance(mapper, SealingMapper):
            raise NotFound("Person", "（此存储不加密个人信息）")
        return mapper.keys

    def find_persons(self, name: str) -> list[dict]:
        """The persons (not erased) whose data names `name`: id, kind, phone's last digits, since."""
        return [{**r, "person_id": str(r["person_id"])} for r in self.person_keys.find(name)]

    def legacy_mentions(self, name: str) -> int:
        """How many stored events hold `name` as a plain value (written before personal data was
        sealed: they cannot be shredded; docs/privacy.md). A scan of the events table."""
        import orjson
        from psycopg.sql import SQL, Identifier

        datastore = self.recorder.datastore
        with datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT count(*) AS n FROM {}.{} WHERE position(%s::bytea in state) > 0").format(
                Identifier(datastore.schema), Identifier(self.recorder.events_table_name)),
                (orjson.dumps(" ".join(name.split())),))
            return curs.fetchone()["n"]

    def erase_person(self, actor, person_id: str, *, reason: str):
        keys = self.person_keys
        person = keys.person(person_id)
        if person is None:
            raise NotFound("Person", str(person_id))
        person_id = str(person["person_id"])
        ident = erasure_id(person_id)
        written = None
        if self.find(Erasure, ident) is None:
            erasure = Erasure.record(person_id=person_id, kind=person["kind"], reason=reason,
                                     erased_on=self.today(), actor=actor)
            try:
                written = self.store(erasure)
            except ConcurrentModification:  # erased at the same moment by another request
                written = None
        mapper = self.mapper
        copies = plain_values(mapper, self.recorder.datastore, self.recorder.events_table_name, person_id)
        redact_copies(self.recorder.datastore, copies)  # reminders, SMS outbox, deliveries
        keys.erase(person_id)  # after the record: a failure here is finished by erasing again
        self.forget_personal()
        if written is not None:
            return written
        from services.application import Written  # the answer of every write (defined beside the mixins)

        return Written(id=str(ident), position=self.recorder.max_notification_id() or 0)

    def forget_personal(self) -> None:
        """Drop what this process opened: cached keys and values, and the aggregates holding them."""
        mapper = self.mapper
        if isinstance(mapper, SealingMapper):
            mapper.forget()
        _empty(getattr(self.repository, "cache", None))

    def check_erasures(self) -> None:
        """Before a load: a person erased by another process (another API replica, the console)
        since the last check (at most every 30 s) empties this process's caches."""
        mapper = self.mapper
        if isinstance(mapper, SealingMapper) and mapper.keys.erased_elsewhere():
            self.forget_personal()


def _empty(cache) -> None:
    """Drop every cached aggregate. The library's `LRUCache.clear()` resets only its recency
    list and keeps the entries (eventsourcing 9.x), so its dict is emptied here too."""
    if cache is None:
        return
    lock = getattr(cache, "lock", None)
    if lock is None:
        cache.cache.clear()
        return
    with lock:
        cache.cache.clear()
        cache.clear()
        cache.full = False
