"""Criteria for major hazards (重大事故隐患判定标准) as values, and the rule they bring.

A `Criterion` is one item of a regulation: 令10号 (工贸), the 121 standard (化工和危险化学品)
or a duty of 16号令. Which criteria exist is data (`infra/data/criteria/*.json`, read by
`infra/criteria.py`); this module only knows their shape, how to cite one in Chinese
(`article_zh`) and the rule that citing a major criterion makes a hazard major.
Pure: no files, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import rules
from domain.values import Level

_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Regulation:
    """A regulation or standard the criteria come from (法规、标准)."""

    id: str                    # "gm10", "chem121", "ah16": the prefix of its criteria's ids
    title: str                 # 工贸企业重大事故隐患判定标准 (without 《》)
    number: str                # 中华人民共和国应急管理部令第10号
    in_force_from: str | None = None   # ISO date, as the source gives it
    note: str = ""


@dataclass(frozen=True)
class Criterion:
    """One criterion (判定情形) or duty, by its stable id (e.g. "gm10-4-1")."""

    id: str
    regulation: Regulation
    article: int | None        # 条 (None: the regulation numbers its items only, e.g. the 121 standard)
    item: int | None           # 项 (None: the whole article)
    sectors: tuple[str, ...]   # the county's sector codes it applies to (infra/data/ninghai.json)
    condition: str             # the condition, in Chinese (a summary, not the legal text)
    major: bool                # True: a hazard meeting it is major (重大事故隐患)
    branch: str | None = None  # the regulation's own division (e.g. 冶金, 粉尘涉爆), a code of its file
    scope: str = ""            # to whom or what it applies, in Chinese
    verified: str = "unverified"  # how the text was checked: "2", "1", "code", "unverified"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 118 → 一百一十八 (1 ≤ n ≤ 999)."""
    if not 1 <= n <= 999:
        raise ValueError(f"no Chinese numeral for {n} here")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


def article_zh(criterion: Criterion) -> str:
    """The citation in Chinese: 《工贸企业重大事故隐患判定标准》第四条第（一）项;
    an article alone: 第十四条; an item of a numbered list (no article): 第七项."""
    title = f"《{criterion.regulation.title}》"
    if criterion.article is None:
        return f"{title}第{chinese_number(criterion.item)}项"
    cited = f"{title}第{chinese_number(criterion.article)}条"
    if criterion.item is not None:
        cited += f"第（{chinese_number(criterion.item)}）项"
    return cited


def level_required(criterion: Criterion | None) -> Level | None:
    """The level a hazard citing this criterion must have (None: any)."""
    return Level.MAJOR if criterion is not None and criterion.major else None


def require_level_fits(criterion: Criterion | None, level: Level | str) -> None:
    """Refuse (rule `major-criterion`) a hazard graded general that cites a major criterion."""
    required = level_required(criterion)
    rules.MAJOR_CRITERION.require(
        required is None or Level(level) == required,
        f"{criterion.id}（{article_zh(criterion)}）为重大事故隐患判定情形" if required else "")
