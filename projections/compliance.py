"""三不放过 (003 §五(二)): the three checks of one hazard on a day — pure, no database.

1. 责任不落实不放过 responsibility: a responsible person and a deadline assigned;
2. 执法不到位不放过 enforcement: every major, supervised (挂牌督办) or overdue hazard has an
   enforcement action by its sector regulator;
3. 隐患不消除不放过 elimination: closed only after a passed review (major/supervised: the
   three-party joint review and the written closure report).
Each answers met / pending / violated with why; the time limits are the county's policy
(`projections/policy/*.json`). A withdrawn false report answers n/a.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from projections.labels import ENFORCEMENT

DEFAULT_POLICY = Path(__file__).with_name("policy") / "ninghai.json"
MET, PENDING, VIOLATED, NA = "met", "pending", "violated", "n/a"
CHECKS = ("responsibility", "enforcement", "elimination")


@dataclass(frozen=True)
class Policy:
    name: str
    responsibility_days: int
    enforcement_for: frozenset[str]   # major / supervised / overdue
    enforcement_days: int
    review_days: int

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        """The county's policy from a data file (Settings.policy_file: HAZARD_POLICY_FILE),
        else Ninghai's (SPEC §2)."""
        path = path or DEFAULT_POLICY
        data = orjson.loads(Path(path).read_bytes())
        return cls(name=data["name"], responsibility_days=data["responsibility"]["within_days"],
                   enforcement_for=frozenset(data["enforcement"]["required_for"]),
                   enforcement_days=data["enforcement"]["within_days"],
                   review_days=data["elimination"]["review_within_days"])

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "responsibility_days": self.responsibility_days,
                "enforcement_for": sorted(self.enforcement_for),
                "enforcement_days": self.enforcement_days, "review_days": self.review_days}


Check = tuple[str, str]  # (state, why)


def responsibility(h: dict[str, Any], day: date, p: Policy) -> Check:
    limit = p.responsibility_days
    if h["assigned_on"] is not None:
        took = (h["assigned_on"] - h["discovered_on"]).days
        late = f"，超过 {limit} 日时限" if took > limit else ""
        return MET, (f"责任人 {h['responsible_person']}，整改期限 {h['deadline']}"
                     f"（发现后 {took} 日落实{late}）")
    age = (day - h["discovered_on"]).days
    if age <= limit:
        return PENDING, f"发现 {age} 日，尚未落实责任人和整改期限（时限 {limit} 日）"
    return VIOLATED, f"发现已 {age} 日，仍未落实责任人和整改期限（时限 {limit} 日）"


def _triggers(h: dict[str, Any], day: date, p: Policy) -> list[tuple[date, str]]:
    """Why enforcement is required, and from when."""
    found: list[tuple[date, str]] = []
    if "major" in p.enforcement_for and h["level"] == "major":
        found.append((h["discovered_on"], "重大隐患"))
    if "supervised" in p.enforcement_for and h["listed_on"] is not None:
        found.append((h["listed_on"], "挂牌督办隐患"))
    rectified_by = h["rectified_on"] if h["status"] in ("rectified", "closed") else day
    if "overdue" in p.enforcement_for and h["deadline"] and h["deadline"] < rectified_by:
        found.append((h["deadline"] + timedelta(days=1), "逾期隐患"))
    return sorted(found)


def enforcement(h: dict[str, Any], day: date, p: Policy) -> Check:
    triggers = _triggers(h, day, p)
    if h["enforcement_count"]:
        kind = ENFORCEMENT.get(h["last_enforcement_kind"], h["last_enforcement_kind"])
        return MET, (f"执法措施 {h['enforcement_count']} 项，最近：{kind} "
                     f"{h['last_enforcement_doc']}（{h['last_enforced_on']}）")
    if not triggers:
        return MET, "一般隐患、未逾期，无需执法措施"
    since, why = triggers[0]
    due = since + timedelta(days=p.enforcement_days)
    if h["status"] == "closed":
        return VIOLATED, f"{why}已销号，但始终没有行业主管部门的执法措施"
    if day <= due:
        return PENDING, f"{why}，须于 {due} 前由行业主管部门采取执法措施"
    return VIOLATED, f"{why}，执法期限 {due} 已过 {(day - due).days} 日，仍无执法措施"


def _needs_joint(h: dict[str, Any]) -> bool:
    return h["level"] == "major" or h["supervision_level"] is not None


def elimination(h: dict[str, Any], day: date, p: Policy) -> Check:
    if h["status"] == "closed":
        if _needs_joint(h):
            if h["joint_review_on"] and h["closure_report_on"]:
                return MET, (f"三方联合复查通过（{h['joint_review_on']}），书面销号报告 "
                             f"{h['closure_report_doc']}，{h['closed_on']} 销号")
            return VIOLATED, "重大/挂牌督办隐患销号前缺少三方联合复查或书面销号报告"
        if h["review_passed_on"]:
            return MET, f"复查通过（{h['review_passed_on']}），{h['closed_on']} 销号"
        return VIOLATED, "未经复查通过即销号"
    if h["status"] == "assigned" and h["deadline"] and h["deadline"] < day:
        return VIOLATED, f"逾期 {(day - h['deadline']).days} 日未整改（整改期限 {h['deadline']}）"
    if h["status"] == "rectified":
        if h["review_passed_on"] or h["joint_review_on"]:
            return PENDING, "复查通过，待销号"
        waited = (day - h["rectified_on"]).days
        if waited > p.review_days:
            return VIOLATED, f"整改完成 {waited} 日仍未复查通过（时限 {p.review_days} 日）"
        return PENDING, f"整改完成（{h['rectified_on']}），待复查"
    if h["deadline"]:
        return PENDING, f"整改中，整改期限 {h['deadline']}"
    return PENDING, "尚未落实整改期限"


def evaluate(h: dict[str, Any], day: date, policy: Policy) -> dict[str, Check]:
    """The three checks of one ledger row (as it stood on `day`)."""
    if h["status"] == "withdrawn":
        return dict.fromkeys(CHECKS, (NA, "已撤销（误报）"))
    return {"responsibility": responsibility(h, day, policy),
            "enforcement": enforcement(h, day, policy),
            "elimination": elimination(h, day, policy)}
