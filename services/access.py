"""Who sees what: the reading scope of a token holder.

(Issue 3 grows this into the full table of who may do what on every route.)
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actor import Role
from infra.auth import Principal


@dataclass(frozen=True)
class Scope:
    """Constraints on the rows a holder may read; None means no constraint on that column."""

    township: str | None = None
    sector: str | None = None
    enterprise_id: str | None = None
    agency_id: str | None = None

    def as_filters(self) -> dict[str, str]:
        """Column → required value, for read models whose rows carry these columns."""
        return {k: v for k, v in vars(self).items() if v is not None}


def read_scope(principal: Principal) -> Scope:
    role = principal.role
    if role == Role.TOWNSHIP:
        return Scope(township=principal.township or "-")
    if role == Role.REGULATOR:
        return Scope(sector=principal.sector or "-")
    if role == Role.ENTERPRISE:
        return Scope(enterprise_id=principal.enterprise_id or "-")
    if role == Role.AGENCY:
        return Scope(agency_id=principal.agency_id or "-")
    return Scope()  # bureau, auditor, investigator, admin: the whole county
