"""Refusals the application adds to the domain's: unknown ids, conflicts in the store."""

from __future__ import annotations


class NotFound(Exception):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} {ident} not found")
        self.kind = kind
        self.ident = ident


class ConcurrentModification(Exception):
    """Another command changed the same aggregate first; nothing was stored, retry."""

    rule = "optimistic-concurrency"


class AlreadyRegistered(Exception):
    """A credit code registered twice."""

    rule = "credit-code-unique"

    def __init__(self, kind: str, credit_code: str) -> None:
        super().__init__(f"{kind} with credit code {credit_code} is already registered")
        self.kind = kind
        self.credit_code = credit_code
