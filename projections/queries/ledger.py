"""The hazard ledger (隐患台账): filtered, paged, as of any date; rows for JSON, CSV and XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.sql import SQL, Composed, Identifier

from domain.criteria import article_zh
from infra.criteria import Catalogue
from infra.reference import ReferenceData
from projections import labels
from projections.queries.base import Filters, Moment, fetch, hazards
from projections.views.base import View

MAX_EXPORT = 200_000  # rows in one CSV/XLSX export


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = 50

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


# The columns the ledger sorts by (`?sort=deadline,-discovered_on`, issue 17 §4): a key of
# `item` → its Chinese name (for the 422 and the CLI's help). Codes sort in the reference order
# (townships by code, sectors by slug); a hazard number sorts by year, then number.
SORTABLE: dict[str, str] = {
    "hazard_no": "隐患编号", "enterprise_name": "企业名称", "credit_code": "统一社会信用代码",
    "township": "乡镇（街道）", "sector": "行业", "grade": "隐患等级", "category": "隐患类别",
    "supervision_level": "督办级别", "source": "隐患来源", "status": "状态",
    "responsible_person": "责任人", "deadline": "整改期限", "overdue": "是否逾期",
    "agency_name": "排查机构", "discovered_on": "发现日期", "assigned_on": "落实责任日期",
    "rectified_on": "整改完成日期", "rectification_cost": "整改资金", "closed_on": "销号日期",
}
DEFAULT_ORDER = (("discovered_on", True),)


def parse_sort(text: str | None) -> tuple[tuple[str, bool], ...]:
    """`deadline,-discovered_on` → ((deadline, ascending), (discovered_on, descending)); an
    unknown column is ValueError with the choices in Chinese."""
    order: list[tuple[str, bool]] = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        column, descending = part.removeprefix("-").removeprefix("+").strip(), part.startswith("-")
        if column not in SORTABLE:
            choices = "、".join(f"{k}（{v}）" for k, v in SORTABLE.items())
            raise ValueError(f"不能按 {column!r} 排序，可选：{choices}；列名前加 - 为降序")
        if column in dict(order):
            raise ValueError(f"排序列 {column} 重复")
        order.append((column, descending))
    return tuple(order) or DEFAULT_ORDER


def order_by(order: tuple[tuple[str, bool], ...]) -> Composed:
    """ORDER BY the chosen columns (empty values last either way), then the default order and
    the hazard's id: a page never depends on how PostgreSQL breaks a tie."""
    keys = [SQL("{} {} NULLS LAST").format(Identifier(c), SQL("DESC" if d else "ASC")) for c, d in order]
    return SQL(" ORDER BY ") + SQL(", ").join([*keys, SQL("discovered_on DESC, hazard_id")])


def ledger(view: View, moment: Moment, filters: Filters, page: Page | None,
           order: tuple[tuple[str, bool], ...] = DEFAULT_ORDER) -> tuple[int, list[dict]]:
    """(total matching rows, the rows of the page — or all of them when page is None), in
    `order` (see `parse_sort`)."""
    cte, params = hazards(view, moment)
    clause, more = filters.clause()
    params.update(more)
    total = fetch(view, cte + SQL("SELECT count(*) AS n FROM base WHERE ") + clause, params)[0]["n"]
    params["limit"] = page.size if page else MAX_EXPORT
    params["offset"] = page.offset if page else 0
    rows = fetch(view, cte + SQL("SELECT * FROM base WHERE ") + clause + order_by(order)
                 + SQL(" LIMIT %(limit)s OFFSET %(offset)s"), params)
    return total, rows


def article(criterion: str | None, catalogue: Catalogue | None) -> str | None:
    """The cited criterion's article in Chinese (判定依据), e.g. 《工贸企业重大事故隐患判定标准》
    第四条第（一）项; None when none is cited or the county's catalogue no longer has the id."""
    found = catalogue.get(criterion) if criterion and catalogue is not None else None
    return article_zh(found) if found else None


def number(stored: str | None, reference: ReferenceData) -> str | None:
    """The hazard number as people write it: 宁海-2026-000123 (None before the rebuild that
    numbers a store from before issue 17)."""
    return f"{reference.county_short}-{stored}" if stored else None


