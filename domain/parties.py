"""Parties: enterprises (生产经营单位) and safety service agencies (中介服务机构)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import evaluation, rules
from domain.credit_code import validate as validate_credit_code
from domain.errors import InvalidValue
from domain.actor import Actor, Role
from domain.ids import natural_id
from domain.values import Scale, choice, money, past_date, text, township_code

POOL_TERM_YEARS = 2  # 入库 two years, 004 §二(三)
RISK_FLAGS = ("major_hazard_installation", "occupational_disease", "multi_tenant", "industrial_park")


def _years_later(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


class Enterprise(Aggregate):
    """A production or business unit (生产经营单位) under the county's supervision."""

    @staticmethod
    def create_id(credit_code: str, **_: object) -> UUID:
        return natural_id("enterprise", credit_code)  # one per credit code

    @classmethod
    def register(cls, *, credit_code: str, name: str, township: str, sector: str, scale: str,
                 annual_output: str | int | float = 0, risk_flags: list[str] | None = None,
                 address: str = "", actor: Actor) -> Enterprise:
        flags = sorted(set(risk_flags or []))
        for flag in flags:
            if flag not in RISK_FLAGS:
                raise InvalidValue("risk_flags", f"未知风险标识 {flag!r}，可选：{', '.join(RISK_FLAGS)}")
        return cls(
            credit_code=validate_credit_code(credit_code),
            name=text("name", name, max_len=200),
            township=township_code("township", township),
            sector=text("sector", sector, max_len=32),
            scale=choice("scale", scale, Scale),
            annual_output=money("annual_output", annual_output),
            risk_flags=flags,
            address=text("address", address, max_len=500, required=False),
            actor=actor.record(),
        )

    @event("Registered")
    def __init__(self, *, credit_code: str, name: str, township: str, sector: str, scale: str,
                 annual_output: str, risk_flags: list[str], address: str, actor: dict) -> None:
        self.credit_code = credit_code
        self.name = name
        self.township = township
        self.sector = sector
        self.scale = scale
        self.annual_output = annual_output
        self.risk_flags = risk_flags
        self.address = address
        # agency id → its service contracts with us. Which of them bind, and when, the contracts
        # themselves say (countersigned, period, termination): this only finds them.
        self.agencies: dict[str, list[str]] = {}

    def record_contract(self, *, contract_id: str, agency_id: str, actor: Actor) -> None:
        """A service contract (委托服务合同) with an agency was countersigned (会签). Before
        issue 10 this was recorded when one side signed; such entries are found, not trusted."""
        if contract_id in self.agencies.get(agency_id, []):
            return
        self._contract_signed(contract_id=contract_id, agency_id=agency_id, actor=actor.record())

    @event("ContractSigned")
    def _contract_signed(self, *, contract_id: str, agency_id: str, actor: dict) -> None:
        self.agencies.setdefault(agency_id, []).append(contract_id)



