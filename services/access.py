"""Who may do what, and on whose records: the whole access policy in one table.

Two questions for every request:
1. May this role take this action at all?           → POLICY below (action → roles)
2. Is the record inside the token holder's scope?   → `in_scope`
   bureau, auditor, investigator, admin: the whole county
   township:   records of its township           regulator:  records of its sector
   enterprise: its own records                   agency:     see below
   insurer:    its own policies, and the assessments and hazards hanging on them (issue 15 §3)
An agency's scope follows time (issue 10). It *serves* an enterprise while a countersigned
service contract with it, or a procurement agreement covering its township × sector, is in
force. It writes to the enterprise's records only on a day it serves it; it reads the records
made (their own business date) before the end of a service that has begun; and it always
reads its own records: the inspections it performed, the hazards they found, its contracts
(a proposal included: it may countersign or withdraw it) and agreements.
A "no" to either is 403 naming the action. Auditors read and never write; investigators read, and write only their findings about
an accident (事故调查认定).
The domain adds its own rules about who acts (`Rule.about_who` in domain/rules.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.actor import ROLE_NAMES_ZH, Role
from infra.auth import Principal

B, T, R, A, E, AU, IN, AD = (Role.BUREAU, Role.TOWNSHIP, Role.REGULATOR, Role.AGENCY,
                             Role.ENTERPRISE, Role.AUDITOR, Role.INVESTIGATOR, Role.ADMIN)
DV = Role.DEVICE
INS = Role.INSURER  # 保险机构 (issue 15 §3)
# the original eight roles, spelled out: a role added later (the smart-electricity device of issue
# 15 §4, the insurer of §3) gets nothing it is not given by name below
EVERYONE = frozenset({B, T, R, A, E, AU, IN, AD})

# action (= route name)              roles that may take it
POLICY: dict[str, frozenset[Role]] = {
    # reference data and reading one record (scope still applies to records)
    "reference.townships":           EVERYONE | {INS},  # an insurer's dashboard names townships too
    "reference.sectors":             EVERYONE | {INS},
    "access.actions":                EVERYONE,  # the holder's own role's actions (the dashboard's forms)
    **{f"{kind}.{what}": EVERYONE
       for kind in ("enterprise", "agency", "agreement", "contract", "inspection", "hazard",
                    "accident") for what in ("read", "history")},
    "audit.verify":                  frozenset({B, AU, IN, AD}),
    # read models: every role, each limited to the rows of its scope (read_scope below)
    "ledger.read":                   EVERYONE,
    "rates.read":                    EVERYONE,
    "compliance.read":               EVERYONE,
    "statistics.read":               EVERYONE,
    # the export for the province (省级上报, issue 16 §2): the county's office and those who check it
    "export.province":               frozenset({B, AU, AD}),
    "person.find":                   frozenset({B, AD}),  # issue 16 §6: personal information
    "person.erase":                  frozenset({B, AD}),
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
    # 企业名录 (GET /enterprises): rows filtered by read_scope (a township its own, a regulator its
    # sector, an enterprise itself); not agencies or insurers (their scope is their own records)
    "enterprise.list":               frozenset({B, T, R, E, AU, IN, AD}),
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
    # a service contract binds when the other side countersigns; the enterprise's side may be
    # signed by a township office or the bureau recording a paper contract, or an administrator
    # migrating a ledger (domain.contracts.side_of)
    "contract.propose":              frozenset({B, T, A, E, AD}),
    "contract.countersign":          frozenset({B, T, A, E, AD}),
    "contract.renew":                frozenset({B, T, A, E}),
    "contract.terminate":            frozenset({B, T, A, E}),
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
    # issue 14 §2 (H1): a decision on a paper application, by the approver the policy names
    # (domain rule extension-approver: the bureau for listed or major hazards, the township otherwise)
    "hazard.extend":                 frozenset({B, T}),
    # issue 14 §1 (H1): 挂牌督办通知书 — the bureau issues, records service and cancels; the
    # enterprise signs for it (the bureau may record a paper receipt)
    "hazard.listing-issue":          frozenset({B}),
    "hazard.listing-serve":          frozenset({B}),
    "hazard.listing-sign":           frozenset({B, E}),
    "hazard.listing-cancel":         frozenset({B}),
    "hazard.withdraw":               frozenset({B, T, R}),
    # evidence files (issue 13): any role that writes uploads; reading is scoped by `may_read_file`
    "file.upload":                   frozenset({B, T, R, A, E, IN, AD}),  # auditors never write
    "file.read":                     EVERYONE,
    "file.thumbnail":                EVERYONE,
    "file.metadata":                 EVERYONE,
    # criteria for major hazards and checklist templates (issue 13): reference data, every role
    "criteria.list":                 EVERYONE,
    "criteria.read":                 EVERYONE,
    "checklist.list":                EVERYONE,
    "checklist.read":                EVERYONE,
    # an inspection's checklist results (issue 13): the inspecting side, as it performs
    # (domain rule checklist-by-inspector: the agency, or the enterprise for its own check; the bureau)
    "inspection.checklist":          frozenset({B, A, E}),
    "inspection.checklist-link":     frozenset({B, A, E}),
    # enterprise self-reports (自查自报, issue 13): the enterprise; a township office or the
    # bureau recording a paper one (代报); read like the enterprise's other records
    "self_report.file":              frozenset({B, T, E}),
    "self_report.amend":             frozenset({B, T, E}),
    "self_report.read":              EVERYONE,
    "self_report.history":           EVERYONE,
    # the enterprise's quarterly 统计分析表 (16号令, issue 13): the enterprise, its township and
    # sector, the county-wide roles, an agency serving it (read as of the period's end: issue 10)
    "statistics.enterprise.read":    EVERYONE,
    # the month's self-reports and the non-reporters (未报名单, issue 13): read models, rows filtered
    # by read_scope (a township its own, a regulator its sector, an enterprise itself only). Not
    # agencies: their read scope is their own records (inspections, contracts), and neither list
    # is one — as for coverage.read, the enforcement list beside it.
    "self_report.list":              frozenset({B, T, R, E, AU, IN, AD}),
    "non_reporters.read":            frozenset({B, T, R, E, AU, IN, AD}),
    # referrals (交办, issue 14): the bureau (县安委会办公室) refers; the receiving township or
    # sector regulator signs for and answers (domain rule referral-by-receiver); read by the
    # receiver, the referred hazards' townships and sectors, and the county-wide roles.
    # GET /referrals: the token's unit's referrals (the county-wide roles: all)
    "referral.refer":                frozenset({B}),
    "referral.sign":                 frozenset({T, R}),
    "referral.answer":               frozenset({T, R}),
    "referral.read":                 frozenset({B, T, R, AU, IN, AD}),
    "referral.history":              frozenset({B, T, R, AU, IN, AD}),
    "referral.list":                 frozenset({B, T, R, AU, IN, AD}),
    # the monthly joint meeting pack (联席会材料, issue 14 §4): a township its township's section,
    # a regulator its sector's (read_scope), the county-wide roles every section
    "meeting.pack":                  frozenset({B, T, R, AU, IN, AD}),
    # extension requests (延期申请, issue 14): the enterprise applies; the bureau (挂牌督办 or major
    # hazards) or the township (general ones) decides — which of the two: domain rule extension-approver
    "hazard.extension-request":      frozenset({E}),
    "hazard.extension-decision":     frozenset({B, T}),
    # to-do and 督办 (issue 14 §6): every role reads its own to-do (auditors, investigators and
    # admins get an empty list with a note); the 挂牌督办 listings are read-model rows filtered by
    # read_scope, as the ledger's are
    "todo.read":                     EVERYONE,
    "supervision.list":              EVERYONE,
    # reminders (提醒, issue 14 §5, docs/reminders.md): raised reminders read like the ledger
    # (rows filtered by read_scope; not agencies: no reminder is theirs); webhooks registered by
    # the bureau, a township or a regulator for their own scope only (a wider one: 403); dead
    # letters of their own subscriptions; the SMS outbox (phone numbers) the bureau and admin only
    "reminder.list":                 frozenset({B, T, R, E, AU, IN, AD}),
    "reminder.webhook.register":     frozenset({B, T, R, AD}),
    "reminder.webhook.list":         frozenset({B, T, R, AD}),
    "reminder.dead-letter.list":     frozenset({B, T, R, AD}),
    "reminder.dead-letter.retry":    frozenset({B, T, R, AD}),
    "reminder.sms-outbox":           frozenset({B, AD}),
    # webhook subscriptions (issue 16 §4, docs/webhooks.md): topic `event` (integrators) or
    # `reminder`; the same parties as the reminders' webhooks, each for its own scope only (a wider
    # one: 403); list, delete and dead letters: the holder's own (another's: 404)
    "webhook.register":              frozenset({B, T, R, AD}),
    "webhook.list":                  frozenset({B, T, R, AD}),
    "webhook.delete":                frozenset({B, T, R, AD}),
    "webhook.dead-letter.list":      frozenset({B, T, R, AD}),
    "webhook.dead-letter.retry":     frozenset({B, T, R, AD}),
    # safety-liability insurance (安责险, issue 15 §3, docs/insurance.md): the bureau registers
    # insurers; an insurer records its own policies, commissions and prevention services (the
    # bureau may record paper ones: domain rule insurance-by-insurer) and reads its own records
    # only (scope: its insurer id). A policy is read by its insurer, the enterprise, its township
    # and sector, the county-wide roles; lists and the fee ledger are rows filtered by read_scope.
    "insurer.register":              frozenset({B, AD}),
    "insurer.list":                  frozenset({B, INS, AU, IN, AD}),
    "insurer.read":                  frozenset({B, INS, AU, IN, AD}),
    "insurer.prevention-record":     frozenset({B, INS}),
    "insurance_policy.record":       frozenset({B, INS}),
    "insurance_policy.commission":   frozenset({B, INS}),
    "insurance_policy.list":         frozenset({B, T, R, E, INS, AU, IN, AD}),
    "insurance_policy.read":         frozenset({B, T, R, E, INS, AU, IN, AD}),
    "insurance.prevention":          frozenset({B, INS, AU, IN, AD}),
    "insurance.coverage":            frozenset({B, T, R, AU, IN, AD}),
    # smart electricity (智慧用电, issue 15 §4, docs/electricity.md): a device token bound to one
    # enterprise posts its alarms and nothing else (rule alarm-own-enterprise); the alarm rates
    # per township are read-model rows filtered by read_scope (not agencies: no alarm is theirs)
    "alarm.post":                    frozenset({DV}),
    "alarm.rates":                   frozenset({B, T, R, E, AU, IN, AD}),
    # mutual-help groups and industry associations (issue 15 §1–2, docs/groups.md): formed, and
    # members, experts and training recorded, by the bureau or a township office for its own
    # township (services.subjects.group_subject: a county-wide one is the bureau's) — never an
    # enterprise, which must not enrol itself into anything (domain rule group-by-government).
    # Their inspections go through inspection.* (basis: the group or association). Lists are
    # read-model rows filtered by read_scope (agencies: none are theirs).
    **{f"{form}.{what}": frozenset({B, T})
       for form in ("group", "association")
       for what in ("form", "member.add", "member.leave", "expert.add", "expert.leave",
                    "training.record")},
    **{f"{form}.{what}": frozenset({B, T, R, E, AU, IN, AD})
       for form in ("group", "association") for what in ("list", "inspections")},
    # one group's or association's record and training: its township, the townships and sectors
    # of its members, the county-wide roles (an enterprise reads the list, filtered to itself)
    **{f"{form}.{what}": frozenset({B, T, R, AU, IN, AD})
       for form in ("group", "association") for what in ("read", "history", "trainings")},
    # the service platform (服务平台, issue 15 §5): an enterprise posts, withdraws and accepts for
    # itself (domain rule need-by-enterprise); any agency may offer, the domain admits only those
    # in the pool and not blacklisted (offer-by-pool-agency) — an offer is stored on the need and
    # gives the agency no scope over the enterprise: only the contract acceptance makes does.
    # GET /needs: the open needs (an agency: in the pool only, with its own offers), an
    # enterprise its own needs with every offer, the offices their scope's. One need or rating:
    # read like the enterprise's other records (an agency: the ratings of itself)
    "need.post":                     frozenset({E}),
    "need.offer":                    frozenset({A}),
    "need.accept":                   frozenset({E}),
    "need.withdraw":                 frozenset({E}),
    "need.list":                     frozenset({B, T, R, A, E, AU, IN, AD}),
    "need.read":                     frozenset({B, T, R, E, AU, IN, AD}),
    "need.history":                  frozenset({B, T, R, E, AU, IN, AD}),
    # 绩效评比 (000 §五(六)): the served enterprise rates its agency after a contract's end
    "rating.rate":                   frozenset({E}),
    "rating.list":                   frozenset({B, T, R, A, E, AU, IN, AD}),
    "rating.read":                   EVERYONE,
    "rating.history":                EVERYONE,
    # 考评 of townships, regulators and enterprises (issue 15 §6): the bureau records the scored
    # fields; each table read by the county-wide roles, and by its parties for their own rows
    # (read_scope: a township its own row and its enterprises', a regulator its sector's, an
    # enterprise itself). The reward fund: recorded by the bureau, read by the offices
    "assessment.score":              frozenset({B}),
    "assessment.townships":          frozenset({B, T, AU, IN, AD}),
    "assessment.regulators":         frozenset({B, R, AU, IN, AD}),
    "assessment.enterprises":        frozenset({B, T, R, E, AU, IN, AD}),
    "reward_fund.establish":         frozenset({B}),
    "reward_fund.allocate":          frozenset({B}),
    "reward_fund.read":              frozenset({B, T, R, AU, IN, AD}),
}

COUNTY_WIDE = frozenset({B, AU, IN, AD})


class Forbidden(Exception):
    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"{action}: {reason}")
        self.action = action
        self.reason = reason


@dataclass(frozen=True)
class Engagement:
    """An agency serving an enterprise from `start` to `last_day` (inclusive): a countersigned
    service contract, or a procurement agreement covering the enterprise's township × sector."""

    agency_id: str
    start: date
    last_day: date


