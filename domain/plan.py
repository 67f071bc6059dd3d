"""The rectification plan (治理方案) a major hazard needs before it may be reported rectified."""

from __future__ import annotations

from domain.values import text

# The six parts, in the order the 暂行规定 (第十五条) lists them.
PLAN_PARTS = {
    "objectives": "目标任务",
    "measures": "方法措施",
    "funds": "经费物资",
    "organisation": "机构人员",
    "timeline": "时限要求",
    "safety_measures": "安全措施和应急预案",
}


def rectification_plan(**parts: str) -> dict[str, str]:
    """Validate a plan: each of the six parts present and non-blank; returns the stored form."""
    return {name: text(name, parts.get(name, ""), max_len=4000) for name in PLAN_PARTS}
