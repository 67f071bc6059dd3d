"""Criteria as values: the citation in Chinese and the rule that a major criterion makes a major hazard."""

from __future__ import annotations

import pytest

from domain import rules
from domain.checklist import Checklist, ChecklistItem
from domain.criteria import (Criterion, Regulation, article_zh, chinese_number, level_required,
                             require_level_fits)
from domain.errors import InvalidValue, RuleViolation
from domain.values import Level

GM10 = Regulation("gm10", "工贸企业重大事故隐患判定标准", "中华人民共和国应急管理部令第10号", "2023-05-15")
CHEM121 = Regulation("chem121", "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）",
                     "安监总管三〔2017〕121号")
AH16 = Regulation("ah16", "安全生产事故隐患排查治理暂行规定", "国家安全生产监督管理总局令第16号")


def criterion(regulation: Regulation, article: int | None, item: int | None, *, major: bool = True) -> Criterion:
    ident = "-".join([regulation.id, *(str(n) for n in (article, item) if n is not None)])
    return Criterion(ident, regulation, article, item, ("trade",), "条件", major)


@pytest.mark.parametrize("n, zh", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (14, "十四"),
                                   (20, "二十"), (32, "三十二"), (100, "一百"), (101, "一百零一"),
                                   (110, "一百一十"), (118, "一百一十八")])
def test_chinese_numbers(n, zh):
    assert chinese_number(n) == zh


@pytest.mark.parametrize("n", [0, -1, 1000])
def test_no_chinese_number_out_of_range(n):
    with pytest.raises(ValueError):
        chinese_number(n)


@pytest.mark.parametrize("regulation, article, item, cited", [
    (GM10, 4, 1, "《工贸企业重大事故隐患判定标准》第四条第（一）项"),
    (GM10, 3, 2, "《工贸企业重大事故隐患判定标准》第三条第（二）项"),
    (GM10, 11, 10, "《工贸企业重大事故隐患判定标准》第十一条第（十）项"),
    (GM10, 5, 13, "《工贸企业重大事故隐患判定标准》第五条第（十三）项"),
    (GM10, 14, None, "《工贸企业重大事故隐患判定标准》第十四条"),
    (CHEM121, None, 7, "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第七项"),
    (CHEM121, None, 20, "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第二十项"),
    (AH16, 14, None, "《安全生产事故隐患排查治理暂行规定》第十四条"),
])
def test_article_in_chinese(regulation, article, item, cited):
    assert article_zh(criterion(regulation, article, item)) == cited


def test_the_rule_is_in_the_rule_book_with_its_source():
    rule = rules.RULES["major-criterion"]
    assert rule is rules.MAJOR_CRITERION
    assert "重大" in rule.text and "应急管理部令第10号" in rule.source and not rule.about_who


def test_a_major_criterion_refuses_a_general_hazard():
    major = criterion(GM10, 4, 1)
    with pytest.raises(RuleViolation) as refused:
        require_level_fits(major, Level.GENERAL)
    assert refused.value.rule == "major-criterion"
    assert "gm10-4-1" in refused.value.message
    assert "《工贸企业重大事故隐患判定标准》第四条第（一）项" in refused.value.message
    with pytest.raises(RuleViolation):
        require_level_fits(major, "general")  # as the client sends it


def test_a_major_criterion_admits_a_major_hazard():
    require_level_fits(criterion(GM10, 4, 1), Level.MAJOR)
    require_level_fits(criterion(CHEM121, None, 7), "major")
    assert level_required(criterion(GM10, 4, 1)) is Level.MAJOR


def test_a_duty_or_no_criterion_admits_any_level():
    duty = criterion(AH16, 14, None, major=False)
    for level in Level:
        require_level_fits(duty, level)
        require_level_fits(None, level)
    assert level_required(duty) is None and level_required(None) is None


def test_a_checklist_names_an_item_not_in_it():
    major = criterion(GM10, 4, 1)
    template = Checklist("gm10-ferrous", "冶金", ("trade",),
                         (ChecklistItem("gm10-ferrous-01", "条件", ("trade",), major),
                          ChecklistItem("gm10-ferrous-02", "其他", ("trade",))), GM10, "ferrous")
    assert template.item("gm10-ferrous-01").criterion is major
    assert template.criteria() == (major,)
    with pytest.raises(InvalidValue) as unknown:
        template.item("gm10-ferrous-99")
    assert unknown.value.field == "item_id" and "gm10-ferrous-99" in unknown.value.message
