"""Safety-liability insurance (安全生产责任保险, 安责险; issue 15 §3, seed 002 §三, 001 三4).

- `Insurer` (保险机构): a party, one per credit code. It keeps the periods of its policies per
  enterprise, so two policies of one insurer and one enterprise never overlap (rule
  `insurance-policy-no-overlap`: the check and the new policy are stored together, a concurrent
  second policy conflicts on the insurer's version), and the accident-prevention services it
  paid for (事故预防服务: risk assessments, training, expert checks, publicity) with amounts.
- `InsurancePolicy` (安责险保单): enterprise, insurer, period (start and end, both inclusive),
  premium (元, > 0), whether the enterprise's sector makes the insurance mandatory (decided when
  recorded, from the county's data `InsuranceRules.mandatory_sectors`), and the agencies the
  insurer commissioned for risk assessments (委托评估). An assessment (an inspection of kind
  `insurance_assessment` whose basis is the policy) is done by a commissioned agency within the
  pre-underwriting window (`assess_from`: the county's `pre_underwriting_days` before the start)
  or the period; hazards it finds carry source `insurance`.
- The prevention fee (事故预防费用, 002 §三(二)): at least `prevention_rate` (10%) of an insurer's
  premium income in a year; `prevention_fee` is the arithmetic. A premium is income of the year
  its policy's period starts (the project's reading; the papers do not say).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import rules
from domain.actor import Actor, Role
from domain.credit_code import validate as validate_credit_code
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.values import InspectionKind, choice, money, past_date, period, text

RECORDERS = (Role.INSURER, Role.BUREAU)  # the insurer for itself; the bureau a paper record


class PreventionKind(StrEnum):
    """What an insurer's accident-prevention money paid for (002 §三(二))."""

    ASSESSMENT = "assessment"      # 风险评估
    TRAINING = "training"          # 安全培训
    EXPERT_CHECK = "expert_check"  # 聘请专家参与检查
    PUBLICITY = "publicity"        # 安全生产宣传教育
    OTHER = "other"                # 其他事故预防工作


@dataclass(frozen=True)
class InsuranceRules:
    """The county's insurance data (infra/data/insurance_ninghai.json): the sectors where 安责险
    is mandatory (sector code → the paper's name for it), the prevention-fee rate, and how many
    days before a policy's start a pre-underwriting assessment may take place."""

    mandatory_sectors: dict[str, str] = field(default_factory=dict)
    prevention_rate: Decimal = Decimal("0.10")
    pre_underwriting_days: int = 90

    def mandatory(self, sector: str) -> bool:
        return sector in self.mandatory_sectors


