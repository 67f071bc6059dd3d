"""Which reminders (提醒) are due on a day — pure: the facts and the day are passed in.

Kinds (issue 14 §5), each raised for one subject (a hazard, a referral, an enterprise):

| kind | when | to whom |
|---|---|---|
| `deadline_soon` 整改期限临近 | once, on the day the deadline in force comes within `deadline_soon_days` (7) — or on the assignment day if the deadline was already that close; while not rectified | the enterprise (responsible person's phone) |
| `overdue` 逾期未整改 | the first day after the deadline, then every `overdue_every_days` (7); while not rectified | the enterprise |
| `extension_decision_due` 延期申请待审批 | every working day from the first working day after the request until it is decided, up to the deadline in force (after it `overdue` takes over) | the approver: the bureau (major or 挂牌督办), else the township |
| `referral_due` 交办临近期限 | once, `referral_due_days` (3) before the due date (or on the referral day if later); while not answered | the receiving township or regulator |
| `referral_overdue` 交办逾期未答复 | the first day after the due date, then weekly; while not answered | the receiving unit |
| `self_report_missing` 本月未自查自报 | each of the last `self_report_last_days` (2) days of a month, for an enterprise with no self-report of that month | the enterprise |

Each reminder's `day` is the business date it belongs to (Asia/Shanghai), fixed by the facts,
not by the moment someone looks: a sweep that runs late (the service was down) raises the latest
occurrence it missed, under that occurrence's day, and a second sweep finds the same
(subject, kind, day) — the key a store keeps each reminder under once (`Reminder.key`, `id`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.actor import Role
from domain.hazard import extension_approver

KIND_LABELS: dict[str, str] = {
    "deadline_soon": "整改期限临近",
    "overdue": "逾期未整改",
    "extension_decision_due": "延期申请待审批",
    "referral_due": "交办事项临近办理期限",
    "referral_overdue": "交办事项逾期未答复",
    "self_report_missing": "本月尚未自查自报",
}
KINDS = tuple(KIND_LABELS)
SUBJECT_LABELS = {"hazard": "隐患", "referral": "交办", "enterprise": "企业"}
RECIPIENT_LABELS = {"enterprise": "企业", "township": "乡镇（街道）", "regulator": "行业主管部门",
                    "bureau": "县应急管理局"}
_NAMESPACE = uuid.UUID("6f1d2a52-7c1e-5b8e-9a43-0d5c2e6b1f14")
OPEN_UNRECTIFIED = "assigned"  # the status in which a deadline runs (as Hazard.is_overdue)

WorkingDay = Callable[[date], bool]


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "提醒")


@dataclass(frozen=True)
class ReminderPolicy:
    """The county's reminder limits (policy file, section `reminders`)."""

    deadline_soon_days: int = 7
    overdue_every_days: int = 7
    referral_due_days: int = 3
    self_report_last_days: int = 2

    def __post_init__(self) -> None:
        for name in ("deadline_soon_days", "overdue_every_days", "referral_due_days",
                     "self_report_last_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= 60:
                raise ValueError(f"reminders.{name} 须为 1–60 的整数：{value!r}")


@dataclass(frozen=True)
class HazardFacts:
    id: str
    enterprise_id: str
    enterprise_name: str
    township: str
    sector: str
    level: str
    supervised: bool
    description: str
    status: str
    deadline: date | None
    assigned_on: date | None
    responsible_person: str | None = None
    responsible_phone: str = ""
    extension_requested_on: date | None = None


@dataclass(frozen=True)
class ReferralFacts:
    id: str
    receiver_kind: str  # township | sector
    receiver: str  # the township's code or the sector's
    receiver_name: str
    referred_on: date
    due_on: date
    answered_on: date | None
    hazards: tuple[tuple[str, str], ...] = ()  # (enterprise name, hazard description)
    document_no: str = ""


@dataclass(frozen=True)
class EnterpriseFacts:
    id: str
    name: str
    township: str
    sector: str
    reported_months: frozenset[str] = field(default_factory=frozenset)  # "2026-11", …


@dataclass(frozen=True)
class Reminder:
    subject_kind: str  # hazard | referral | enterprise
    subject_id: str
    kind: str
    day: date
    township: str | None
    sector: str | None
    recipient_role: str  # enterprise | township | regulator | bureau
    recipient_unit: str | None  # the enterprise's id, the township's or sector's code; None: county
    phone: str
    text: str
    enterprise_id: str | None = None

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.subject_kind, self.subject_id, self.kind, self.day)

    @property
    def id(self) -> str:
        """The same (subject, kind, day) always gets the same id, whoever computes it."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.subject_kind}:{self.subject_id}:{self.kind}:{self.day}"))


# --- days ------------------------------------------------------------------------------------
def zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def latest_of_every(first: date, every: int, today: date) -> date | None:
    """The latest of first, first + every, first + 2·every … not after today (None before first)."""
    if today < first:
        return None
    return first + timedelta(days=(today - first).days // every * every)


def next_working_day(after: date, working: WorkingDay) -> date:
    day = after + timedelta(days=1)
    while not working(day):
        day += timedelta(days=1)
    return day


def latest_working_day(first: date, today: date, working: WorkingDay) -> date | None:
    """The latest working day from `first` up to today (None if there is none)."""
    day = today
    while day >= first:
        if working(day):
            return day
        day -= timedelta(days=1)
    return None


def weekdays(day: date) -> bool:
    """Monday to Friday: the fallback where no holiday calendar covers the year."""
    return day.weekday() < 5


def last_day_of_month(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


# --- the kinds -------------------------------------------------------------------------------
def _hazard_reminder(h: HazardFacts, kind: str, day: date, text: str, *, role: str = "enterprise",
                     unit: str | None = None, phone: str | None = None) -> Reminder:
    return Reminder("hazard", h.id, kind, day, h.township, h.sector, role,
                    h.enterprise_id if role == "enterprise" else unit,
                    h.responsible_phone if phone is None else phone, text, h.enterprise_id)


def _who(h: HazardFacts) -> str:
    person = f"（责任人：{h.responsible_person}）" if h.responsible_person else ""
    return f"{h.enterprise_name}{person}"


def hazard_reminders(h: HazardFacts, today: date, policy: ReminderPolicy,
                     working: WorkingDay = weekdays) -> Iterator[Reminder]:
    """deadline_soon, overdue, extension_decision_due for one hazard."""
    if h.status != OPEN_UNRECTIFIED or h.deadline is None:
        return
    deadline = h.deadline
    if today <= deadline:
        day = max(deadline - timedelta(days=policy.deadline_soon_days), h.assigned_on or date.min)
        if day <= today:
            left = (deadline - day).days
            yield _hazard_reminder(h, "deadline_soon", day, (
                f"【整改期限临近】{_who(h)}：隐患“{h.description}”的整改期限为{zh_date(deadline)}，"
                f"还有{left}天，请按期完成整改并报告整改情况。"))
    else:
        day = latest_of_every(deadline + timedelta(days=1), policy.overdue_every_days, today)
        if day is not None:
            late = (day - deadline).days
            yield _hazard_reminder(h, "overdue", day, (
                f"【逾期未整改】{_who(h)}：隐患“{h.description}”的整改期限{zh_date(deadline)}已过"
                f"{late}天，尚未报告整改完成，请立即整改。"))
    if h.extension_requested_on is not None and today <= deadline:
        first = next_working_day(h.extension_requested_on, working)
        day = latest_working_day(first, today, working)
        if day is not None:
            bureau = extension_approver(h.level, h.supervised) == Role.BUREAU
            yield _hazard_reminder(h, "extension_decision_due", day, (
                f"【延期申请待审批】{h.enterprise_name}于{zh_date(h.extension_requested_on)}申请延期，"
                f"隐患“{h.description}”，现整改期限{zh_date(deadline)}，请尽快审批。"),
                role="bureau" if bureau else "township", unit=None if bureau else h.township, phone="")


def _referral_reminder(r: ReferralFacts, kind: str, day: date, text: str) -> Reminder:
    township = r.receiver if r.receiver_kind == "township" else None
    sector = r.receiver if r.receiver_kind == "sector" else None
    role = "township" if r.receiver_kind == "township" else "regulator"
    return Reminder("referral", r.id, kind, day, township, sector, role, r.receiver, "", text)


def _referred(r: ReferralFacts) -> str:
    shown = "；".join(f"{name}：{description}" for name, description in r.hazards[:3])
    more = f"等{len(r.hazards)}条隐患" if len(r.hazards) > 3 else ""
    number = f"（{r.document_no}）" if r.document_no else ""
    return f"{zh_date(r.referred_on)}交办{number}的隐患（{shown}{more}）"


def referral_reminders(r: ReferralFacts, today: date, policy: ReminderPolicy) -> Iterator[Reminder]:
    """referral_due, referral_overdue for one referral not yet answered."""
    if r.answered_on is not None:
        return
    if today <= r.due_on:
        day = max(r.due_on - timedelta(days=policy.referral_due_days), r.referred_on)
        if day <= today:
            yield _referral_reminder(r, "referral_due", day, (
                f"【交办临近期限】{r.receiver_name}：{_referred(r)}办理期限为{zh_date(r.due_on)}，"
                f"请按期办理并答复。"))
        return
    day = latest_of_every(r.due_on + timedelta(days=1), policy.overdue_every_days, today)
    if day is not None:
        yield _referral_reminder(r, "referral_overdue", day, (
            f"【交办逾期未答复】{r.receiver_name}：{_referred(r)}办理期限{zh_date(r.due_on)}已过"
            f"{(day - r.due_on).days}天，尚未答复，请立即办理并答复。"))


def self_report_reminders(e: EnterpriseFacts, today: date,
                          policy: ReminderPolicy) -> Iterator[Reminder]:
    """self_report_missing on each of the month's last days, while the month has no report."""
    last = last_day_of_month(today)
    if (last - today).days >= policy.self_report_last_days:
        return
    month = f"{today.year:04d}-{today.month:02d}"
    if month in e.reported_months:
        return
    yield Reminder("enterprise", e.id, "self_report_missing", today, e.township, e.sector,
                   "enterprise", e.id, "", (
                       f"【自查自报提醒】{e.name}：{today.year}年{today.month}月的隐患自查自报尚未填报"
                       f"（含零隐患），请于{zh_date(last)}前完成。"), e.id)


def due(*, hazards: Iterable[HazardFacts] = (), referrals: Iterable[ReferralFacts] = (),
        enterprises: Iterable[EnterpriseFacts] = (), today: date, policy: ReminderPolicy,
        working: WorkingDay = weekdays) -> list[Reminder]:
    """Every reminder due on `today` (the latest occurrence of each kind not after it)."""
    out: list[Reminder] = []
    for h in hazards:
        out.extend(hazard_reminders(h, today, policy, working))
    for r in referrals:
        out.extend(referral_reminders(r, today, policy))
    for e in enterprises:
        out.extend(self_report_reminders(e, today, policy))
    return out
