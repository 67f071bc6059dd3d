"""Who may do what, and on whose records: the whole access policy in one table.

Two questions for every request:
1. May this role take this action at all?           → POLICY below (action → roles)
2. Is the record inside the token holder's scope?   → `in_scope`
   bureau, auditor, investigator, admin: the whole county
   township:   records of its township           regulator:  records of its sector
   enterprise: its own records                   agency:     its own records, and those of
               enterprises it has a service contract with or that one of its procurement
               agreements covers (township × sector)
A "no" to either is 403 naming the action. Auditors read and never write; investigators read, and write only their findings about
an accident (事故调查认定).
The domain adds its own rules about who acts (`Rule.about_who` in domain/rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actor import Role
from infra.auth import Principal

B, T, R, A, E, AU, IN, AD = (Role.BUREAU, Role.TOWNSHIP, Role.REGULATOR, Role.AGENCY,
                             Role.ENTERPRISE, Role.AUDITOR, Role.INVESTIGATOR, Role.ADMIN)
EVERYONE = frozenset(Role)

# action (= route name)              roles that may take it
POLICY: dict[str, frozenset[Role]] = {
    # reference data and reading one record (scope still applies to records)
    "reference.townships":           EVERYONE,
    "reference.sectors":             EVERYONE,
    **{f"{kind}.{what}": EVERYONE
       for kind in ("enterprise", "agency", "agreement", "contract", "inspection", "hazard",
                    "accident") for what in ("read", "history")},
    "audit.verify":                  frozenset({B, AU, IN, AD}),
    # read models: every role, each limited to the rows of its scope (read_scope below)
    "ledger.read":                   EVERYONE,
    "rates.read":                    EVERYONE,
    "compliance.read":               EVERYONE,
    "statistics.read":               EVERYONE,
    "events.stream":                 EVERYONE,  # live events for the dashboard, filtered by scope
    # accountability (issue 6)
    "agency.accountability":          frozenset({B, A, AU, IN, AD}),   # an agency: its own record only
    "trace.enterprise":               frozenset({B, T, AU, IN, AD}),   # a township: its enterprises
    "coverage.read":                  frozenset({B, T, R, AU, IN, AD}),  # rows filtered by read_scope
    "subsidy.read":                   frozenset({B, A, AU, AD}),       # rows filtered: an agency its own
    "subsidy.claim.read":             frozenset({B, T, A, AU, IN, AD}),
    "subsidy.claim.file":             frozenset({B, A}),               # the bill is computed, not typed
    "subsidy.claim.township-check":   frozenset({T}),                  # 初审
    "subsidy.claim.bureau-review":    frozenset({B}),                  # 审核
    "subsidy.claim.finance-approval": frozenset({B}),                  # 审定 (recorded by the bureau)
    "subsidy.claim.notice":           frozenset({B}),                  # 公示
    "subsidy.claim.pay":              frozenset({B}),                  # 拨付
    "audit.export":                   frozenset({B, AU, IN, AD}),
    # parties
    "enterprise.register":           frozenset({B, T, AD}),
    "agency.register":               frozenset({B, AD}),
    "agency.expert.add":             frozenset({B, A, AD}),
    "agency.expert.leave":           frozenset({B, A, AD}),
    "agency.admit":                  frozenset({B}),
    "agency.evaluate":               frozenset({B}),
    "agency.blacklist":              frozenset({B}),
    "agency.reinstate":              frozenset({B}),
    "accident.record":               frozenset({B, T, R}),
    "accident.finding":              frozenset({B, IN}),  # the investigation team records findings
    # contracts
    "agreement.sign":                frozenset({B}),
    "contract.sign":                 frozenset({B, A, E}),
    "contract.renew":                frozenset({B, A, E}),
    "contract.terminate":            frozenset({B, A, E}),
    # inspections
    "inspection.schedule":           frozenset({B, T, A, E}),
    "inspection.perform":            frozenset({B, A, E}),
    "inspection.file-report":        frozenset({B, A, E}),
    "inspection.cancel":             frozenset({B, T, A, E}),
    # the hazard lifecycle
    "hazard.report":                 frozenset({B, T, R, A, E}),
    "hazard.assign":                 frozenset({B, T, R, E}),
    "hazard.plan":                   frozenset({B, A, E}),
    "hazard.supervise":              frozenset({B}),
    "hazard.enforce":                frozenset({R}),
    "hazard.rectify":                frozenset({B, T, A, E}),
    "hazard.review":                 frozenset({B, T, R, A}),
    "hazard.closure-report":         frozenset({B, T, A, E}),
    "hazard.close":                  frozenset({B, T, R}),
    "hazard.regrade":                frozenset({B, T, R, A}),
    "hazard.extend":                 frozenset({B, T, R}),
    "hazard.withdraw":               frozenset({B, T, R}),
}

COUNTY_WIDE = frozenset({B, AU, IN, AD})


class Forbidden(Exception):
    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"{action}: {reason}")
        self.action = action
        self.reason = reason


@dataclass(frozen=True)
class Subject:
    """Whose record it is: the facts the scope check compares with the token."""

    townships: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    enterprise_id: str | None = None
    agency_ids: frozenset[str] = frozenset()  # agencies bound to the record
    named_agency_only: bool = False  # a contract's or inspection's own agency, no other

    def __or__(self, other: Subject) -> Subject:
        return Subject(self.townships | other.townships, self.sectors | other.sectors,
                       self.enterprise_id or other.enterprise_id, self.agency_ids | other.agency_ids,
                       self.named_agency_only or other.named_agency_only)


def in_scope(principal: Principal, subject: Subject, *, covered_by_agreement: bool = False) -> bool:
    """`covered_by_agreement`: the holder's agency has a procurement agreement covering the
    subject's township and sector (only asked for agencies, by the caller who can look it up)."""
    role = principal.role
    if role in COUNTY_WIDE:
        return True
    if role == T:
        return principal.township in subject.townships
    if role == R:
        return principal.sector in subject.sectors
    if role == E:
        return principal.enterprise_id is not None and principal.enterprise_id == subject.enterprise_id
    if role == A:
        if principal.agency_id in subject.agency_ids:
            return True
        return covered_by_agreement and not subject.named_agency_only
    return False


def check_role(principal: Principal, action: str) -> None:
    """Raise Forbidden unless the holder's role may take the action at all."""
    if principal.role not in POLICY[action]:
        raise Forbidden(action, f"角色 {principal.role} 无权执行此操作")


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
    """The same scope as `in_scope`, as equality filters for read-model rows."""
    role = principal.role
    if role == T:
        return Scope(township=principal.township or "-")
    if role == R:
        return Scope(sector=principal.sector or "-")
    if role == E:
        return Scope(enterprise_id=principal.enterprise_id or "-")
    if role == A:
        return Scope(agency_id=principal.agency_id or "-")
    return Scope()  # bureau, auditor, investigator, admin: the whole county
