"""Personal data sealed under a key per person (个人信息加密存储, crypto-shredding; issue 16 §6).

Which stored fields are personal (`PERSONAL`): the responsible person's name and phone
(`Hazard.ResponsibilityAssigned`), an expert's name and certificate number (`Agency.ExpertJoined`,
`MutualHelpGroup.ExpertJoined`, `IndustryAssociation.ExpertJoined`),
the names on a 挂牌督办 notice (`signatory`, `served_by`, `signed_by`) and, on every event, the
name of the token holder who caused it (`actor.name`).

- **Sealing** (`SealingMapper.to_stored_event`): each personal value is replaced, before the
  event is encoded, by `{"_type_": "sealed", "_data_": "<person id>.<base64 nonce ‖ AES-256-GCM
  ciphertext>"}`. The person is found by a keyed hash (HMAC-SHA256 with the store's own secret)
  of its kind and identifying parts (name + phone for a responsible person, name + certificate
  for an expert, token subject + name for an actor): the same person's data in every event
  shares one key. A person seen for the first time gets a random id and a random key.
- **Opening** (`to_domain_event`): the person's key opens the value; a key that is gone (erased,
  or unknown to this store) gives `ERASED` (已删除). Events stored before this module hold plain
  strings: they are read as they are (and cannot be shredded; see docs/privacy.md).
- **Erasing** (`PersonKeys.erase`): the key, the lookup hashes and the phone hint are set to
  NULL. The events table is not touched: the audit chain, which hashes the stored bytes, holds.

Keys live in `person_keys` beside the event store (same schema, same datastore: the one
connection path). Both caches (lookup → person, person → key) expire after `TTL` seconds so that
an erasure made in another process is honoured within that time; the erasing process clears its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import (Mapper, MapperDeserialisationError, StoredEvent, Transcoder,
                                       find_id_convertor)
from eventsourcing.utils import get_topic, resolve_topic
from psycopg.sql import SQL, Identifier

from domain.privacy import ERASED
from infra.pg_tables import OwnTables
from infra.transcoder import SEALED, Sealed

log = logging.getLogger("infra.personal")
TTL = 30.0  # seconds a cached key (or its absence) is trusted
CACHED = 50_000  # entries per cache at most (then it starts again empty)


@dataclass(frozen=True, slots=True)
class Person:
    """One kind of personal field group: which fields identify the person, which are sealed."""

    kind: str
    identify: tuple[str, ...]   # the fields whose values name the person (hashed together)
    seal: tuple[str, ...]       # the fields sealed under the person's key
    phone: str | None = None    # the field whose last digits are kept as a hint (until erased)


# topic → the persons its fields name (the actor's name is sealed on every event: ACTOR)
PERSONAL: dict[str, tuple[Person, ...]] = {
    "domain.hazard:Hazard.ResponsibilityAssigned": (
        Person("responsible", ("responsible_person", "responsible_phone"),
               ("responsible_person", "responsible_phone"), phone="responsible_phone"),),
    "domain.parties:Agency.ExpertJoined": (Person("expert", ("name", "certificate_no"), ("name", "certificate_no")),),
    # experts sent by member enterprises of a mutual-help group or an industry association (issue 15)
    "domain.groups:MutualHelpGroup.ExpertJoined": (Person("expert", ("name", "certificate_no"),
                                                          ("name", "certificate_no")),),
    "domain.groups:IndustryAssociation.ExpertJoined": (Person("expert", ("name", "certificate_no"),
                                                              ("name", "certificate_no")),),
    "domain.hazard:Hazard.ListingIssued": (Person("signatory", ("signatory",), ("signatory",)),),
    "domain.hazard:Hazard.ListingServed": (Person("server", ("served_by",), ("served_by",)),),
    "domain.hazard:Hazard.ListingSigned": (Person("signer", ("signed_by",), ("signed_by",)),),
}
ACTOR = "actor"


def sealed_value(person_id: str, key: bytes, value: str) -> dict[str, str]:
    nonce = os.urandom(12)
    blob = nonce + AESGCM(key).encrypt(nonce, value.encode(), person_id.encode())
    return {"_type_": SEALED, "_data_": f"{person_id}.{base64.b64encode(blob).decode()}"}


def open_value(sealed: Sealed, key: bytes | None) -> str:
    if key is None:
        return ERASED
    blob = base64.b64decode(sealed.text)
    nonce, body = blob[:12], blob[12:]
    return AESGCM(key).decrypt(nonce, body, sealed.person_id.encode()).decode()


def _normal(value: str) -> str:
    return " ".join(str(value).split())


class PersonKeys(OwnTables):
    """The key table (`person_keys`) and the store's lookup secret (`person_secret`)."""

    ddl = (
        "CREATE TABLE IF NOT EXISTS {s}.person_keys ("
        " person_id uuid PRIMARY KEY, kind text NOT NULL, lookup text UNIQUE, name_lookup text,"
        " hint text, key bytea, created timestamptz NOT NULL DEFAULT now(), erased_at timestamptz)",
        "CREATE INDEX IF NOT EXISTS person_keys_name ON {s}.person_keys (name_lookup)",
        "CREATE TABLE IF NOT EXISTS {s}.person_secret ("
        " id int PRIMARY KEY CHECK (id = 1), secret bytea NOT NULL)",
    )

    def __init__(self, datastore: Any) -> None:
        super().__init__(datastore)
        self._lock = threading.Lock()
        self._secret: bytes | None = None
        self._persons: dict[tuple, tuple[str, bytes, float]] = {}   # (kind, parts) → (person id, key, expiry)
        self._keys: dict[str, tuple[bytes | None, float]] = {}      # person id → (key or None, expiry)
        self._erased: int | None = None  # persons erased in the store when last counted
        self._next_count = 0.0

    # --- the secret and the lookups ---------------------------------------------------------
    def secret(self) -> bytes:
        if self._secret is None:
            with self._lock:
                if self._secret is None:
                    self.create_tables()
                    with self.datastore.transaction(commit=True) as curs:
                        curs.execute(self.sql("INSERT INTO {s}.person_secret (id, secret) VALUES (1, %s)"
                                              " ON CONFLICT DO NOTHING"), (os.urandom(32),))
                        curs.execute(self.sql("SELECT secret FROM {s}.person_secret WHERE id = 1"))
                        self._secret = bytes(curs.fetchone()["secret"])
                        curs.execute(self.sql("SELECT count(*) AS n FROM {s}.person_keys WHERE erased_at IS NOT NULL"))
                        self._erased = curs.fetchone()["n"]  # before any value is opened
                        self._next_count = time.monotonic() + TTL
        return self._secret

    def lookup(self, kind: str, parts: tuple[str, ...]) -> str:
        message = "\x1f".join((kind, *(_normal(p) for p in parts))).encode()
        return hmac.new(self.secret(), message, hashlib.sha256).hexdigest()

    def name_lookup(self, name: str) -> str:
        return hmac.new(self.secret(), b"name\x1f" + _normal(name).encode(), hashlib.sha256).hexdigest()

    # --- sealing: the person's id and key, made on first sight -----------------------------
    def person_for(self, kind: str, parts: tuple[str, ...], name: str, phone: str = "") -> tuple[str, bytes]:
        """The person's id and key (made on first sight); cached for `TTL` by the plain parts
        (no hashing on a hit: the write path pays a dict lookup)."""
        now = time.monotonic()
        hit = self._persons.get((kind, parts))
        if hit is not None and hit[2] > now:
            return hit[0], hit[1]
        self.persons_for([(kind, parts, name, phone)])
        hit = self._persons[(kind, parts)]
        return hit[0], hit[1]

    def persons_for(self, wanted: Iterable[tuple[str, tuple[str, ...], str, str]]) -> None:
        """Make (on first sight) and cache the ids and keys of these persons — (kind, identifying
        parts, name, phone) — in one transaction for all those not cached: a batch of events
        naming a thousand new persons pays one round trip, not a thousand. The rows go in in the
        order of their lookups, so two writers making the same persons cannot deadlock."""
        now = time.monotonic()
        missing: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...], str, str]] = {}
        for kind, parts, name, phone in wanted:  # each person once (a block names one many times)
            if (kind, parts) not in missing:
                hit = self._persons.get((kind, parts))
                if hit is None or hit[2] <= now:
                    missing[(kind, parts)] = (kind, parts, name, phone)
        todo = {self.lookup(kind, parts): person for (kind, parts), person in missing.items()}
        if not todo:
            return
        lookups = sorted(todo)
        rows = [(uuid4(), todo[lk][0], lk, self.name_lookup(todo[lk][2]),
                 "".join(c for c in todo[lk][3] if c.isdigit())[-4:] or None, os.urandom(32)) for lk in lookups]
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "INSERT INTO {s}.person_keys (person_id, kind, lookup, name_lookup, hint, key)"
                " SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bytea[])"
                " ON CONFLICT (lookup) DO NOTHING"), [list(column) for column in zip(*rows, strict=True)])
            curs.execute(self.sql("SELECT lookup, person_id, key FROM {s}.person_keys WHERE lookup = ANY(%s)"),
                         (lookups,))
            found = {row["lookup"]: (str(row["person_id"]), bytes(row["key"])) for row in curs.fetchall()}
        if len(self._persons) + len(found) > CACHED:
            self._persons.clear()
        for lk, (person_id, key) in found.items():
            kind, parts = todo[lk][0], todo[lk][1]
            self._persons[(kind, parts)] = (person_id, key, now + TTL)
            self._keys[person_id] = (key, now + TTL)

    # --- opening --------------------------------------------------------------------------
    def key(self, person_id: str) -> bytes | None:
        now = time.monotonic()
        hit = self._keys.get(person_id)
        if hit is not None and hit[1] > now:
            return hit[0]
        self.secret()  # the tables exist
        try:
            rows = self.fetch("SELECT key FROM {s}.person_keys WHERE person_id = %s", (UUID(person_id),))
        except ValueError:
            rows = []
        key = bytes(rows[0]["key"]) if rows and rows[0]["key"] is not None else None
        if len(self._keys) > CACHED:
            self._keys.clear()
        self._keys[person_id] = (key, now + TTL)
        return key

    # --- finding and erasing --------------------------------------------------------------
    def find(self, name: str) -> list[dict]:
        """The persons (not erased) whose data names `name`."""
        return self.fetch("SELECT person_id, kind, hint, created FROM {s}.person_keys"
                          " WHERE name_lookup = %s ORDER BY created", (self.name_lookup(name),))

    def person(self, person_id: str) -> dict | None:
        self.secret()
        try:
            ident = UUID(str(person_id))
        except ValueError:
            return None
        rows = self.fetch("SELECT person_id, kind, hint, created, erased_at, key IS NULL AS shredded"
                          " FROM {s}.person_keys WHERE person_id = %s", (ident,))
        return rows[0] if rows else None

    def erase(self, person_id: str) -> datetime | None:
        """Destroy the person's key and lookups (again: nothing more happens); when it was erased."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql(
                "UPDATE {s}.person_keys SET key = NULL, lookup = NULL, name_lookup = NULL, hint = NULL,"
                " erased_at = coalesce(erased_at, now()) WHERE person_id = %s RETURNING erased_at"),
                (UUID(str(person_id)),))
            row = curs.fetchone()
        self.forget()
        return row["erased_at"] if row else None

    def erased_elsewhere(self) -> bool:
        """Whether a person was erased (by any process) since this one last counted — asked at
        most once per `TTL`, so that values opened before are dropped within that time."""
        now = time.monotonic()
        if self._secret is None or now < self._next_count:
            return False
        self._next_count = now + TTL
        n = self.fetch("SELECT count(*) AS n FROM {s}.person_keys WHERE erased_at IS NOT NULL")[0]["n"]
        changed, self._erased = n != self._erased, n
        return changed

    def forget(self) -> None:
        """Drop the cached keys (this process): the next read asks the table."""
        self._persons.clear()
        self._keys.clear()


def _persons_named(topic: str, state: dict[str, Any]) -> Iterator[tuple[tuple[str, tuple[str, ...], str, str],
                                                                          tuple[str, ...] | None]]:
    """The persons an event's state names: ((kind, identifying parts, name, phone), the fields
    sealed under their key — None for the actor, whose name is sealed inside `actor`)."""
    actor = state.get("actor")
    if isinstance(actor, dict) and isinstance(actor.get("name"), str) and actor["name"]:
        yield (ACTOR, (str(actor.get("id")), actor["name"]), actor["name"], ""), None
    for person in PERSONAL.get(topic, ()):
        values = [state.get(f) for f in person.identify]
        name = values[0]
        if not isinstance(name, str) or not name:
            continue
        phone = state.get(person.phone) if person.phone else ""
        yield (person.kind, tuple(str(v or "") for v in values), name, phone if isinstance(phone, str) else ""), \
            person.seal


class SealingMapper(Mapper):
    """The library's mapper, sealing personal fields before encoding and opening them after."""

    def __init__(self, transcoder: Transcoder, compressor: Any = None, cipher: Any = None, *,
                 keys: PersonKeys) -> None:
        super().__init__(transcoder=transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys
        # (person id, value) → its sealed form: the same value of the same person is sealed once
        # and its bytes reused (AES-GCM with the same key, nonce and plaintext gives the same
        # ciphertext: nothing more is revealed than the person id already says)
        self._sealed: dict[tuple[str, str], dict[str, str]] = {}
        self._opened: dict[str, str] = {}  # sealed text → the value (used only while the key exists)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        topic = get_topic(domain_event.__class__)
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        self._seal(topic, state)
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=topic, state=stored)

    def prepare(self, domain_events: Iterable[Any]) -> None:
        """Make the keys of every person these events name, in one transaction, before they are
        encoded one by one (`to_stored_event` then finds each cached): for a batch of many events,
        such as a block of an imported ledger."""
        self.keys.persons_for(named for e in domain_events
                              for named, _ in _persons_named(get_topic(type(e)), vars(e)))

    def _seal(self, topic: str, state: dict[str, Any]) -> None:
        for (kind, parts, name, phone), fields in _persons_named(topic, state):
            person_id, key = self.keys.person_for(kind, parts, name, phone)
            if fields is None:  # the actor's name
                state["actor"] = {**state["actor"], "name": self._seal_one(person_id, key, name)}
                continue
            for f in fields:
                value = state.get(f)
                if isinstance(value, str) and value:
                    state[f] = self._seal_one(person_id, key, value)

    def _seal_one(self, person_id: str, key: bytes, value: str) -> dict[str, str]:
        sealed = self._sealed.get((person_id, value))
        if sealed is None:
            if len(self._sealed) > CACHED:
                self._sealed.clear()
            sealed = self._sealed[(person_id, value)] = sealed_value(person_id, key, value)
        return sealed

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        # the library's Mapper.to_domain_event (eventsourcing 9.x), with the opening added before
        # the event is built (not called: tests/test_one_reader.py keeps decoding in one place)
        cls = resolve_topic(stored_event.topic)
        stored = stored_event.state
        try:
            if self.cipher:
                stored = self.cipher.decrypt(stored)
            if self.compressor:
                stored = self.compressor.decompress(stored)
            state: dict[str, Any] = self.transcoder.decode(stored)
        except Exception as e:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic '{stored_event.topic}', originator_id "
                f"'{stored_event.originator_id}' and originator_version {stored_event.originator_version}: {e}") from e
        state["originator_id"] = find_id_convertor(cls, type(stored_event.originator_id))(stored_event.originator_id)
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        actor = state.get("actor")
        if isinstance(actor, dict) and type(actor.get("name")) is Sealed:
            actor["name"] = self._open(actor["name"])
        for person in PERSONAL.get(stored_event.topic, ()):
            for f in person.seal:
                if type(state.get(f)) is Sealed:
                    state[f] = self._open(state[f])
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _open(self, sealed: Sealed) -> str:
        key = self.keys.key(sealed.person_id)
        if key is None:
            return ERASED
        value = self._opened.get(sealed.text)
        if value is None:
            if len(self._opened) > CACHED:
                self._opened.clear()
            value = self._opened[sealed.text] = open_value(sealed, key)
        return value

    def forget(self) -> None:
        """Drop every cached key and value (this process), after an erasure."""
        self.keys.forget()
        self._sealed.clear()
        self._opened.clear()