@dataclass(frozen=True)
class Subject:
    """Whose record it is: the facts the scope check compares with the token."""

    townships: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    enterprise_id: str | None = None
    agency_ids: frozenset[str] = frozenset()  # the record's own agency (it did or signed it)
    named_agency_only: bool = False  # a contract's or inspection's own agency, no other
    made_on: date | None = None  # the record's business date; None: a live record (judged today)
    party_record: bool = False  # a contract: its agency acts on it as a party, in force or not
    insurer_ids: frozenset[str] = frozenset()  # 安责险: the insurer whose policy the record is of
    policy_ids: frozenset[str] = frozenset()   # 安责险: the policy (an assessment's basis)

    def __or__(self, other: Subject) -> Subject:
        return Subject(self.townships | other.townships, self.sectors | other.sectors,
                       self.enterprise_id or other.enterprise_id, self.agency_ids | other.agency_ids,
                       self.named_agency_only or other.named_agency_only,
                       self.made_on or other.made_on, self.party_record or other.party_record,
                       self.insurer_ids | other.insurer_ids, self.policy_ids | other.policy_ids)


def reads_only(action: str) -> bool:
    """Reading one record (`<kind>.read`, `<kind>.history`): scope judged on the record's date."""
    return action.rsplit(".", 1)[-1] in ("read", "history")