class Agency(Aggregate):
    """A safety service agency (安全生产中介服务机构) and its experts (专家)."""

    @staticmethod
    def create_id(credit_code: str, **_: object) -> UUID:
        return natural_id("agency", credit_code)  # one per credit code

    @classmethod
    def register(cls, *, credit_code: str, name: str, actor: Actor) -> Agency:
        return cls(credit_code=validate_credit_code(credit_code),
                   name=text("name", name, max_len=200), actor=actor.record())

    @event("Registered")
    def __init__(self, *, credit_code: str, name: str, actor: dict) -> None:
        self.credit_code = credit_code
        self.name = name
        self.experts: dict[str, dict] = {}
        self.pool_admitted_on: date | None = None
        self.pool_expires_on: date | None = None
        self.blacklisted = False
        self.blacklist_reason = ""
        self.agreements: dict[str, dict] = {}  # agreement id → townships and sectors it covers
        self.evaluations: list[dict] = []

    def record_agreement(self, *, agreement_id: str, townships: list[str], sectors: list[str],
                         actor: Actor) -> None:
        """The county bought the agency's services for these townships and sectors (政府购买服务)."""
        self._agreement_signed(agreement_id=agreement_id, townships=townships, sectors=sectors,
                               actor=actor.record())

    @event("AgreementSigned")
    def _agreement_signed(self, *, agreement_id: str, townships: list[str], sectors: list[str],
                          actor: dict) -> None:
        self.agreements[agreement_id] = {"townships": townships, "sectors": sectors}

    def in_pool(self, on: date) -> bool:
        """Whether the agency is in the county's agency pool (入库) on a date."""
        return (self.pool_admitted_on is not None and self.pool_expires_on is not None
                and self.pool_admitted_on <= on < self.pool_expires_on)

    def admit_to_pool(self, *, admitted_on: date, today: date, actor: Actor) -> None:
        """Admission to the county's agency pool (入库) for two years, 004 §二(三)."""
        past_date("admitted_on", admitted_on, today)
        rules.AGENCY_BLACKLISTED.require(not self.blacklisted, self.blacklist_reason)
        rules.AGENCY_IN_POOL.require(
            self.pool_expires_on is None or admitted_on >= self.pool_expires_on,
            f"有效期至 {self.pool_expires_on}")
        expires = _years_later(admitted_on, POOL_TERM_YEARS)
        self._admitted(admitted_on=admitted_on, expires_on=expires, actor=actor.record())

    @event("AdmittedToPool")
    def _admitted(self, *, admitted_on: date, expires_on: date, actor: dict) -> None:
        self.pool_admitted_on = admitted_on
        self.pool_expires_on = expires_on

    def add_expert(self, *, name: str, certificate_no: str, actor: Actor) -> str:
        """An expert (专家 / 注册安全工程师) joins the agency; returns the expert's id."""
        certificate_no = text("certificate_no", certificate_no, max_len=64)
        rules.EXPERT_DUPLICATE.require(
            all(e["certificate_no"] != certificate_no for e in self.experts.values()),
            certificate_no)
        expert_id = str(uuid4())
        self._expert_joined(expert_id=expert_id, name=text("name", name, max_len=100),
                            certificate_no=certificate_no, actor=actor.record())
        return expert_id

    @event("ExpertJoined")
    def _expert_joined(self, *, expert_id: str, name: str, certificate_no: str, actor: dict) -> None:
        self.experts[expert_id] = {"name": name, "certificate_no": certificate_no}

    def remove_expert(self, *, expert_id: str, reason: str, actor: Actor) -> None:
        """An expert leaves the agency."""
        rules.EXPERT_UNKNOWN.require(expert_id in self.experts, expert_id)
        self._expert_left(expert_id=expert_id, reason=text("reason", reason, max_len=500),
                          actor=actor.record())

    @event("ExpertLeft")
    def _expert_left(self, *, expert_id: str, reason: str, actor: dict) -> None:
        del self.experts[expert_id]

    def evaluate(self, *, year: int, scores: dict[str, object], notes: str, actor: Actor) -> None:
        """The county's yearly evaluation (考评) of the agency, 003 §五(三)1."""
        rules.EVALUATION_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")
        if not isinstance(year, int) or not 1990 <= year <= 2099:
            raise InvalidValue("year", "须为 1990–2099 的年份")
        rules.EVALUATION_ONCE_A_YEAR.require(
            all(e["year"] != year for e in self.evaluations), str(year))
        checked = evaluation.scored(scores)
        score = evaluation.total(checked)
        self._evaluated(year=year, scores=checked, total=str(score), grade=evaluation.grade(score),
                        notes=text("notes", notes, max_len=2000, required=False), actor=actor.record())

    @event("Evaluated")
    def _evaluated(self, *, year: int, scores: dict, total: str, grade: str, notes: str,
                   actor: dict) -> None:
        self.evaluations.append({"year": year, "scores": scores, "total": total, "grade": grade,
                                 "notes": notes, "by": actor})

    @property
    def latest_grade(self) -> str | None:
        return max(self.evaluations, key=lambda e: e["year"])["grade"] if self.evaluations else None

    def blacklist(self, *, reason: str, actor: Actor) -> None:
        """Blacklisting (黑名单), 002 §八(三)."""
        rules.AGENCY_BLACKLISTED.require(not self.blacklisted, self.blacklist_reason)
        self._blacklisted(reason=text("reason", reason, max_len=1000), actor=actor.record())

    @event("Blacklisted")
    def _blacklisted(self, *, reason: str, actor: dict) -> None:
        self.blacklisted = True
        self.blacklist_reason = reason

    def reinstate(self, *, reason: str, actor: Actor) -> None:
        rules.AGENCY_NOT_BLACKLISTED.require(self.blacklisted)
        self._reinstated(reason=text("reason", reason, max_len=1000), actor=actor.record())

    @event("Reinstated")
    def _reinstated(self, *, reason: str, actor: dict) -> None:
        self.blacklisted = False
        self.blacklist_reason = ""
