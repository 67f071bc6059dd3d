"""The events `hazard simulate` does not write, through the real commands (make_corpus.py):
an agency's experts, 考评, blacklist and reinstatement; an accident and a finding; a contract
renewed and terminated; a cancelled inspection; a hazard regraded and listed the old one-step
way; a 挂牌督办通知书 cancelled; a self-report amended; a checklist item linked to its hazard; a
subsidy claim returned, filed again and paid; the direct extension written before issue 14.
Today is 2025-12-31."""

from __future__ import annotations

from datetime import date
from itertools import count

from domain.actor import Actor, Role
from domain.credit_code import make
from domain.evaluation import CRITERIA

_codes = count(1)


def who(role: Role) -> Actor:
    return Actor(id=f"corpus-{role}", role=role, name=f"语料 {role}")


def code() -> str:
    return make(f"91330226MC{next(_codes):07d}")


BUREAU, AGENCY, OWNER = who(Role.BUREAU), who(Role.AGENCY), who(Role.ENTERPRISE)
REGULATOR, INVESTIGATOR = who(Role.REGULATOR), who(Role.INVESTIGATOR)
TOWNSHIP = who(Role.TOWNSHIP)


def run(app) -> None:
    enterprise = app.register_enterprise(BUREAU, credit_code=code(), name="语料机械厂",
                                         township="330226001", sector="trade",
                                         scale="small_micro").id
    agency = app.register_agency(BUREAU, credit_code=code(), name="语料安全咨询公司").id
    _agency_steps(app, agency)
    _accident(app, enterprise, agency)
    _contract(app, enterprise, agency)
    inspection = app.schedule_inspection(OWNER, enterprise_id=enterprise, kind="self",
                                         scheduled_for=date(2025, 12, 20)).id
    app.cancel_inspection(OWNER, inspection, reason="企业停产，改期排查")
    _hazards(app, enterprise)
    _checklist(app, enterprise)
    _old_extension(app, enterprise)
    _subsidy(app, agency)


def _agency_steps(app, agency: str) -> None:
    app.add_expert(BUREAU, agency, name="王工", certificate_no="ZJ-2025-001")
    leaving = app.add_expert(BUREAU, agency, name="李工", certificate_no="ZJ-2025-002").id
    app.remove_expert(BUREAU, agency, leaving, reason="调离本机构")
    app.evaluate_agency(BUREAU, agency, year=2025, scores=dict.fromkeys(CRITERIA, 80),
                        notes="年度考评")
    app.blacklist_agency(BUREAU, agency, reason="出具虚假报告")
    app.reinstate_agency(BUREAU, agency, reason="整改到位，移出黑名单")


def _accident(app, enterprise: str, agency: str) -> None:
    accident = app.record_accident(BUREAU, enterprise_id=enterprise, occurred_on=date(2025, 11, 3),
                                   category="machinery", deaths=0, injuries=1,
                                   description="冲床伤手").id
    app.record_finding(INVESTIGATOR, accident, agency_id=agency, kind="missed_hazard",
                       description="月度排查漏查冲床防护缺失")


def _contract(app, enterprise: str, agency: str) -> None:
    contract = app.propose_contract(AGENCY, enterprise_id=enterprise, agency_id=agency,
                                    service="monthly", start=date(2025, 12, 1),
                                    end=date(2026, 11, 30), fee=3600).id
    app.countersign_contract(OWNER, contract)
    app.renew_contract(AGENCY, contract, end=date(2027, 11, 30), fee=3800)
    app.countersign_contract(OWNER, contract)
    app.terminate_contract(OWNER, contract, reason="企业转产", terminated_on=date(2025, 12, 31))