def agency_in_scope(agency_id: str | None, subject: Subject, engagements: Iterable[Engagement], *,
                    today: date, reading: bool) -> bool:
    """An agency's scope on a day: its own records; an enterprise's records while it serves it
    (writes: today; reads: records made before the end of a service that has begun)."""
    own = agency_id is not None and agency_id in subject.agency_ids
    if own and (reading or subject.party_record or subject.enterprise_id is None):
        return True
    if subject.named_agency_only and not own:
        return False
    if subject.enterprise_id is None:
        return False
    if reading:  # records made up to the end of a service that has begun
        day = subject.made_on or today
        return any(e.agency_id == agency_id and e.start <= today and day <= e.last_day
                   for e in engagements)
    return any(e.agency_id == agency_id and e.start <= today <= e.last_day for e in engagements)


def agency_sees_until(agency_id: str | None, subject: Subject, engagements: Iterable[Engagement], *,
                      today: date) -> date | None:
    """The last day whose steps an agency may read of a record it reads only through a service
    that has ended (issue 10: nothing made after that day); None when nothing is hidden — its own
    record, or a service in force today."""
    if agency_id is not None and agency_id in subject.agency_ids:
        return None
    day = subject.made_on or today
    ends = [e.last_day for e in engagements
            if e.agency_id == agency_id and e.start <= today and day <= e.last_day]
    if not ends or max(ends) >= today:
        return None
    return max(ends)