# copies of personal data outside the events, in tables of ours: (table, key, text columns, bytea columns)
COPIES = (("reminders", "reminder_id", ("text", "phone"), ("payload",)),
          ("sms_outbox", "reference", ("text", "phone"), ()),
          ("deliveries", "delivery_id", (), ("payload",)))


def plain_values(mapper: SealingMapper, datastore: Any, events_table: str, person_id: str) -> set[str]:
    """The person's values as stored (opened with the key, which must still exist): found by the
    person id in the stored bytes (a store encrypting whole events finds none)."""
    values: set[str] = set()
    key = mapper.keys.key(person_id)
    if key is None:
        return values
    with datastore.transaction(commit=False) as curs:
        curs.execute(SQL("SELECT state FROM {}.{} WHERE position(%s::bytea in state) > 0").format(
            Identifier(datastore.schema), Identifier(events_table)), (f'"{person_id}.'.encode(),))
        rows = curs.fetchall()
    for row in rows:
        try:
            state = mapper.transcoder.decode(bytes(row["state"]))
        except Exception:  # noqa: BLE001 - not ours to read (an encrypted event): nothing found
            continue
        found = [v for v in state.values() if type(v) is Sealed]
        actor = state.get("actor")
        if isinstance(actor, dict) and type(actor.get("name")) is Sealed:
            found.append(actor["name"])
        values.update(open_value(v, key) for v in found if v.person_id == person_id)
    return values