def _hazards(app, enterprise: str) -> None:
    def report(description: str) -> str:
        return app.report_hazard(REGULATOR, enterprise_id=enterprise, source="government_check",
                                 category="unsafe_condition", description=description,
                                 level="general", discovered_on=date(2025, 12, 10)).id
    regraded = report("冲床光电保护装置失效")
    app.regrade_hazard(BUREAU, regraded, level="major", reason="可能造成群死群伤")
    app.list_for_supervision(BUREAU, regraded, level="county", document_no="宁安委办〔2025〕9号")
    noticed = report("配电箱无防护门")
    app.issue_listing(BUREAU, noticed, level="county", government="宁海县人民政府",
                      department="宁海县应急管理局", document_no="宁安委办〔2025〕10号",
                      finish_days=30, plan_days=10, signatory="县安委会办公室")
    app.cancel_listing(BUREAU, noticed, reason="经复核不属挂牌督办范围", document_no="宁安委办〔2025〕11号")
    report_id = app.file_self_report(OWNER, enterprise_id=enterprise, month="2025-12",
                                     hazard_ids=[], none_found=True).id
    app.amend_self_report(OWNER, report_id, hazard_ids=[regraded, noticed])


def _checklist(app, enterprise: str) -> None:
    """An enterprise's self-inspection: a failed checklist item, reported as a major hazard citing
    the item's criterion, then linked to it."""
    from services.runtime import Config
    inspection = app.schedule_inspection(OWNER, enterprise_id=enterprise, kind="self",
                                         scheduled_for=date(2025, 12, 15)).id
    app.perform_inspection(OWNER, inspection, expert_ids=[], performed_on=date(2025, 12, 15))
    app.record_checklist(OWNER, inspection, template_id="gm10-general",
                         results=[{"item_id": f"gm10-general-{n:02d}",
                                   "result": "failed" if n == 1 else "passed"} for n in range(1, 10)],
                         templates=Config().checklists)
    hazard = app.report_hazard(OWNER, enterprise_id=enterprise, source="inspection",
                               inspection_id=inspection, category="management_defect",
                               description="未对承包单位统一协调管理", level="major",
                               discovered_on=date(2025, 12, 15), criterion="gm10-3-1").id
    app.link_checklist_hazard(OWNER, inspection, item_id="gm10-general-01", hazard_id=hazard)


def _subsidy(app, agency: str) -> None:
    """A claim returned at 初审, filed again, then approved, noticed and paid."""
    claim = app.file_subsidy_claim(AGENCY, agency_id=agency, year=2025, served=[]).id
    app.check_subsidy_claim(TOWNSHIP, claim, passed=False, notes="缺验收单", on=date(2025, 12, 1))
    app.file_subsidy_claim(AGENCY, agency_id=agency, year=2025, served=[])
    app.check_subsidy_claim(TOWNSHIP, claim, passed=True, on=date(2025, 12, 2))
    app.review_subsidy_claim(BUREAU, claim, passed=True, on=date(2025, 12, 3))
    app.approve_subsidy_claim(BUREAU, claim, passed=True, on=date(2025, 12, 4))
    app.publish_subsidy_notice(BUREAU, claim, start=date(2025, 12, 5), end=date(2025, 12, 12))
    app.pay_subsidy(BUREAU, claim, paid_on=date(2025, 12, 20))


def _old_extension(app, enterprise: str) -> None:
    """`Hazard.DeadlineExtended`, the direct extension written before issue 14: no command writes
    it any more (stored ones still apply), so the domain's own event method records it here, on a
    hazard reported and assigned through the commands."""
    import uuid
    hazard_id = app.report_hazard(REGULATOR, enterprise_id=enterprise, source="government_check",
                                  category="unsafe_act", description="叉车司机无证驾驶",
                                  level="general", discovered_on=date(2025, 12, 1)).id
    app.assign_responsibility(OWNER, hazard_id, responsible_person="张三",
                              deadline=date(2025, 12, 20), assigned_on=date(2025, 12, 2))
    hazard = app.repository.get(uuid.UUID(str(hazard_id)))
    hazard._deadline_extended(previous=hazard.deadline, deadline=date(2026, 1, 20),
                              reason="设备到货延迟", actor=BUREAU.record())
    app.save(hazard)
