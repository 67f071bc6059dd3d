"""挂牌督办通知书 — the 挂牌督办 paperwork on a hazard (issue 14 §1; NINGBO-REFERENCE 挂牌督办).

The bureau issues a notice (下达: level, 挂牌政府, 督办部门, 文号, 签发人, and two periods in days),
records that it was served (送达, by whom, when), the enterprise signs for it (签收, its own token,
or the bureau recording the paper receipt), and the two deadlines — 责令治理完毕期限 and
治理方案备案期限 — run from the 签收 date. The bureau may cancel a listing in force (撤销挂牌督办).

This module holds what the paperwork decides: the values a notice accepts, the order of its
steps (each a rule of `domain.rules`), the deadline arithmetic and the notice's state as a plain
dict (what `Hazard.listing` holds). `domain/hazard.py` keeps only thin `@event` methods, so
`needs_joint_review` and `extension_approver` stay decisions of the one aggregate.

States: listed (an old one-step `ListedForSupervision`, no paperwork) | issued | served | signed
| cancelled. A listing is *in force* (the hazard is supervised) from its issue until its
cancellation. Cancellation is refused once rectification is reported: a hazard in (joint)
review closes by the joint review it is in, and a listing cannot be dropped to avoid it.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from domain import rules
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.values import Status, SupervisionLevel, choice, not_before, past_date, text


class ListingState(StrEnum):
    LISTED = "listed"          # 已挂牌（旧记录）: the old one-step listing, no paperwork
    ISSUED = "issued"          # 已下达待送达
    SERVED = "served"          # 已送达待签收
    SIGNED = "signed"          # 已签收
    CANCELLED = "cancelled"    # 已撤销


STATE_NAMES_ZH = {"listed": "已挂牌（旧记录）", "issued": "已下达待送达", "served": "已送达待签收",
                  "signed": "已签收", "cancelled": "已撤销", None: "未挂牌督办"}
IN_FORCE = frozenset({ListingState.LISTED, ListingState.ISSUED, ListingState.SERVED,
                      ListingState.SIGNED})
MAX_FINISH_DAYS = 1095  # 责令治理完毕期限: at most three years from 签收
MAX_PLAN_DAYS = 365     # 治理方案备案期限: at most a year from 签收
CHANNELS = ("online", "paper")  # 签收: the enterprise's own token, or the paper receipt recorded


# --- what the notice's state says ------------------------------------------------------------
def state_of(listing: dict | None) -> str | None:
    return listing["state"] if listing else None


def in_force(listing: dict | None) -> bool:
    return state_of(listing) in IN_FORCE


def _state_zh(listing: dict | None) -> str:
    return f"当前：{STATE_NAMES_ZH[state_of(listing)]}"


def last_step_date(listing: dict) -> date:
    """The date of the notice's latest step (a later step may not precede it)."""
    return listing.get("signed_on") or listing.get("served_on") or listing["issued_on"]


