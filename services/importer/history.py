"""A checked ledger row → the hazard's history, decided by the domain itself (the same methods
the commands call, with the row's business dates), so every lifecycle rule applies.

What an imported row records (docs/import.md):
  报告 (Reported, `migrated` true, source 执法检查 government_check) on 发现日期;
  责任人 and 整改期限 (assigned on 发现日期, the ledger keeps no other date);
  a major hazard: a 治理方案 whose six parts say it is kept in the old paper file (备案 on 发现日期);
  整改完成 with the 整改资金 and a line of evidence naming the old ledger;
  复查: a general hazard one passed review by the bureau's migration actor; a major one the
  three joint-review signatures recorded by the migration (乡镇、行业主管部门、中介机构 roles,
  each named 历史台账迁移), then the 书面销号报告 with the row's 文号 on 销号日期;
  销号 on 销号日期.
Every event's actor is the migration (id `ledger-import`), so a migrated step is never mistaken
for a signature given in this system."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor, Role
from domain.hazard import Hazard
from domain.parties import Enterprise
from domain.plan import PLAN_PARTS
from domain.values import Level, Scale, Source
from services.importer.rows import LedgerRow

ACTOR_ID = "ledger-import"
IMPORTER = Actor(ACTOR_ID, Role.BUREAU, "历史台账迁移（县应急管理局）")
JOINT = [Actor(ACTOR_ID, Role.TOWNSHIP, "历史台账迁移（乡镇（街道）复查记录）"),
         Actor(ACTOR_ID, Role.REGULATOR, "历史台账迁移（行业主管部门复查记录）"),
         Actor(ACTOR_ID, Role.AGENCY, "历史台账迁移（中介机构复查记录）")]
EVIDENCE = "历史台账迁移：整改资料见原台账"
NOTE = "历史台账迁移：复查记录见原台账"


def enterprise_of(row: LedgerRow) -> Enterprise:
    """Register an enterprise the store does not know, from the row (credit code checked)."""
    from domain.errors import InvalidValue

    if not row.enterprise:
        raise InvalidValue("name", "企业尚未登记，须填写企业名称")
    if row.township is None:
        raise InvalidValue("township", "企业尚未登记，须填写乡镇（街道）")
    if row.sector is None:
        raise InvalidValue("sector", "企业尚未登记，须填写行业")
    return Enterprise.register(credit_code=row.credit_code, name=row.enterprise, township=row.township,
                               sector=row.sector, scale=Scale.SMALL_MICRO, actor=IMPORTER)


def hazard_of(row: LedgerRow, enterprise: Enterprise, today: date) -> Hazard:
    """The row's hazard with its events pending (raises the domain's error for a bad one)."""
    h = Hazard.report(enterprise=enterprise, inspection=None, source=Source.GOVERNMENT_CHECK,
                      category=row.category, description=row.description, level=row.level,
                      discovered_on=row.found_on, today=today, actor=IMPORTER, migrated=True)
    if not row.responsible:
        return h
    h.assign_responsibility(responsible_person=row.responsible, deadline=row.deadline,
                            assigned_on=row.found_on, today=today, actor=IMPORTER)
    if row.rectified_on is None:
        return h
    if row.level == Level.MAJOR:
        h.file_rectification_plan(parts={p: f"见原台账（{label}）" for p, label in PLAN_PARTS.items()},
                                  filed_on=row.found_on, today=today, actor=IMPORTER)
    h.report_rectification(evidence=[EVIDENCE], cost=row.funds, rectified_on=row.rectified_on,
                           today=today, actor=IMPORTER)
    if row.reviewed_on is None:
        return h
    if h.needs_joint_review:
        for party in JOINT:
            h.sign_joint_review(passed=True, notes=NOTE, reviewed_on=row.reviewed_on, actor=party)
        if row.closed_on is not None:
            h.file_closure_report(document_no=row.document_no, filed_on=row.closed_on, today=today,
                                  actor=IMPORTER)
    else:
        h.review_rectification(passed=True, notes=NOTE, reviewed_on=row.reviewed_on, today=today,
                               actor=IMPORTER)
    if row.closed_on is not None:
        h.close(closed_on=row.closed_on, today=today, actor=IMPORTER)
    return h
