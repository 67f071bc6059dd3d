"""The events `hazard simulate` does not write, through the real commands (make_corpus.py):
an agency's experts, 考评, blacklist and reinstatement; an accident and a finding; a contract
renewed and terminated; a cancelled inspection; a hazard regraded and listed the old one-step
way; a 挂牌督办通知书 cancelled; a self-report amended; a checklist item linked to its hazard; a
subsidy claim returned, filed again and paid; the direct extension written before issue 14;
a mutual-help group and an industry association with members, experts, training and an
inspection each (issue 15 §1–2); smart-electricity alarms that raise a hazard, and one that joins
its episode (issue 15 §4); the service platform's needs (accepted, withdrawn) and a rating
(issue 15 §5); a township's and an enterprise's 考评 scores, the reward fund established and
allocated (issue 15 §6); an insurer, its 安责险 policy, a commissioned agency and a
prevention service (issue 15 §3).
Today is 2025-12-31."""

from __future__ import annotations

from datetime import date
from itertools import count

from domain.actor import Actor, Role
from domain.credit_code import make
from domain.evaluation import CRITERIA
from domain.parties import Enterprise

_codes = count(1)


def who(role: Role) -> Actor:
    return Actor(id=f"corpus-{role}", role=role, name=f"语料 {role}")


def code() -> str:
    return make(f"91330226MC{next(_codes):07d}")


BUREAU, AGENCY, OWNER = who(Role.BUREAU), who(Role.AGENCY), who(Role.ENTERPRISE)
INSURER = who(Role.INSURER)
REGULATOR, INVESTIGATOR = who(Role.REGULATOR), who(Role.INVESTIGATOR)
TOWNSHIP = who(Role.TOWNSHIP)
DEVICE = who(Role.DEVICE)


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
    _electricity(app, enterprise)
    _groups(app, enterprise)
    _platform(app, enterprise, agency)
    _assessments(app, enterprise, agency)
    _erasure(app, enterprise)
    _insurance(app, enterprise, agency)


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


def _insurance(app, enterprise: str, agency: str) -> None:
    """安责险 (issue 15 §3): an insurer registered, a policy recorded by the insurer, an agency
    commissioned for its assessments, a training paid for out of the prevention fee."""
    insurer = app.register_insurer(BUREAU, credit_code=code(), name="语料财产保险宁海支公司").id
    policy = app.record_insurance_policy(INSURER, insurer_id=insurer, enterprise_id=enterprise,
                                         policy_no="AZX-2025-0001", start=date(2025, 6, 1),
                                         end=date(2026, 5, 31), premium="8800.00").id
    app.commission_assessment(INSURER, policy, agency_id=agency, commissioned_on=date(2025, 6, 1))
    app.record_prevention_service(INSURER, insurer, kind="training", amount="1200.00",
                                  reference="YF-2025-001", paid_on=date(2025, 9, 1),
                                  description="企业主要负责人安全培训")