def prevention_fee(premiums: Decimal, rate: Decimal) -> Decimal:
    """The least an insurer spends on accident prevention out of a year's premium income (元, to the fen)."""
    return (premiums * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _require_recorder(actor: Actor) -> None:
    rules.INSURANCE_BY_INSURER.require(actor.role in RECORDERS, f"角色 {actor.role}")


def _positive(field_name: str, value: object) -> str:
    amount = money(field_name, value)
    if Decimal(amount) <= 0:
        raise InvalidValue(field_name, "须为正数金额（元）")
    return amount


class Insurer(Aggregate):
    """A commercial insurer underwriting 安责险 in the county (保险机构)."""

    @staticmethod
    def create_id(credit_code: str, **_: object) -> UUID:
        return natural_id("insurer", credit_code)

    @classmethod
    def register(cls, *, credit_code: str, name: str, actor: Actor) -> Insurer:
        return cls(credit_code=validate_credit_code(credit_code),
                   name=text("name", name, max_len=200), actor=actor.record())

    @event("Registered")
    def __init__(self, *, credit_code: str, name: str, actor: dict) -> None:
        self.credit_code = credit_code
        self.name = name
        self.policies: dict[str, dict] = {}  # policy id → {enterprise_id, start, end}
        self.services: list[dict] = []       # prevention services paid for

    def underwrite(self, *, policy_id: str, enterprise_id: str, start: date, end: date,
                   actor: Actor) -> None:
        """Note a new policy's period; refused when it overlaps one of this insurer's policies
        of the same enterprise (both periods inclusive)."""
        for other_id, p in self.policies.items():
            if p["enterprise_id"] == enterprise_id and start <= p["end"] and p["start"] <= end:
                raise rules.POLICY_OVERLAP.refuse(
                    f"保单 {other_id} 的保险期间 {p['start'].isoformat()}—{p['end'].isoformat()}")
        self._underwritten(policy_id=policy_id, enterprise_id=enterprise_id, start=start, end=end,
                           actor=actor.record())

    @event("PolicyUnderwritten")
    def _underwritten(self, *, policy_id: str, enterprise_id: str, start: date, end: date,
                      actor: dict) -> None:
        self.policies[policy_id] = {"enterprise_id": enterprise_id, "start": start, "end": end}

    def record_prevention(self, *, kind: str, amount: object, paid_on: date, reference: str,
                          description: str, enterprise_id: str | None, today: date,
                          actor: Actor) -> None:
        """An accident-prevention service the insurer paid for (事故预防服务): what, how much,
        when, its voucher number (凭证号, one per insurer: a retry is refused, not counted twice)."""
        _require_recorder(actor)
        reference = text("reference", reference, max_len=100)
        rules.PREVENTION_REFERENCE_UNIQUE.require(
            all(s["reference"] != reference for s in self.services), reference)
        self._prevention_paid(
            kind=choice("kind", kind, PreventionKind), amount=_positive("amount", amount),
            paid_on=past_date("paid_on", paid_on, today), reference=reference,
            description=text("description", description, max_len=1000, required=False),
            enterprise_id=enterprise_id, actor=actor.record())

    @event("PreventionServicePaid")
    def _prevention_paid(self, *, kind: str, amount: str, paid_on: date, reference: str,
                         description: str, enterprise_id: str | None, actor: dict) -> None:
        self.services.append({"kind": kind, "amount": amount, "paid_on": paid_on,
                              "reference": reference, "description": description,
                              "enterprise_id": enterprise_id})


def policy_id(insurer_id: str, policy_no: str) -> UUID:
    """A policy's id: a uuid5 of the insurer and its policy number (保单号)."""
    return natural_id("insurance-policy", insurer_id, policy_no)


class InsurancePolicy(Aggregate):
    """One 安责险 policy of one enterprise with one insurer."""

    @staticmethod
    def create_id(insurer_id: str, policy_no: str, **_: object) -> UUID:
        return policy_id(insurer_id, policy_no)

    @classmethod
    def issue(cls, *, insurer: Insurer, enterprise: object, policy_no: str, start: date, end: date,
              premium: object, rules_: InsuranceRules, actor: Actor,
              existing: InsurancePolicy | None = None) -> InsurancePolicy:
        """Record a policy (承保). The caller stores it with `insurer` (its period noted there);
        `existing`: the policy already stored under this insurer's policy number, if any."""
        _require_recorder(actor)
        policy_no = text("policy_no", policy_no, max_len=64)
        rules.POLICY_NUMBER_UNIQUE.require(existing is None, policy_no)
        premium = _positive("premium", premium)
        period("起始日期", start, end, "end")
        policy = cls(insurer_id=str(insurer.id), enterprise_id=str(enterprise.id),
                     township=enterprise.township, sector=enterprise.sector, policy_no=policy_no,
                     start=start, end=end, premium=premium,
                     mandatory=rules_.mandatory(enterprise.sector),
                     assess_from=start - timedelta(days=rules_.pre_underwriting_days),
                     actor=actor.record())
        insurer.underwrite(policy_id=str(policy.id), enterprise_id=str(enterprise.id), start=start,
                           end=end, actor=actor)
        return policy

    @event("Issued")
    def __init__(self, *, insurer_id: str, enterprise_id: str, township: str, sector: str,
                 policy_no: str, start: date, end: date, premium: str, mandatory: bool,
                 assess_from: date, actor: dict) -> None:
        self.insurer_id = insurer_id
        self.enterprise_id = enterprise_id
        self.township = township
        self.sector = sector
        self.policy_no = policy_no
        self.start = start
        self.end = end
        self.premium = premium
        self.mandatory = mandatory
        self.assess_from = assess_from  # pre-underwriting assessments from this day (承保前评估)
        self.commissioned: dict[str, date] = {}  # agency id → the day it was commissioned

    def commission(self, *, agency: object, commissioned_on: date, today: date, actor: Actor) -> None:
        """The insurer commissions an agency (委托) for this policy's risk assessments."""
        _require_recorder(actor)
        rules.AGENCY_BLACKLISTED.require(not agency.blacklisted, agency.blacklist_reason)
        past_date("commissioned_on", commissioned_on, today)
        rules.COMMISSIONED_ONCE.require(str(agency.id) not in self.commissioned, agency.name)
        self._commissioned(agency_id=str(agency.id), commissioned_on=commissioned_on,
                           actor=actor.record())

    @event("AgencyCommissioned")
    def _commissioned(self, *, agency_id: str, commissioned_on: date, actor: dict) -> None:
        self.commissioned = {**self.commissioned, agency_id: commissioned_on}

    def in_force(self, on: date) -> bool:
        return self.start <= on <= self.end


def require_assessment_basis(kind: str, basis: object, enterprise: object, agency: object,
                             on: date) -> None:
    """An `insurance_assessment` inspection has a policy of this enterprise as its basis, and a
    policy is the basis of nothing else; the agency is commissioned by the insurer for it, the
    day within the pre-underwriting window or the period. Other inspections: nothing to check."""
    is_policy = isinstance(basis, InsurancePolicy)
    if kind != InspectionKind.INSURANCE_ASSESSMENT and not is_policy:
        return
    rules.ASSESSMENT_BASIS.require(kind == InspectionKind.INSURANCE_ASSESSMENT and is_policy
                                   and basis.enterprise_id == str(enterprise.id),
                                   "依据不是该企业的安责险保单" if kind == InspectionKind.INSURANCE_ASSESSMENT
                                   else "安责险保单只能作为安责险风险评估的依据")
    rules.ASSESSMENT_COMMISSIONED.require(agency is not None and str(agency.id) in basis.commissioned,
                                          f"保单 {basis.policy_no}")
    rules.ASSESSMENT_IN_PERIOD.require(
        basis.assess_from <= on <= basis.end,
        f"{on.isoformat()} 不在 {basis.assess_from.isoformat()}—{basis.end.isoformat()} 之内")


def binds(policy: InsurancePolicy, enterprise: object, agency: object, on: date) -> bool:
    """Whether a policy binds this commissioned agency to assess this enterprise on a date."""
    return (policy.enterprise_id == str(enterprise.id) and str(agency.id) in policy.commissioned
            and policy.assess_from <= on <= policy.end)