def in_scope(principal: Principal, subject: Subject, *, engagements: Iterable[Engagement] = (),
             today: date, reading: bool = False) -> bool:
    """`engagements`: the holder's agency's services to the subject's enterprise (only asked
    for agencies, by the caller who can look them up); `today`: the day writes are judged on."""
    role = principal.role
    if role in COUNTY_WIDE:
        return True
    if role == T:
        return principal.township in subject.townships
    if role == R:
        return principal.sector in subject.sectors
    if role in (E, DV):  # a device: the enterprise its token is bound to (it only posts alarms)
        return principal.enterprise_id is not None and principal.enterprise_id == subject.enterprise_id
    if role == A:
        return agency_in_scope(principal.agency_id, subject, engagements,
                               today=today, reading=reading)
    if role == INS:  # its own policies and what hangs on them, nothing else of the enterprise
        return principal.insurer_id is not None and principal.insurer_id in subject.insurer_ids
    return False


def check_role(principal: Principal, action: str) -> None:
    """Raise Forbidden unless the holder's role may take the action at all."""
    if principal.role not in POLICY[action]:
        raise Forbidden(action, f"{ROLE_NAMES_ZH.get(principal.role, principal.role)}无权执行此操作")


@dataclass(frozen=True)
class Scope:
    """Constraints on the rows a holder may read; None means no constraint on that column."""

    township: str | None = None
    sector: str | None = None
    enterprise_id: str | None = None
    agency_id: str | None = None
    insurer_id: str | None = None

    def as_filters(self) -> dict[str, str]:
        """Column → required value, for read models whose rows carry these columns."""
        return {k: v for k, v in vars(self).items() if v is not None}