# --- values --------------------------------------------------------------------------------
def days(field: str, value: object, maximum: int) -> int:
    """A whole number of days, 1 … maximum."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "须为整数天数")
    if not 1 <= value <= maximum:
        raise InvalidValue(field, f"须在 1 至 {maximum} 天之间")
    return value


def terms(*, level: str, government: str, department: str, document_no: str, finish_days: int,
          plan_days: int, signatory: str, issued_on: date, today: date,
          discovered_on: date) -> dict[str, Any]:
    """The notice's terms, each checked (422 naming the field): the plan is filed before the work
    is due, so 治理方案备案期限 ≤ 责令治理完毕期限."""
    finish = days("finish_days", finish_days, MAX_FINISH_DAYS)
    plan = days("plan_days", plan_days, MAX_PLAN_DAYS)
    if plan > finish:
        raise InvalidValue("plan_days", f"治理方案备案期限（{plan} 天）不能长于责令治理完毕期限（{finish} 天）")
    past_date("issued_on", issued_on, today)
    not_before("issued_on", issued_on, discovered_on, "隐患发现日期")
    return {"level": choice("level", level, SupervisionLevel),
            "government": text("government", government, max_len=100),
            "department": text("department", department, max_len=100),
            "document_no": text("document_no", document_no, max_len=100),
            "finish_days": finish, "plan_days": plan,
            "signatory": text("signatory", signatory, max_len=50), "issued_on": issued_on}


def deadlines(signed_on: date, finish_days: int, plan_days: int) -> tuple[date, date]:
    """责令治理完毕期限 and 治理方案备案期限: N days from 签收, the day of 签收 not counted
    (民法典第二百零一条: 按照日计算期间的，开始的当日不计入). Calendar days; a last day that falls
    on a holiday is not moved (the notice states the dates)."""
    return signed_on + timedelta(days=finish_days), signed_on + timedelta(days=plan_days)


# --- who and in which order (each a rule of domain.rules) -----------------------------------
def require_bureau(actor: Actor) -> None:
    rules.LISTING_BY_BUREAU.require(actor.role == Role.BUREAU, f"操作角色 {actor.role}")


def sign_channel(actor: Actor) -> str:
    """签收 by the enterprise itself (online) or the bureau recording the paper receipt (paper)."""
    rules.LISTING_SIGNED_BY_ENTERPRISE.require(
        actor.role in (Role.ENTERPRISE, Role.BUREAU), f"操作角色 {actor.role}")
    return "online" if actor.role == Role.ENTERPRISE else "paper"


def require_issuable(listing: dict | None, status: str | None = None) -> None:
    """No second listing while one is in force; a notice (`status` given) only before
    rectification is reported: listed in review, a general hazard whose review has passed would
    need a joint review it can no longer get."""
    rules.SUPERVISE_TWICE.require(not in_force(listing), _state_zh(listing))
    if status is not None:
        rules.LISTING_ISSUE_BEFORE_RECTIFICATION.require(
            status in (Status.REPORTED, Status.ASSIGNED), f"隐患状态 {status}")


def require_servable(listing: dict | None) -> None:
    rules.LISTING_SERVE_AFTER_ISSUE.require(state_of(listing) == ListingState.ISSUED, _state_zh(listing))


def require_signable(listing: dict | None) -> None:
    rules.LISTING_SIGN_AFTER_SERVE.require(state_of(listing) == ListingState.SERVED, _state_zh(listing))


def require_cancellable(listing: dict | None, status: str) -> None:
    rules.LISTING_CANCEL_IN_FORCE.require(in_force(listing), _state_zh(listing))
    rules.LISTING_CANCEL_BEFORE_RECTIFICATION.require(
        status in (Status.REPORTED, Status.ASSIGNED), f"隐患状态 {status}")


def step_date(field: str, value: date, listing: dict, today: date, previous_name: str) -> date:
    """A step's date: not in the future, not before the notice's previous step (422)."""
    past_date(field, value, today)
    return not_before(field, value, last_step_date(listing), previous_name)


# --- the notice's state after each step (what the @event methods apply) ---------------------
def issued(**notice: Any) -> dict[str, Any]:
    return {"state": ListingState.ISSUED.value, **notice, "served_by": None, "served_on": None,
            "signed_by": None, "signed_on": None, "channel": None, "finish_by": None,
            "plan_by": None, "cancellation": None}


def old_listing(*, level: str, document_no: str, listed_on: date) -> dict[str, Any]:
    """An old one-step listing (`ListedForSupervision`): in force, without paperwork."""
    return {"state": ListingState.LISTED.value, "level": level, "document_no": document_no,
            "issued_on": listed_on, "cancellation": None}


def served(listing: dict, *, served_by: str, served_on: date) -> dict[str, Any]:
    return {**listing, "state": ListingState.SERVED.value, "served_by": served_by, "served_on": served_on}


def signed(listing: dict, *, signed_by: str, signed_on: date, channel: str, finish_by: date,
           plan_by: date) -> dict[str, Any]:
    return {**listing, "state": ListingState.SIGNED.value, "signed_by": signed_by,
            "signed_on": signed_on, "channel": channel, "finish_by": finish_by, "plan_by": plan_by}


def cancelled(listing: dict, *, reason: str, document_no: str, cancelled_on: date) -> dict[str, Any]:
    return {**listing, "state": ListingState.CANCELLED.value,
            "cancellation": {"reason": reason, "document_no": document_no, "cancelled_on": cancelled_on}}


def supervision_of(listing: dict | None) -> dict | None:
    """`Hazard.supervision` (level, document_no, listed_on) while a listing is in force, else None."""
    if not in_force(listing):
        return None
    return {"level": listing["level"], "document_no": listing["document_no"],
            "listed_on": listing["issued_on"]}
