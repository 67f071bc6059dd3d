"""One ledger row → its values, checked: every reason a row is bad, in Chinese, at once.

Vocabularies (隐患等级 一般/重大, 隐患类别, 是否复查), the credit code's check character, known
townships and sectors (by name or code), dates that have happened and come in order
(发现 ≤ 整改完成 ≤ 复查 ≤ 销号, 整改期限 not before 发现). The lifecycle's own rules are checked
afterwards by the domain itself (`history`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from domain.credit_code import validate
from domain.errors import InvalidValue
from domain.hazard import Category
from domain.values import Level, money
from infra.reference import ReferenceData
from services.importer.columns import COLUMNS
from services.importer.reading import as_date

LEVELS = {"一般": Level.GENERAL, "一般隐患": Level.GENERAL, "general": Level.GENERAL,
          "重大": Level.MAJOR, "重大隐患": Level.MAJOR, "major": Level.MAJOR}
CATEGORIES = {"人的不安全行为": Category.UNSAFE_ACT, "人": Category.UNSAFE_ACT,
              "物的不安全状态": Category.UNSAFE_CONDITION, "物": Category.UNSAFE_CONDITION,
              "管理上的缺陷": Category.MANAGEMENT_DEFECT, "管理缺陷": Category.MANAGEMENT_DEFECT,
              "管理": Category.MANAGEMENT_DEFECT, **{c.value: c for c in Category}}
YES = {"是", "已复查", "已", "y", "yes", "√", "复查合格", "合格", "通过"}
NO = {"否", "未复查", "未", "n", "no", "×"}
DATE_COLUMNS = ("found_on", "deadline", "rectified_on", "closed_on")


@dataclass(frozen=True)
class LedgerRow:
    number: int
    credit_code: str
    enterprise: str
    township: str | None  # a code of the reference data
    sector: str | None    # a slug of the reference data
    found_on: date
    description: str
    level: str
    category: str
    responsible: str
    deadline: date | None
    rectified_on: date | None
    funds: str
    reviewed_on: date | None  # a review happened on this day (None: not reviewed)
    closed_on: date | None
    document_no: str

    @property
    def hazard_key(self) -> tuple[str, date, str]:
        """What names one hazard across rows: the enterprise, the day found, the description."""
        return (self.credit_code, self.found_on, self.description)


@dataclass(frozen=True)
class BadRow:
    number: int
    reasons: list[str]

    def __str__(self) -> str:
        return f"第 {self.number} 行：" + "；".join(self.reasons)


validate_credit_code = lru_cache(maxsize=4096)(validate)  # a ledger repeats its enterprises' codes


def name(column: str) -> str:
    return COLUMNS[column][0]


def _lookup(value: str, table: dict[str, str]) -> str | None:
    """A code of the table from its code or its name (全称, or a name the cell starts or ends)."""
    if value in table:
        return value
    for code, label in table.items():
        if value == label:
            return code
    return None


def parse(number: int, cells: dict[str, object], reference: ReferenceData, today: date) -> LedgerRow | BadRow:
    reasons: list[str] = []
    text = {c: ("" if v is None else str(v).strip()) for c, v in cells.items()}

    def need(column: str) -> str:
        if not text.get(column):
            reasons.append(f"{name(column)}为空")
        return text.get(column, "")

    dates: dict[str, date | None] = {}
    for column in DATE_COLUMNS:
        try:
            dates[column] = as_date(cells.get(column))
        except ValueError:
            reasons.append(f"{name(column)}“{text[column][:20]}”不是日期（应为 2024-03-05 或 2024年3月5日）")
            dates[column] = None
    reviewed_on, reviewed = _reviewed(text.get("reviewed", ""), cells.get("reviewed"), reasons)

    credit_code = need("credit_code")
    if credit_code:
        try:
            credit_code = validate_credit_code(credit_code.upper())
        except InvalidValue as e:
            reasons.append(f"{name('credit_code')} {credit_code[:20]} 无效：{e.message}")
    township = sector = None
    if text.get("township"):
        township = _lookup(text["township"], reference.townships)
        if township is None:
            reasons.append(f"未知{name('township')}“{text['township'][:30]}”")
    if text.get("sector"):
        sector = _lookup(text["sector"], reference.sectors)
        if sector is None:
            reasons.append(f"未知{name('sector')}“{text['sector'][:30]}”")
    level = LEVELS.get(need("level"))
    if text.get("level") and level is None:
        reasons.append(f"{name('level')}“{text['level'][:10]}”不在词表中（一般、重大）")
    category = CATEGORIES.get(need("category"))
    if text.get("category") and category is None:
        reasons.append(f"{name('category')}“{text['category'][:20]}”不在词表中（人的不安全行为、物的不安全状态、管理上的缺陷）")
    description = need("description")
    if dates["found_on"] is None and not any(r.startswith(name("found_on")) for r in reasons):
        reasons.append(f"{name('found_on')}为空")
    funds = "0"
    if text.get("funds"):
        try:
            funds = money("funds", text["funds"].replace(",", "").replace("元", ""))
        except InvalidValue:
            reasons.append(f"{name('funds')}“{text['funds'][:20]}”不是非负金额")

    for column in ("found_on", "rectified_on", "closed_on"):
        if dates[column] and dates[column] > today:
            reasons.append(f"{name(column)} {dates[column]} 晚于今天 {today}")
    if reviewed_on and reviewed_on > today:
        reasons.append(f"复查日期 {reviewed_on} 晚于今天 {today}")
    closed_on = dates["closed_on"]
    if closed_on and reviewed is False:
        reasons.append(f"已有{name('closed_on')}却写明未复查：销号须经复查")
    if closed_on and reviewed_on is None:
        reviewed_on = closed_on  # 已销号: the review happened by then at the latest
    elif reviewed and reviewed_on is None:
        reviewed_on = dates["rectified_on"]
    _in_order(reasons, [(name("found_on"), dates["found_on"]), (name("rectified_on"), dates["rectified_on"]),
                        ("复查日期", reviewed_on), (name("closed_on"), closed_on)])
    if dates["deadline"] and dates["found_on"] and dates["deadline"] < dates["found_on"]:
        reasons.append(f"{name('deadline')} {dates['deadline']} 早于{name('found_on')} {dates['found_on']}")
    if (reviewed_on or closed_on) and not dates["rectified_on"]:
        reasons.append(f"已复查或销号却没有{name('rectified_on')}")
    if dates["rectified_on"] and not (text.get("responsible") and dates["deadline"]):
        reasons.append(f"已整改完成的隐患须有{name('responsible')}和{name('deadline')}")
    if text.get("responsible") and not dates["deadline"]:
        reasons.append(f"有{name('responsible')}却没有{name('deadline')}")
    if closed_on and level == Level.MAJOR and not text.get("document_no"):
        reasons.append(f"已销号的重大隐患须填写{name('document_no')}（书面销号报告）")
    if reasons:
        return BadRow(number, reasons)
    return LedgerRow(
        number=number, credit_code=credit_code, enterprise=text.get("enterprise", ""),
        township=township, sector=sector, found_on=dates["found_on"], description=description,
        level=str(level), category=str(category), responsible=text.get("responsible", ""),
        deadline=dates["deadline"], rectified_on=dates["rectified_on"], funds=funds,
        reviewed_on=reviewed_on, closed_on=closed_on, document_no=text.get("document_no", ""))


def _reviewed(value: str, cell: object, reasons: list[str]) -> tuple[date | None, bool | None]:
    """是否复查/复查日期: yes, no, blank (unknown) or the review's date."""
    if not value:
        return None, None
    if value.lower() in YES:
        return None, True
    if value.lower() in NO:
        return None, False
    try:
        return as_date(cell), True
    except ValueError:
        reasons.append(f"是否复查/复查日期“{value[:20]}”应为 是、否 或复查日期")
        return None, None


