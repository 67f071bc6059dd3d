"""An inspection's checklist results (检查表记录): each item of a template judged passed, failed
or not applicable, with a note and evidence photos; a failed item becomes a hazard (隐患).

Pure values and checks, used by `domain.inspection.Inspection.record_checklist`. The template
itself is data (`domain.checklist.Checklist`, read from `infra/data/checklists`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from domain.checklist import Checklist
from domain.errors import InvalidValue
from domain.values import choice, text

EVIDENCE = re.compile(r"sha256:[0-9a-f]{64}")
MAX_EVIDENCE = 20


class Result(StrEnum):
    PASSED = "passed"                  # 符合
    FAILED = "failed"                  # 不符合：存在所列情形，须作为隐患上报
    NOT_APPLICABLE = "not_applicable"  # 不适用


def evidence_refs(field: str, values: Iterable[str]) -> list[str]:
    """Evidence files cited by hash (`sha256:<64 lowercase hex>`, from POST /files), in order, once each."""
    refs: list[str] = []
    for n, value in enumerate(values):
        if not isinstance(value, str) or not EVIDENCE.fullmatch(value.strip()):
            raise InvalidValue(f"{field}.{n}", f"证据须为 sha256:<64位十六进制>（先上传文件）：{str(value)[:80]!r}")
        if value.strip() not in refs:
            refs.append(value.strip())
    if len(refs) > MAX_EVIDENCE:
        raise InvalidValue(field, f"证据不能超过 {MAX_EVIDENCE} 项")
    return refs


def checked_results(template: Checklist, sector: str, results: list[Mapping[str, Any]]) -> list[dict]:
    """The results as stored: every item of the template exactly once, in the template's order,
    each with its text and criterion (so the record reads alone even if the file changes later).
    Refuses (InvalidValue, naming `results.<n>.<field>`) an item not in the template, an item twice
    or missing, an unknown result, a judgement of an item meant for another sector (only
    `not_applicable` fits it), and a hazard linked to an item that did not fail."""
    if sector not in template.sectors:
        raise InvalidValue("template_id", f"检查表 {template.id} 适用于行业 {'、'.join(template.sectors)}，"
                                          f"不适用于该企业的行业 {sector}")
    by_item: dict[str, dict] = {}
    for n, raw in enumerate(results):
        entry = _entry(template, sector, n, raw)
        if entry["item_id"] in by_item:
            raise InvalidValue(f"results.{n}.item_id", f"检查项 {entry['item_id']} 重复")
        by_item[entry["item_id"]] = entry
    missing = [i.id for i in template.items if i.id not in by_item]
    if missing:
        raise InvalidValue("results", f"检查表 {template.id} 须逐项判定，缺少检查项 {'、'.join(missing)}")
    return [by_item[i.id] for i in template.items]


def _entry(template: Checklist, sector: str, n: int, raw: Mapping[str, Any]) -> dict:
    at = f"results.{n}"
    try:
        item = template.item(str(raw.get("item_id", "")))
    except InvalidValue as refused:
        raise InvalidValue(f"{at}.item_id", refused.message) from None
    result = choice(f"{at}.result", raw.get("result", ""), Result)
    if sector not in item.sectors and result != Result.NOT_APPLICABLE:
        raise InvalidValue(f"{at}.result", f"检查项 {item.id} 只适用于行业 {'、'.join(item.sectors)}，"
                                           f"该企业（{sector}）只能判为 not_applicable")
    hazard_id = raw.get("hazard_id") or None
    if hazard_id is not None and result != Result.FAILED:
        raise InvalidValue(f"{at}.hazard_id", f"只有判为不符合（failed）的检查项关联隐患：{item.id} 为 {result}")
    return {"item_id": item.id, "text": item.text,
            "criterion": item.criterion.id if item.criterion else None,
            "major": bool(item.criterion and item.criterion.major),
            "result": result, "note": text(f"{at}.note", raw.get("note") or "", max_len=1000, required=False),
            "evidence": evidence_refs(f"{at}.evidence", raw.get("evidence") or []),
            "hazard_id": str(hazard_id) if hazard_id else None}


def summary(checklists: Mapping[str, Mapping[str, Any]]) -> dict:
    """Items checked, passed, failed, not applicable; the failed items still without a hazard;
    the hazards the failed items became (in the order of the templates and their items)."""
    items = [i for c in checklists.values() for i in c["items"]]
    failed = [i for i in items if i["result"] == Result.FAILED]
    hazards: list[str] = []
    for i in failed:
        if i["hazard_id"] and i["hazard_id"] not in hazards:
            hazards.append(i["hazard_id"])
    return {"templates": len(checklists), "items": len(items),
            "passed": sum(1 for i in items if i["result"] == Result.PASSED),
            "failed": len(failed),
            "not_applicable": sum(1 for i in items if i["result"] == Result.NOT_APPLICABLE),
            "failed_without_hazard": [i["item_id"] for i in failed if not i["hazard_id"]],
            "hazard_ids": hazards}