def item(row: dict[str, Any], reference: ReferenceData,
         catalogue: Catalogue | None = None) -> dict[str, Any]:
    """A ledger row for people and machines: codes with their Chinese labels, dates ISO; the
    cited criterion with its article in Chinese (from `catalogue`)."""
    return {
        "hazard_id": row["hazard_id"], "hazard_no": number(row.get("hazard_no"), reference),
        "enterprise_id": row["enterprise_id"], "enterprise_name": row["enterprise_name"],
        "credit_code": row["credit_code"],
        "township": row["township"], "township_name": reference.townships.get(row["township"]),
        "sector": row["sector"], "sector_name": reference.sectors.get(row["sector"]),
        "level": row["level"], "grade": row["grade"],
        "grade_label": labels.grade_label(row["grade"], row["supervision_level"]),
        "supervision_level": row["supervision_level"], "supervision_doc": row["supervision_doc"],
        "supervision_level_label": labels.SUPERVISION.get(row["supervision_level"]),
        "source": row["source"], "source_label": labels.SOURCE.get(row["source"]),
        "category": row["category"], "category_label": labels.CATEGORY.get(row["category"]),
        "description": row["description"], "location": row["location"],
        "criterion": row["criterion"], "criterion_article": article(row["criterion"], catalogue),
        "status": row["status"], "status_label": labels.STATUS.get(row["status"]),
        "responsible_person": row["responsible_person"], "deadline": row["deadline"],
        "original_deadline": row["original_deadline"], "extensions": row["extensions"],
        "overdue": row["overdue"],
        "agency_id": row["agency_id"], "agency_name": row["agency_name"],
        "inspection_id": row["inspection_id"],
        "discovered_on": row["discovered_on"], "assigned_on": row["assigned_on"],
        "plan_filed_on": row["plan_filed_on"], "listed_on": row["listed_on"],
        "enforcement_count": row["enforcement_count"], "first_enforced_on": row["first_enforced_on"],
        "rectified_on": row["rectified_on"], "rectification_cost": row["rectification_cost"],
        "failed_reviews": row["failed_reviews"], "review_passed_on": row["review_passed_on"],
        "joint_review_on": row["joint_review_on"], "closure_report_on": row["closure_report_on"],
        "closed_on": row["closed_on"], "withdrawn_on": row["withdrawn_on"],
        # 挂牌督办通知书 and a pending extension request (issue 14): docs/supervision.md
        "listing_state": row.get("listing_state"),
        "listing_state_label": labels.LISTING_STATE.get(row.get("listing_state")),
        **{k: row.get(k) for k in ("listing_department", "listing_served_on", "listing_signed_on",
                                   "listing_finish_by", "listing_plan_by", "listing_cancelled_on",
                                   "extension_requested_on")},
        "position": row["position"],
    }


# (key of `item`, column header) — the order of the CSV/XLSX export
EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("hazard_no", "隐患编号"), ("enterprise_name", "企业名称"), ("credit_code", "统一社会信用代码"),
    ("township_name", "乡镇（街道）"), ("sector_name", "行业"), ("grade_label", "隐患等级"),
    ("source_label", "隐患来源"), ("description", "隐患描述"), ("criterion_article", "判定依据"),
    ("status_label", "状态"),
    ("responsible_person", "责任人"), ("deadline", "整改期限"), ("overdue", "是否逾期"),
    ("agency_name", "排查机构"), ("discovered_on", "发现日期"), ("assigned_on", "落实责任日期"),
    ("plan_filed_on", "治理方案备案日期"), ("listed_on", "挂牌督办日期"),
    ("first_enforced_on", "首次执法日期"), ("rectified_on", "整改完成日期"),
    ("rectification_cost", "整改资金（元）"), ("review_passed_on", "复查通过日期"),
    ("joint_review_on", "联合复查通过日期"), ("closure_report_on", "书面销号报告日期"),
    ("closed_on", "销号日期"), ("withdrawn_on", "撤销日期"),
    ("category_label", "隐患类别"), ("supervision_level_label", "督办级别"),
    ("listing_state_label", "督办文书状态"), ("listing_department", "督办部门"),
    ("listing_signed_on", "督办签收日期"), ("listing_plan_by", "治理方案备案期限"),
    ("listing_finish_by", "责令治理完毕期限"), ("extension_requested_on", "待审批延期申请日期"),
]
