"""Value vocabularies and the checks every aggregate shares."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidValue


class Level(StrEnum):
    GENERAL = "general"  # 一般隐患
    MAJOR = "major"      # 重大隐患


class Source(StrEnum):
    INSPECTION = "inspection"              # 隐患排查
    SELF_CHECK = "self_check"              # 企业自查
    GOVERNMENT_CHECK = "government_check"  # 执法检查
    PUBLIC_TIP = "public_tip"              # 群众举报
    GRID = "grid"                          # 网格化协查
    INSURANCE = "insurance"                # 安责险评估 (issue 15 §3)
    MUTUAL_HELP = "mutual_help"            # 企业互助互查（issue 15）
    ASSOCIATION = "association"            # 行业协会互查（issue 15）
    SMART_ELECTRICITY = "smart_electricity"  # 智慧用电监测 (raised from device alarms, issue 15 §4)


class Status(StrEnum):
    REPORTED = "reported"
    ASSIGNED = "assigned"
    RECTIFIED = "rectified"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class SupervisionLevel(StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"          # 市级
    COUNTY = "county"      # 县级
    TOWNSHIP = "township"  # 乡镇


class EnforcementKind(StrEnum):
    ORDER_RECTIFICATION = "order_rectification"  # 责令限期整改
    SUSPEND = "suspend"                          # 停产停业整顿
    FINE = "fine"                                # 罚款
    CASE = "case"                                # 立案


class InspectionKind(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 全面排查（每年）
    MONTHLY = "monthly"              # 按月排查
    SPECIAL = "special"              # 专项排查
    SELF = "self"                    # 自查
    MUTUAL = "mutual"                # 组内互查（互助组成员之间，issue 15）
    INTER_GROUP = "inter_group"      # 组间互查（互助组查本区域、本行业的组外企业）
    ASSOCIATION = "association"      # 协会互查（行业协会查会员单位）
    REINSPECTION = "reinspection"    # 复查
    INSURANCE_ASSESSMENT = "insurance_assessment"  # 安责险风险评估 (issue 15 §3)


class ServiceType(StrEnum):
    MONTHLY = "monthly"                  # 按月排查
    COMPREHENSIVE = "comprehensive"      # 全面排查
    STANDARDISATION = "standardisation"  # 安全标准化
    TRAINING = "training"                # 安全培训
    CONSULTING = "consulting"            # 安全咨询
    OTHER = "other"


class Scale(StrEnum):
    ABOVE_SIZE = "above_size"  # 规上
    SMALL_MICRO = "small_micro"  # 小微
    INDIVIDUAL = "individual"  # 个体


MAX_TEXT = 4000  # the Ningbo system's limit for a major hazard's description
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, CR and LF are allowed
PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")
TOWNSHIP_CODE = re.compile(r"[0-9]{9}")


def text(field: str, value: str, *, max_len: int = MAX_TEXT, required: bool = True) -> str:
    """A free-text value: trimmed, no control characters, bounded length."""
    if not isinstance(value, str):
        raise InvalidValue(field, "须为文本")
    value = value.strip()
    if required and not value:
        raise InvalidValue(field, "不能为空")
    if len(value) > max_len:
        raise InvalidValue(field, f"长度不能超过 {max_len} 个字符")
    if CONTROL_CHARS.search(value):
        raise InvalidValue(field, "含有控制字符")
    return value


def phone(field: str, value: str) -> str:
    """A phone number (digits, spaces, hyphens, an optional leading +), or empty."""
    value = text(field, value, max_len=20, required=False)
    if value and not PHONE.fullmatch(value):
        raise InvalidValue(field, "电话号码格式不正确")
    return value


def choice(field: str, value: str, vocabulary: type[StrEnum]) -> str:
    """A value from a closed vocabulary, stored as its plain string."""
    try:
        return str(vocabulary(value))
    except ValueError:
        allowed = ", ".join(v.value for v in vocabulary)
        raise InvalidValue(field, f"未知取值 {value!r}，可选：{allowed}") from None


def past_date(field: str, value: date, today: date) -> date:
    """A business date that has happened: never after today."""
    if value > today:
        raise InvalidValue(field, f"业务日期 {value.isoformat()} 晚于今天 {today.isoformat()}")
    return value


def not_before(field: str, value: date, earlier: date, earlier_name: str) -> date:
    """Business dates stay consistent: a step cannot precede the step it follows."""
    if value < earlier:
        raise InvalidValue(
            field, f"{value.isoformat()} 早于{earlier_name} {earlier.isoformat()}")
    return value


def money(field: str, value: Decimal | int | float | str) -> str:
    """A non-negative amount of yuan, kept as a decimal string (exact)."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise InvalidValue(field, "须为金额") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidValue(field, "须为非负金额")
    return format(amount + 0, "f")  # canonical: no exponent, no negative zero


def period(start_field: str, start: date, end: date, end_field: str) -> None:
    if end <= start:
        raise InvalidValue(end_field, f"结束日期 {end.isoformat()} 须晚于{start_field} {start.isoformat()}")


def township_code(field: str, value: str) -> str:
    if not isinstance(value, str) or not TOWNSHIP_CODE.fullmatch(value):
        raise InvalidValue(field, "乡镇（街道）代码须为 9 位数字")
    return value