def read_scope(principal: Principal) -> Scope:
    """The scope as equality filters for read-model rows. An agency's rows are its own (the
    hazards its inspections found, its inspections, contracts and claims): they stay readable
    after its services end, and no other row of an enterprise it serves is shown, so the
    read models never reach past the end of a service (issue 10)."""
    role = principal.role
    if role == T:
        return Scope(township=principal.township or "-")
    if role == R:
        return Scope(sector=principal.sector or "-")
    if role == E:
        return Scope(enterprise_id=principal.enterprise_id or "-")
    if role == A:
        return Scope(agency_id=principal.agency_id or "-")
    if role == INS:
        return Scope(insurer_id=principal.insurer_id or "-")
    if role == DV:
        return Scope(enterprise_id="-")  # a device reads nothing
    return Scope()  # bureau, auditor, investigator, admin: the whole county


def party_of(principal: Principal) -> str:
    """The party a token acts for, as recorded with the files it uploads: its agency, its
    enterprise, its township office, its sector's regulator, or a county-wide office (by role)."""
    role = principal.role
    if role == A:
        return f"agency:{principal.agency_id or '-'}"
    if role == E:
        return f"enterprise:{principal.enterprise_id or '-'}"
    if role == T:
        return f"township:{principal.township or '-'}"
    if role == R:
        return f"regulator:{principal.sector or '-'}"
    if role == INS:
        return f"insurer:{principal.insurer_id or '-'}"
    if role == DV:
        return f"device:{principal.enterprise_id or '-'}"
    return f"county:{role}"


def may_read_file(principal: Principal, uploaded_by: Iterable[str],
                  reads_a_citing_record: Callable[[], bool] = lambda: False) -> bool:
    """A file is read by the parties that uploaded it, by the county-wide roles (bureau,
    auditor, investigator, admin), and by whoever may read a record citing it
    (`reads_a_citing_record`, asked last: `services.file_readers`)."""
    return (principal.role in COUNTY_WIDE or party_of(principal) in set(uploaded_by)
            or reads_a_citing_record())


def scope_words(principal: Principal, reference: Any) -> str:
    """The read scope in words, for the title row of an export (范围): 全县 (宁海县), a township's
    or a sector's name, 本机构的记录, 本企业."""
    scope = read_scope(principal)
    if scope.township:
        return reference.townships.get(scope.township, scope.township)
    if scope.sector:
        return f"{reference.sectors.get(scope.sector, scope.sector)}行业"
    if scope.agency_id or scope.insurer_id:
        return "本机构的记录"
    if scope.enterprise_id:
        return "本企业"
    return f"全县（{reference.county_name}）"