def _electricity(app, enterprise: str) -> None:
    """Four overload alarms of one device within three hours: the third raises a hazard
    (policy: 3 within 24 hours), the fourth joins its episode."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    start = datetime(2025, 12, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for n in range(4):
        app.post_alarm(DEVICE, device_enterprise=enterprise, enterprise_id=enterprise,
                       device_id="语料-DB-01", alarm_id=f"corpus-{n + 1}", kind="overload",
                       reading=f"{32 + n}.5", occurred_at=start + timedelta(hours=n))


def _groups(app, enterprise: str) -> None:
    """Issue 15: a mutual-help group and an industry association of 跃龙街道's trade enterprises —
    members joining and leaving, experts sent by members joining and leaving, a training, and
    an inspection of each whose hazard carries its source."""
    other = app.register_enterprise(BUREAU, credit_code=code(), name="语料五金店", township="330226001",
                                    sector="trade", scale="individual").id
    group = app.form_group(TOWNSHIP, name="语料商贸互助组", township="330226001", sector="trade",
                           founded_on=date(2025, 3, 1)).id
    association = app.form_association(BUREAU, credit_code=make("51330226MJ0000001"),
                                       name="语料商贸行业协会", sector="trade",
                                       founded_on=date(2025, 2, 1)).id
    for form, body, prefix in (("group", group, "HZ"), ("association", association, "XH")):
        for member in (enterprise, other):
            app.add_group_member(TOWNSHIP if form == "group" else BUREAU, form, body,
                                 enterprise_id=member, joined_on=date(2025, 3, 10))
        expert = app.add_group_expert(BUREAU, form, body, enterprise_id=other, name="钱工",
                                      certificate_no=f"{prefix}-001").id
        leaving = app.add_group_expert(BUREAU, form, body, enterprise_id=other, name="孙工",
                                       certificate_no=f"{prefix}-002").id
        app.remove_group_expert(BUREAU, form, body, leaving, reason="调岗")
        app.record_group_training(BUREAU, form, body, held_on=date(2025, 6, 18), topic="仓储消防安全",
                                  hours="3", attendee_ids=[enterprise, other])
        kind = "mutual" if form == "group" else "association"
        inspection = app.schedule_inspection(BUREAU, enterprise_id=enterprise, kind=kind,
                                             basis_id=body, scheduled_for=date(2025, 9, 1)).id
        app.perform_inspection(BUREAU, inspection, expert_ids=[expert], performed_on=date(2025, 9, 1))
        app.report_hazard(BUREAU, enterprise_id=enterprise, inspection_id=inspection,
                          source="mutual_help" if form == "group" else "association",
                          category="unsafe_condition", description="仓库灭火器过期",
                          level="general", discovered_on=date(2025, 9, 1))
        app.remove_group_member(BUREAU, form, body, other, reason="歇业", left_on=date(2025, 12, 1))
def _platform(app, enterprise: str, rated_agency: str) -> None:
    """The service platform (issue 15 §5): a need offered on by a pool agency and accepted (the
    contract countersigned), another withdrawn; the terminated contract's agency rated."""
    pool = app.register_agency(BUREAU, credit_code=code(), name="语料平台服务公司").id
    app.admit_agency_to_pool(BUREAU, pool, admitted_on=date(2025, 6, 1))
    need = app.post_need(OWNER, enterprise_id=enterprise, services=["monthly", "training"],
                         description="按月隐患排查").id
    offer = app.offer_on_need(AGENCY, need, agency_id=pool, service="monthly", start=date(2026, 1, 1),
                              end=date(2026, 12, 31), fee=4200, terms="每月一次，出具排查报告").id
    app.accept_offer(OWNER, need, offer_id=offer)
    other = app.post_need(OWNER, enterprise_id=enterprise, services=["consulting"],
                          description="安全咨询").id
    app.withdraw_need(OWNER, other, reason="已另行委托")
    contract = app.load(Enterprise, enterprise).agencies[rated_agency][0]
    app.rate_agency(OWNER, contract_id=contract, scores={"quality": 70, "attitude": 85, "effect": 60},
                    comment="排查较认真，整改指导不足")


def _assessments(app, enterprise: str, agency: str) -> None:
    """考评 scores of a township and an enterprise; the year's reward fund and one allocation."""
    app.score_party(BUREAU, kind="township", assessed="330226001", year=2025,
                    scores={"agency_management": 85, "progress": 80, "funding": 90}, notes="经费保障到位")
    app.score_party(BUREAU, kind="enterprise", assessed=enterprise, year=2025,
                    scores={"leadership": 80, "investment": 70, "cooperation": 90})
    app.establish_reward_fund(BUREAU, year=2025, amount=300000, document_no="宁政〔2025〕12号",
                              decided_on=date(2025, 3, 1))
    app.allocate_reward_fund(BUREAU, 2025, document_no="宁政〔2025〕88号", awards=[
        {"kind": "township", "recipient": "330226001", "amount": 100000, "reason": "覆盖率领先"},
        {"kind": "agency", "recipient": agency, "amount": 20000, "reason": "考评优秀"}])
def _erasure(app, enterprise: str) -> None:
    """Issue 16 §6: a responsible person named on a hazard, then erased (个人信息删除)."""
    hazard = app.report_hazard(REGULATOR, enterprise_id=enterprise, source="government_check",
                               category="unsafe_condition", description="叉车无证驾驶",
                               level="general", discovered_on=date(2025, 12, 12)).id
    app.assign_responsibility(OWNER, hazard, responsible_person="语料 责任人", responsible_phone="13900000000",
                              deadline=date(2026, 1, 12))
    person = app.find_persons("语料 责任人")[0]["person_id"]
    app.erase_person(BUREAU, person, reason="本人申请删除（个人信息保护法第四十七条）")