def redact_copies(datastore: Any, values: set[str]) -> int:
    """Replace the values by 已删除 in the copies kept outside the events (reminders, the SMS
    outbox, deliveries' payloads); values shorter than 2 characters are left (they would match
    too much). The rows changed."""
    changed = 0
    words = sorted((v for v in values if len(v) >= 2), key=len, reverse=True)
    with datastore.transaction(commit=True) as curs:
        for table, key, texts, blobs in COPIES:
            curs.execute("SELECT to_regclass(%s) AS t", (f'"{datastore.schema}"."{table}"',))
            if curs.fetchone()["t"] is None:
                continue
            name = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(table))
            for word in words:
                for column in texts:
                    curs.execute(SQL("UPDATE {t} SET {c} = replace({c}, %s, %s) WHERE position(%s in {c}) > 0")
                                 .format(t=name, c=Identifier(column)), (word, ERASED, word))
                    changed += curs.rowcount
                for column in blobs:  # JSON payloads, changed row by row (one not UTF-8 is left)
                    curs.execute(SQL("SELECT {k} AS k, {c} AS v FROM {t}"
                                     " WHERE position(convert_to(%s, 'UTF8') in {c}) > 0").format(
                                         t=name, c=Identifier(column), k=Identifier(key)), (word,))
                    for row in curs.fetchall():
                        try:
                            text = bytes(row["v"]).decode()
                        except UnicodeDecodeError:
                            log.warning("个人信息删除：%s.%s 中有非 UTF-8 内容，未替换", table, column)
                            continue
                        curs.execute(SQL("UPDATE {t} SET {c} = %s WHERE {k} = %s").format(
                            t=name, c=Identifier(column), k=Identifier(key)),
                            (text.replace(word, ERASED).encode(), row["k"]))
                        changed += 1
    return changed


def sealing_mapper(factory: Any, transcoder: Transcoder) -> Mapper:
    """The application's mapper: sealing on a PostgreSQL store, the library's otherwise."""
    datastore = getattr(factory, "datastore", None)
    if datastore is None:
        return factory.mapper(transcoder=transcoder)
    return SealingMapper(transcoder, compressor=factory.compressor(), cipher=factory.cipher(),
                         keys=PersonKeys(datastore))
