"""Every field of every stored event has a Chinese name, and codes read as their labels
(projections/field_labels.py: what `hazard history` and other people-facing views show)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, DomainEvent

import domain
from infra.reference import ReferenceData
from projections.field_labels import FIELD_LABELS, NOT_DATA, RECORD_KINDS, describe, value_text


def _event_classes():
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for aggregate in vars(module).values():
            if isinstance(aggregate, type) and issubclass(aggregate, Aggregate) \
                    and aggregate.__module__ == module.__name__:
                for name, event in vars(aggregate).items():
                    if isinstance(event, type) and issubclass(event, DomainEvent):
                        yield aggregate, name, event


def test_every_event_field_and_record_kind_has_a_chinese_name():
    missing = sorted({f"{a.__name__}.{n}.{f.name}" for a, n, e in _event_classes()
                      for f in dataclasses.fields(e)
                      if f.name not in NOT_DATA and f.name not in FIELD_LABELS})
    assert missing == []
    kinds = {a.__name__ for a, _, _ in _event_classes()}
    assert sorted(kinds - set(RECORD_KINDS)) == []


def test_codes_places_and_people_read_as_words():
    reference = ReferenceData.load()
    township, sector = next(iter(reference.townships.items())), next(iter(reference.sectors.items()))
    shown = dict(describe({
        "township": township[0], "sector": sector[0], "level": "major", "source": "public_tip",
        "kind": "suspend", "passed": False, "approved": True, "cost": Decimal("1200.50"),
        "deadline": date(2026, 6, 9), "plan": {"objectives": "消除", "measures": "更换"},
        "enforcement": {"kind": "fine", "by": {"name": "张三", "role": "regulator"}},
        "enterprise_id": "e-1", "originator_id": "x", "actor": {"name": "不显示"},
    }, reference=reference, names=lambda field, ident: "某纺织厂" if ident == "e-1" else None))
    assert shown == {
        "乡镇（街道）": township[1], "行业": sector[1], "等级": "重大隐患", "隐患来源": "群众举报",
        "类型": "停产停业整顿", "结论": "不通过", "审批结果": "批准", "整改资金（元）": "1200.50 元",
        "整改期限": "2026-06-09", "治理方案": "目标任务：消除；方法措施：更换",
        "执法措施": "类型 罚款，操作人 张三（行业主管部门）", "企业": "某纺织厂",
    }
    assert value_text("hazard_ids", ["h-1", "h-2"]) == "h-1、h-2"  # no name known: the id
    assert value_text("reason", "") == "—"
