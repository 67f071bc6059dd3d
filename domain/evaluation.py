"""Agency evaluation (考评), 003 §五(三)1: the criteria as scored fields.

Each criterion is scored 0–100 by the county; the result is their mean, graded
优秀 (≥ 90), 合格 (≥ 60) or 不合格. An agency failing its latest evaluation is not
commissioned again (下次不再委托, 003 §五(四)5): no new procurement agreement.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidValue

CRITERIA = {
    "expert_count": "专家数量",
    "expert_quality": "专家质量",
    "work_effect": "专家工作效果",
    "hazard_quality": "隐患质量",
    "report_quality": "隐患排查报告质量",
    "system_support": "协助完善隐患排查治理体系、配合大检查和专项检查",
    "enterprise_support": "帮助企业自查自改自报、建立制度规程台账",
    "monthly_analysis": "每月安全形势分析报告",
}
EXCELLENT, PASSING = Decimal(90), Decimal(60)


def scored(scores: dict[str, object], criteria: dict[str, str] = CRITERIA) -> dict[str, int]:
    """Validate a full set of scores: every criterion (of `criteria`: the agency's by
    default), each an integer 0–100."""
    unknown = sorted(set(scores) - set(criteria))
    if unknown:
        raise InvalidValue(f"scores.{unknown[0]}", f"未知考评项，可选：{', '.join(criteria)}")
    result = {}
    for name in criteria:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise InvalidValue(f"scores.{name}", f"{criteria[name]}须为 0–100 的整数")
        result[name] = value
    return result


def total(scores: dict[str, int]) -> Decimal:
    mean = Decimal(sum(scores.values())) / len(scores)
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def grade(score: Decimal) -> str:
    return "excellent" if score >= EXCELLENT else "pass" if score >= PASSING else "fail"
