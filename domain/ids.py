"""Ids derived from a record's natural key: the same key always gives the same id, so recording
a thing twice (a retry, a second registration of one credit code) conflicts in the store instead
of storing it twice."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


def natural_id(kind: str, *key: object) -> UUID:
    """The id of the `kind` record whose natural key is `key` (`hazardledger:<kind>:<key…>`)."""
    return uuid5(NAMESPACE_URL, ":".join(["hazardledger", kind, *map(str, key)]))
