"""考评 of townships, sector regulators and enterprises (003 §五(三)2–4), and the yearly reward
fund (003 §五(四)1: 每年在预算中列支 30 万元专项资金).

Each party's yearly 考评 has criteria of two kinds:
- computed from the record (`RECORD`): the read models know them (coverage, hazards rectified,
  enforcement, referrals answered, responsibility assigned, rectification on time) — computed by
  `projections/queries/assessments.py`, never typed;
- scored by the bureau (`SCORED`) for what the record cannot know (a township's management of
  agencies, funding; a regulator's duty and cooperation; an enterprise's leadership, investment,
  cooperation), recorded once per party and year (`PartyAssessment.Scored`).
Each criterion is 0–100; the total is the mean of the criteria that have a score (a record
criterion with nothing to judge — no hazards that year — is left out and said so); the grade
(优秀 / 良好 / 合格 / 不合格) follows the county's thresholds (`GradeThresholds`, policy data).
The reward fund (`RewardFund`, one per year) is established by a recorded decision and allocated
by recorded decisions among the parties; the allocations never exceed the fund
(`reward-fund-within-amount`), and a decision's document number is recorded once
(`reward-decision-once`: a resubmitted decision never allocates twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import evaluation, rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.ids import natural_id
from domain.values import money, text

KINDS = ("township", "regulator", "enterprise")
KIND_NAMES = {"township": "乡镇（街道）", "regulator": "行业监管部门", "enterprise": "生产经营单位",
              "agency": "中介服务机构"}

# criterion → label, per kind; RECORD: computed from the record, SCORED: by the bureau
RECORD: dict[str, dict[str, str]] = {
    "township": {"coverage": "覆盖范围（社会化服务覆盖率对目标）", "rectification": "隐患整改情况（当年隐患销号率）"},
    "regulator": {"enforcement": "执法是否到位（重大、挂牌督办隐患有执法措施的比例）",
                  "referrals": "交办事项答复（按期答复率）",
                  "rectification": "本行业隐患是否整改（当年隐患销号率）"},
    "enterprise": {"responsibility": "责任是否落实（隐患落实责任人和整改期限的比例）",
                   "on_time": "整改是否及时到位（按期整改完成的比例）"},
}
SCORED: dict[str, dict[str, str]] = {
    "township": {"agency_management": "对中介机构日常管理情况", "progress": "市场化工作整体推进情况",
                 "funding": "经费保障情况"},
    "regulator": {"duty": "督导整改责任是否履行、工作是否到位", "cooperation": "相互配合情况"},
    "enterprise": {"leadership": "领导是否重视", "investment": "投入是否到位",
                   "cooperation": "积极配合检查"},
}
GRADE_NAMES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


@dataclass(frozen=True)
class GradeThresholds:
    """The county's grade thresholds (policy data `assessments.grades`): a total at or above
    `excellent` is 优秀, at or above `good` 良好, at or above `passing` 合格, else 不合格."""

    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    passing: Decimal = Decimal(60)

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.passing <= self.good <= self.excellent <= Decimal(100):
            raise ValueError("assessments.grades: 须 0 ≤ pass ≤ good ≤ excellent ≤ 100")

    def grade(self, total: Decimal) -> str:
        if total >= self.excellent:
            return "excellent"
        if total >= self.good:
            return "good"
        return "pass" if total >= self.passing else "fail"


def total(scores: dict[str, Decimal | int | None]) -> Decimal | None:
    """The mean of the criteria that have a score (0.1), None if none has."""
    values = [Decimal(v) for v in scores.values() if v is not None]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_score(part: int, whole: int) -> Decimal | None:
    """A record criterion's score: the share met, 0–100 (None: nothing to judge)."""
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def goal_score(rate: Decimal | None, goal: Decimal) -> Decimal | None:
    """A rate against its goal, 0–100 (the goal reached or passed: 100)."""
    if rate is None or goal <= 0:
        return None
    return min(Decimal("100.0"), (Decimal(100) * rate / goal).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def assessment_id(kind: str, party: str, year: int) -> UUID:
    return natural_id("assessment", kind, party, year)


def _year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2099:
        raise InvalidValue("year", "须为 1990–2099 的年份")
    return year


class PartyAssessment(Aggregate):
    """The bureau's scored fields of one party's 考评 for one year (考核评分)."""

    @staticmethod
    def create_id(kind: str, assessed: str, year: int, **_: object) -> UUID:
        return assessment_id(kind, assessed, year)

    @classmethod
    def score(cls, *, kind: str, assessed: str, township: str | None, sector: str | None, year: int,
              scores: dict[str, object], notes: str, actor: Actor,
              existing: PartyAssessment | None = None) -> PartyAssessment:
        """`assessed`: the township's code, the sector's code or the enterprise's id (checked by
        the caller); `township`/`sector`: where the party lies (for scope)."""
        rules.ASSESSMENT_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")
        if kind not in KINDS:
            raise InvalidValue("kind", f"未知考评对象，可选：{', '.join(KINDS)}")
        year = _year(year)
        rules.ASSESSMENT_ONCE_A_YEAR.require(existing is None, f"{KIND_NAMES[kind]} {assessed} {year} 年")
        checked = evaluation.scored(scores, SCORED[kind])
        return cls(kind=kind, assessed=assessed, township=township, sector=sector, year=year,
                   scores=checked, notes=text("notes", notes, max_len=2000, required=False),
                   actor=actor.record())

    @event("Scored")
    def __init__(self, *, kind: str, assessed: str, township: str | None, sector: str | None,
                 year: int, scores: dict, notes: str, actor: dict) -> None:
        self.kind = kind
        self.assessed = assessed
        self.township = township
        self.sector = sector
        self.year = year
        self.scores = scores
        self.notes = notes


def fund_id(year: int) -> UUID:
    return natural_id("reward-fund", year)


class RewardFund(Aggregate):
    """The year's reward fund (奖励专项资金, 003 §五(四)1) and its allocation by decisions."""

    @staticmethod
    def create_id(year: int, **_: object) -> UUID:
        return fund_id(year)

    @classmethod
    def establish(cls, *, year: int, amount: object, document_no: str, decided_on: date,
                  actor: Actor, existing: RewardFund | None = None) -> RewardFund:
        rules.REWARD_FUND_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")
        year = _year(year)
        rules.REWARD_FUND_ONCE_A_YEAR.require(existing is None, f"{year} 年")
        amount = money("amount", amount)
        if Decimal(amount) <= 0:
            raise InvalidValue("amount", "奖励资金须大于 0")
        return cls(year=year, amount=amount, document_no=text("document_no", document_no, max_len=100),
                   decided_on=decided_on, actor=actor.record())

    @event("Established")
    def __init__(self, *, year: int, amount: str, document_no: str, decided_on: date,
                 actor: dict) -> None:
        self.year = year
        self.amount = amount
        self.document_no = document_no
        self.decided_on = decided_on
        self.allocations: list[dict] = []

    @property
    def allocated(self) -> Decimal:
        return sum((Decimal(a["amount"]) for d in self.allocations for a in d["awards"]), Decimal(0))

    def allocate(self, *, awards: list[dict], document_no: str, decided_on: date, actor: Actor) -> None:
        """A recorded decision awarding parts of the fund: each award a recipient (kind, code or id,
        checked by the caller), an amount and a reason. All decisions together stay within the fund."""
        rules.REWARD_FUND_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")
        document_no = text("document_no", document_no, max_len=100)
        rules.REWARD_DECISION_ONCE.require(
            all(d["document_no"] != document_no for d in self.allocations), document_no)
        if not awards:
            raise InvalidValue("awards", "须至少有一项奖励")
        checked = []
        for n, award in enumerate(awards):
            if award.get("kind") not in KIND_NAMES:
                raise InvalidValue(f"awards.{n}.kind", f"未知奖励对象，可选：{', '.join(KIND_NAMES)}")
            amount = money(f"awards.{n}.amount", award.get("amount"))
            if Decimal(amount) <= 0:
                raise InvalidValue(f"awards.{n}.amount", "奖励金额须大于 0")
            checked.append({"kind": award["kind"], "recipient": str(award["recipient"]), "amount": amount,
                            "reason": text(f"awards.{n}.reason", award.get("reason", ""), max_len=500)})
        adding = sum((Decimal(a["amount"]) for a in checked), Decimal(0))
        rules.REWARD_FUND_WITHIN_AMOUNT.require(
            self.allocated + adding <= Decimal(self.amount),
            f"资金 {self.amount} 元，已分配 {self.allocated} 元，本次 {adding} 元")
        if decided_on < self.decided_on:
            raise InvalidValue("decided_on", f"{decided_on.isoformat()} 早于设立资金的日期 {self.decided_on.isoformat()}")
        self._allocated(awards=checked, document_no=document_no,
                        decided_on=decided_on, actor=actor.record())

    @event("Allocated")
    def _allocated(self, *, awards: list[dict], document_no: str, decided_on: date, actor: dict) -> None:
        self.allocations = [*self.allocations, {"awards": awards, "document_no": document_no,
                                                "decided_on": decided_on}]