def _in_order(reasons: list[str], steps: list[tuple[str, date | None]]) -> None:
    known = [(n, d) for n, d in steps if d is not None]
    for (n1, d1), (n2, d2) in zip(known, known[1:]):
        if d2 < d1:
            reasons.append(f"{n2} {d2} 早于{n1} {d1}")


def contradictions(rows: list[LedgerRow]) -> list[BadRow]:
    """Two rows for one hazard (same enterprise, day found and description): both are bad,
    naming the other row and the columns where they differ (identical rows: a duplicate)."""
    first: dict[tuple, LedgerRow] = {}
    bad: list[BadRow] = []
    for row in rows:
        other = first.setdefault(row.hazard_key, row)
        if other is row:
            continue
        differ = [name(c) for c in ("enterprise", "township", "sector", "level", "category", "responsible",
                                    "deadline", "rectified_on", "funds", "closed_on", "document_no")
                  if getattr(row, c) != getattr(other, c)]
        if row.reviewed_on != other.reviewed_on:
            differ.append("是否复查/复查日期")
        if differ:
            bad.append(BadRow(row.number, [f"与第 {other.number} 行是同一隐患（企业、发现日期、隐患描述相同），"
                                           f"但{'、'.join(differ)}相互矛盾"]))
            if all(b.number != other.number for b in bad):
                bad.append(BadRow(other.number, [f"与第 {row.number} 行是同一隐患，但{'、'.join(differ)}相互矛盾"]))
        else:
            bad.append(BadRow(row.number, [f"与第 {other.number} 行重复（同一隐患记录了两次）"]))
    return sorted(bad, key=lambda b: b.number)
