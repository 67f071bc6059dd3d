"""The API's closed vocabularies (issue 17 §6): one schema type per vocabulary, built from the one
table of Chinese labels (`projections/labels.py`, `projections/oversight_labels.py`), never a copy.

Each type
- accepts the code (`small_micro`) or what a clerk would type: the label (`小微`, `重大隐患`), the
  label without its trailing 隐患 (`重大`), surrounding spaces ignored: the one normalisation place,
  a pydantic BeforeValidator, so the domain and the store only ever see codes;
- refuses anything else with 422 naming the field and listing `code（label）` choices, reported
  together with every other invalid field of the body;
- is published in the OpenAPI document as `enum` (the codes) with `x-enum-labels` (code → label)
  and a description listing `code = label`.

`VOCABULARIES` names them all (docs/api.md lists them; tests check each against its domain enum).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, GetJsonSchemaHandler
from pydantic_core import CoreSchema

from domain.reminders import KIND_LABELS
from projections import labels, oversight_labels


def _aliases(table: Mapping[str, str]) -> dict[str, str]:
    """What a clerk may type → the code: the code itself, its label, the label without 隐患."""
    out: dict[str, str] = {}
    for code, label in table.items():
        out[code] = code
        out[label] = code
        if label.endswith("隐患") and len(label) > 2:
            out.setdefault(label[:-2], code)
    return out


class _Published:
    """Annotated metadata adding the enum, its labels and a description to the JSON schema (works for
    bodies and query parameters alike: no pydantic Field, which FastAPI's Query(...) would clash with)."""

    def __init__(self, codes: list[str], labelled: dict[str, str], description: str) -> None:
        self.codes, self.labelled, self.description = codes, labelled, description

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        schema = handler(core_schema)
        schema.update({"enum": self.codes, "x-enum-labels": self.labelled, "description": self.description})
        return schema


def vocabulary(name: str, table: Mapping[str, str]) -> Any:
    """An Annotated str type for the closed vocabulary `table` (code → Chinese label)."""
    codes = [code for code in table if isinstance(code, str)]
    labelled = {code: table[code] for code in codes}
    aliases = _aliases(labelled)
    choices = "，".join(f"{code}（{label}）" for code, label in labelled.items())

    def normalise(value: Any) -> Any:
        return aliases.get(value.strip(), value) if isinstance(value, str) else value

    def known(value: str) -> str:
        if value not in labelled:
            raise ValueError(f"未知取值 {value!r}，可选：{choices}")
        return value

    description = f"{name}：" + "；".join(f"`{code}` = {label}" for code, label in labelled.items()) + \
        "。也接受中文名称（如 " + "、".join(list(labelled.values())[:2]) + "）。"
    return Annotated[str, BeforeValidator(normalise), AfterValidator(known), _Published(codes, labelled, description)]


def code_of(table: Mapping[str, str], value: str) -> str:
    """One value of a comma-separated filter (`?status=整改中,待复查`) as its code, the same way the
    types normalise; an unknown value is returned as given (the caller names the field)."""
    return _aliases({k: v for k, v in table.items() if isinstance(k, str)}).get(value.strip(), value.strip())


def listed(table: Mapping[str, str]) -> str:
    """`code 标签` pairs for a parameter's description."""
    return "，".join(f"{code} {label}" for code, label in table.items() if isinstance(code, str))


# name → (type, its label table); the domain enum each mirrors is checked in tests/e2e/test_api_vocabularies.py
Scale = vocabulary("企业规模", oversight_labels.SCALE)
Source = vocabulary("隐患来源", labels.SOURCE)
Category = vocabulary("隐患类别", labels.CATEGORY)
Level = vocabulary("隐患等级", labels.LEVEL)
SupervisionLevel = vocabulary("督办级别", labels.SUPERVISION)
EnforcementKind = vocabulary("执法措施", labels.ENFORCEMENT)
Service = vocabulary("服务类型", oversight_labels.SERVICE)
InspectionKind = vocabulary("排查类型", oversight_labels.INSPECTION_KIND)
AccidentCategory = vocabulary("事故类别", oversight_labels.ACCIDENT)
FindingKind = vocabulary("调查认定的问题", oversight_labels.FINDING)
CheckResult = vocabulary("检查结果", labels.CHECK_RESULT)
# the lists' filters (query parameters)
Grade = vocabulary("隐患等级（含挂牌督办）", labels.GRADE)
ListingState = vocabulary("挂牌督办文书状态", labels.LISTING_STATE)
ReferralState = vocabulary("交办办理状态", labels.REFERRAL_STATE)
ReminderKind = vocabulary("提醒种类", KIND_LABELS)
PreventionKind = vocabulary("事故预防服务类型", labels.PREVENTION_KIND)  # 安责险 (issue 15 §3)
AlarmKind = vocabulary("用电告警类型", labels.ALARM_KIND)  # 智慧用电 (issue 15 §4)
NeedStatus = vocabulary("服务需求状态", labels.NEED_STATUS)  # issue 15 §5: GET /needs?status=
AssessmentKind = vocabulary("考评对象", labels.ASSESSMENT_KIND)  # issue 15 §6
AwardKind = vocabulary("奖励对象", labels.AWARD_KIND)
PersonKind = vocabulary("人员类别", labels.PERSON_KIND)  # issue 16 §6: whose data a person id stands for

VOCABULARIES = {
    "scale": (Scale, oversight_labels.SCALE), "source": (Source, labels.SOURCE),
    "category": (Category, labels.CATEGORY), "level": (Level, labels.LEVEL),
    "supervision_level": (SupervisionLevel, labels.SUPERVISION),
    "enforcement_kind": (EnforcementKind, labels.ENFORCEMENT), "service": (Service, oversight_labels.SERVICE),
    "inspection_kind": (InspectionKind, oversight_labels.INSPECTION_KIND),
    "accident_category": (AccidentCategory, oversight_labels.ACCIDENT),
    "finding_kind": (FindingKind, oversight_labels.FINDING), "check_result": (CheckResult, labels.CHECK_RESULT),
    "grade": (Grade, labels.GRADE), "listing_state": (ListingState, labels.LISTING_STATE),
    "referral_state": (ReferralState, labels.REFERRAL_STATE), "reminder_kind": (ReminderKind, KIND_LABELS),
    "prevention_kind": (PreventionKind, labels.PREVENTION_KIND),
    "alarm_kind": (AlarmKind, labels.ALARM_KIND),
    "need_status": (NeedStatus, labels.NEED_STATUS),
    "assessment_kind": (AssessmentKind, labels.ASSESSMENT_KIND), "award_kind": (AwardKind, labels.AWARD_KIND),
    "person_kind": (PersonKind, labels.PERSON_KIND),
}
