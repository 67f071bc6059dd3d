"""Which step of a hazard is whose next (待办, issue 14 §6) — pure, no database.

`row_duties(role, row)`: a ledger row (`ledger_hazards`, projections/views/hazard_rows.py) →
the steps that role takes next on that hazard, each with the day it became that party's and its
deadline. The kinds, their Chinese labels and which roles get which: docs/todo.md, the rules
behind them: domain/rules.py. `projections/queries/todo.py` reads the rows and adds the
self-reports and referrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.actor import JOINT_REVIEW_PARTIES
from domain.hazard import extension_approver, needs_joint_review

# kind → what the holder must do (kind_label), in the order items of one day are listed
KINDS: dict[str, str] = {
    "listing_sign": "签收挂牌督办通知书",
    "assign": "落实责任人和整改期限",
    "plan": "备案治理方案",
    "rectify": "整改隐患",
    "closure_report": "提交书面销号报告",
    "self_report": "报送月度自查自报",
    "listing_serve": "送达挂牌督办通知书",
    "extension_decision": "审批延期申请",
    "review": "复查整改情况",
    "joint_review": "联合复查签字",
    "close": "隐患销号",
    "referral_sign": "签收交办事项",
    "referral_answer": "答复交办事项",
}
ORDER = {kind: n for n, kind in enumerate(KINDS)}

# the roles that have a to-do, and the kinds each can get
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    "enterprise": ("listing_sign", "assign", "plan", "rectify", "closure_report", "self_report"),
    "township": ("extension_decision", "review", "joint_review", "referral_sign", "referral_answer"),
    "regulator": ("joint_review", "referral_sign", "referral_answer"),
    "agency": ("review", "joint_review"),
    "bureau": ("listing_serve", "extension_decision", "close"),
}
NO_TODO_NOTE = "审计、事故调查和管理员角色只查阅，不办理隐患排查治理事项，没有待办"


@dataclass(frozen=True)
class Duty:
    kind: str
    since: date
    due_on: date | None = None


def joint(row: dict[str, Any]) -> bool:
    """Major and listed (挂牌督办) hazards close after the three-party joint review."""
    return needs_joint_review(row["level"], row["supervision_level"] is not None)


def _earliest(*days: date | None) -> date | None:
    given = [d for d in days if d is not None]
    return min(given) if given else None


def _enterprise_duties(row: dict[str, Any]) -> list[Duty]:
    """The enterprise: sign for a served listing; assign; file the plan (major, or listed with
    a 方案备案期限); rectify by the deadline (a signed listing's 治理完毕期限 when earlier);
    file the closure report once the joint review is complete."""
    status, duties = row["status"], []
    if row["listing_state"] == "served":
        duties.append(Duty("listing_sign", row["listing_served_on"]))
    if status == "reported":
        duties.append(Duty("assign", row["discovered_on"]))
    if status == "assigned":
        signed = row["listing_state"] == "signed"  # the notice's deadlines run (not once cancelled)
        plan_by = row["listing_plan_by"] if signed else None
        if (row["level"] == "major" or plan_by is not None) and row["plan_filed_on"] is None:
            since = max(d for d in (row["assigned_on"], row["listing_signed_on"] if plan_by else None) if d)
            duties.append(Duty("plan", since, plan_by))
        finish_by = row["listing_finish_by"] if signed else None
        duties.append(Duty("rectify", row["assigned_on"], _earliest(row["deadline"], finish_by)))
    if status == "rectified" and joint(row) and row["joint_review_on"] and not row["closure_report_on"]:
        duties.append(Duty("closure_report", row["joint_review_on"]))
    return duties


def row_duties(role: str, row: dict[str, Any]) -> list[Duty]:
    """The steps `role` takes next on one open hazard (a ledger row), each with the date it
    became due to that party and its deadline, if any."""
    if role == "enterprise":
        return _enterprise_duties(row)
    status, duties = row["status"], []
    signed = set(filter(None, (row["joint_parties"] or "").split(",")))
    approver = extension_approver(row["level"], row["supervision_level"] is not None)
    if row["extension_requested_on"] and role == approver:
        # rule extension-approver; decided before the deadline in force runs out
        duties.append(Duty("extension_decision", row["extension_requested_on"], row["deadline"]))
    if role == "bureau" and row["listing_state"] == "issued":
        duties.append(Duty("listing_serve", row["listed_on"]))
    if status != "rectified":
        return duties
    if role in ("township", "agency") and not joint(row) and row["review_passed_on"] is None:
        duties.append(Duty("review", row["rectified_on"]))
    if role in _JOINT_PARTIES and joint(row) and role not in signed:
        duties.append(Duty("joint_review", row["rectified_on"]))
    if role == "bureau":
        if joint(row) and row["joint_review_on"] and row["closure_report_on"]:
            duties.append(Duty("close", row["closure_report_on"]))
        elif not joint(row) and row["review_passed_on"]:
            duties.append(Duty("close", row["review_passed_on"]))
    return duties


_JOINT_PARTIES = frozenset(str(p) for p in JOINT_REVIEW_PARTIES)
