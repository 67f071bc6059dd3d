"""The authorisation matrix: every route of the OpenAPI document × every role, in and out of scope.

The expectations are written here, independently of the code: a role listed in the policy may
act on records in its scope; out of its scope only the county-wide roles may, except on the
few routes that are not about any one party's records. A route without a rule fails the test.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Role
from domain.evaluation import CRITERIA
from services.access import POLICY
from tests.conftest import actor, credit_code

B, T, R, A, E, AU, IN, AD = (Role.BUREAU, Role.TOWNSHIP, Role.REGULATOR, Role.AGENCY,
                             Role.ENTERPRISE, Role.AUDITOR, Role.INVESTIGATOR, Role.ADMIN)
INS = Role.INSURER  # 保险机构 (issue 15 §3)
DV = Role.DEVICE  # issue 15 §4: a smart-electricity device, bound to one enterprise, posts alarms only
COUNTY_WIDE = {B, AU, IN, AD}
NOT_ABOUT_A_PARTY = {"reference.townships", "reference.sectors", "access.actions", "agency.register", "agreement.sign",
                     "agency.read", "agency.history", "audit.verify",
                     "ledger.read", "rates.read", "compliance.read", "statistics.read",
                     "coverage.read", "subsidy.read", "events.stream",  # filtered by scope, never refused
                     "non_reporters.read", "self_report.list", "referral.list",
                     "todo.read", "supervision.list", "enterprise.list",  # the holder's own to-do; rows filtered by scope
                     "meeting.pack",  # the joint meeting pack: sections filtered by scope
                     "export.province",  # the county's export for the province: no party's record
                     # reminders (issue 14 §5): rows filtered by scope; the holder's own webhooks and
                     # dead letters (another's: 404); registering a wider scope is 403 (in the matrix)
                     "reminder.list", "reminder.webhook.list", "reminder.dead-letter.list",
                     "reminder.dead-letter.retry", "reminder.sms-outbox",
                     # webhook subscriptions (issue 16 §4): the holder's own (another's: 404)
                     "webhook.list", "webhook.delete", "webhook.dead-letter.list",
                     "webhook.dead-letter.retry",
                     "file.upload",  # any writing role, about no party's record
                     "criteria.list", "criteria.read", "checklist.list", "checklist.read",  # reference data
                     "alarm.rates",  # 智慧用电告警率 (issue 15 §4): rows filtered by scope
                     # groups and associations (issue 15): lists and inspections filtered by scope
                     "group.list", "group.inspections", "association.list", "association.inspections",
                     # the service platform (issue 15 §5): any pool agency offers on any open need
                     # (the domain refuses others); the lists are filtered by scope
                     "need.offer", "need.list", "rating.list",
                     # 考评 tables (issue 15 §6): rows filtered by scope; the reward funds: no party's
                     "assessment.townships", "assessment.regulators", "assessment.enterprises",
                     "reward_fund.read",
                     # 安责险 (issue 15 §3): registering an insurer; lists and ledgers filtered by scope
                     "insurer.register", "insurer.list", "insurance_policy.list", "insurance.prevention",
                     "insurance.coverage"}
# in scope, yet not allowed: an enterprise is no party to a procurement agreement
IN_SCOPE_BUT_DENIED = {"agreement.read": {E}, "agreement.history": {E}}


@pytest.fixture
def world(ledger):
    """Enterprise E1 (跃龙街道, chem) served by agency A1 (a countersigned contract C1, an agreement
    G1; a proposal C2 awaiting the enterprise's countersignature); E2 (桃源街道, construction)
    served by none. Scope before / during / after a contract: tests/e2e/test_scope_in_time.py."""
    bureau = actor(B)
    e1 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="甲化工", township="330226001",
                                    sector="chem", scale="small_micro").id
    e2 = ledger.register_enterprise(bureau, credit_code=credit_code(), name="乙建筑",
                                    township="330226002", sector="construction", scale="small_micro").id
    a1 = ledger.register_agency(bureau, credit_code=credit_code(), name="甲咨询").id
    a2 = ledger.register_agency(bureau, credit_code=credit_code(), name="乙咨询").id
    expert = ledger.add_expert(bureau, a1, name="李工", certificate_no="Z-1").id
    c1 = ledger.propose_contract(bureau, enterprise_id=e1, agency_id=a1, service="monthly",  # 补录
                                 start=date(2026, 1, 1), end=date(2029, 12, 31), fee=3600).id
    ledger.countersign_contract(actor(A), c1)
    c2 = ledger.propose_contract(actor(A), enterprise_id=e1, agency_id=a1, service="training",
                                 start=date(2026, 6, 15), end=date(2029, 12, 31), fee=100).id
    g1 = ledger.sign_agreement(bureau, agency_id=a1, townships=["330226001"], sectors=["chem"],
                               start=date(2026, 1, 1), end=date(2029, 12, 31),
                               prices={"comprehensive": 200}, budget=10000).id
    i1 = ledger.schedule_inspection(bureau, enterprise_id=e1, agency_id=a1, kind="monthly",
                                    basis_id=c1, scheduled_for=date(2026, 6, 1)).id
    h1 = ledger.report_hazard(bureau, enterprise_id=e1, source="government_check",
                              category="unsafe_condition", description="配电箱破损", level="general",
                              discovered_on=date(2026, 6, 1)).id
    x1 = ledger.record_accident(bureau, enterprise_id=e1, occurred_on=date(2026, 6, 2), category="fall",
                                deaths=0, injuries=1, description="高处坠落").id
    claim = ledger.file_subsidy_claim(bureau, agency_id=a1, year=2025, served=[]).id
    photo = _photo_uploaded_by(ledger, [f"agency:{a1}", f"enterprise:{e1}", "township:330226001",
                                        "regulator:chem"])
    sr = ledger.file_self_report(bureau, enterprise_id=e1, month="2026-05", hazard_ids=[],
                                 none_found=True).id
    rf = ledger.refer_hazards(bureau, hazard_ids=[h1], township="330226001", instructions="督促整改",
                              due_on=date(2026, 7, 10)).id  # 交办 to 跃龙街道
    ins1 = ledger.register_insurer(bureau, credit_code=credit_code(), name="甲财险").id  # 安责险 (issue 15 §3)
    ins2 = ledger.register_insurer(bureau, credit_code=credit_code(), name="乙财险").id
    p1 = ledger.record_insurance_policy(bureau, insurer_id=ins1, enterprise_id=e1, policy_no="P-1",
                                        start=date(2026, 1, 1), end=date(2026, 12, 31), premium=10000).id
    # issue 15: a mutual-help group and an industry association of 跃龙街道's chemical works, E1 a member
    mg = ledger.form_group(bureau, name="跃龙化工互助组", township="330226001", sector="chem").id
    ledger.add_group_member(bureau, "group", mg, enterprise_id=e1)
    mx = ledger.add_group_expert(bureau, "group", mg, enterprise_id=e1, name="周工", certificate_no="M-1").id
    ia = ledger.form_association(bureau, credit_code=credit_code(), name="跃龙化工协会", sector="chem",
                                 township="330226001").id
    ledger.add_group_member(bureau, "association", ia, enterprise_id=e1)
    ix = ledger.add_group_expert(bureau, "association", ia, enterprise_id=e1, name="吴工",
                                 certificate_no="S-1").id
    # the service platform (issue 15 §5): E1's need N1, offered on by A2 (in the pool); a contract
    # C3 of E1 with A1 that ended in March, rated by E1 (RT)
    ledger.admit_agency_to_pool(bureau, a2, admitted_on=date(2026, 1, 1))
    n1 = ledger.post_need(actor(E), enterprise_id=e1, services=["training"], description="全员安全培训").id
    o1 = ledger.offer_on_need(actor(A), n1, agency_id=a2, service="training", start=date(2026, 7, 1),
                              end=date(2026, 12, 31), fee=2000, terms="两次集中培训").id
    c3 = ledger.propose_contract(bureau, enterprise_id=e1, agency_id=a1, service="consulting",
                                 start=date(2026, 1, 1), end=date(2026, 3, 31), fee=500).id
    ledger.countersign_contract(actor(A), c3)
    ledger.establish_reward_fund(bureau, year=2026, amount=300000, document_no="宁政〔2026〕1号")
    rt = ledger.rate_agency(actor(E), contract_id=c3, scores={"quality": 80, "attitude": 90, "effect": 70}).id
    return dict(E1=e1, A1=a1, A2=a2, X=expert, C1=c1, C2=c2, G1=g1, I1=i1, H1=h1, ACC=x1, E2=e2,
                CL=claim, F=photo, SR=sr, RF=rf, N1=n1, O1=o1, C3=c3, RT=rt, MG=mg, MX=mx, IA=ia, IX=ix,
                INS1=ins1, INS2=ins2, P1=p1)


def _photo_uploaded_by(ledger, parties: list[str]) -> str:
    """An evidence photo that each in-scope party uploaded (files are read by their uploaders)."""
    import io

    from PIL import Image

    from infra.files import PostgresFileStore

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    store = PostgresFileStore(ledger.recorder.datastore)
    return [store.put(io.BytesIO(out.getvalue()), party=p, actor="test").sha256 for p in parties][0]


def requests_for(w):
    """One valid request per route name (the matrix fails for a route missing here)."""
    day = "2026-06-10"
    hz, insp = f"/hazards/{w['H1']}", f"/inspections/{w['I1']}"
    reads = {}
    for path, kind, ident in [("enterprises", "enterprise", "E1"), ("agencies", "agency", "A1"),
                              ("agreements", "agreement", "G1"), ("contracts", "contract", "C1"),
                              ("inspections", "inspection", "I1"), ("hazards", "hazard", "H1"),
                              ("accidents", "accident", "ACC"), ("self-reports", "self_report", "SR"),
                              ("referrals", "referral", "RF"), ("groups", "group", "MG"),
                              ("associations", "association", "IA"), ("needs", "need", "N1"),
                              ("ratings", "rating", "RT")]:
        reads[f"{kind}.read"] = ("GET", f"/{path}/{w[ident]}", None)
        reads[f"{kind}.history"] = ("GET", f"/{path}/{w[ident]}/history", None)
    return {
        **reads,
        "reference.townships": ("GET", "/townships", None),
        "access.actions": ("GET", "/access/actions", None),
        "reference.sectors": ("GET", "/sectors", None),
        "audit.verify": ("GET", "/audit/verify", None),
        "ledger.read": ("GET", "/ledger", None),
        "events.stream": ("GET", "/events/stream?once=1", None),
        "agency.accountability": ("GET", f"/agencies/{w['A1']}/accountability?year=2026", None),
        "trace.enterprise": ("GET", f"/trace/enterprises/{w['E1']}?until=2026-06-30", None),
        "coverage.read": ("GET", "/coverage?year=2026", None),
        "non_reporters.read": ("GET", "/non-reporters?month=2026-05", None),
        "self_report.list": ("GET", "/self-reports?month=2026-05", None),
        "subsidy.read": ("GET", "/subsidies?year=2026", None),
        "subsidy.claim.read": ("GET", f"/subsidies/claims/{w['CL']}", None),
        "subsidy.claim.file": ("POST", "/subsidies/claims", {"agency_id": w["A1"], "year": 2026}),
        "subsidy.claim.township-check": ("POST", f"/subsidies/claims/{w['CL']}/township-check",
                                         {"passed": True, "on": day}),
        "subsidy.claim.bureau-review": ("POST", f"/subsidies/claims/{w['CL']}/bureau-review",
                                        {"passed": True, "on": day}),
        "subsidy.claim.finance-approval": ("POST", f"/subsidies/claims/{w['CL']}/finance-approval",
                                           {"passed": True, "notes": "宁财〔2026〕8号", "on": day}),
        "subsidy.claim.notice": ("POST", f"/subsidies/claims/{w['CL']}/notice",
                                 {"start": "2026-06-11", "end": "2026-06-18"}),
        "subsidy.claim.pay": ("POST", f"/subsidies/claims/{w['CL']}/pay", {"paid_on": "2026-06-20"}),
        "audit.export": ("GET", f"/audit/enterprises/{w['E1']}/export", None),
        "rates.read": ("GET", "/rates?by=township", None),
        "compliance.read": ("GET", "/compliance", None),
        "statistics.read": ("GET", "/statistics?period=2026Q2", None),
        "enterprise.register": ("POST", "/enterprises", {
            "credit_code": credit_code(), "name": "新企业", "township": "330226001", "sector": "chem",
            "scale": "individual"}),
        "agency.register": ("POST", "/agencies", {"credit_code": credit_code(), "name": "新机构"}),
        "agency.expert.add": ("POST", f"/agencies/{w['A1']}/experts", {"name": "王工", "certificate_no": "Z-9"}),
        "agency.expert.leave": ("POST", f"/agencies/{w['A1']}/experts/{w['X']}/leave", {"reason": "离职"}),
        "agency.admit": ("POST", f"/agencies/{w['A1']}/admit", {"admitted_on": day}),
        "agency.evaluate": ("POST", f"/agencies/{w['A1']}/evaluate", {
            "year": 2025, "scores": {k: 90 for k in CRITERIA}, "notes": ""}),
        "agency.blacklist": ("POST", f"/agencies/{w['A1']}/blacklist", {"reason": "虚假报告"}),
        "agency.reinstate": ("POST", f"/agencies/{w['A1']}/reinstate", {"reason": "整改到位"}),
        "accident.finding": ("POST", f"/accidents/{w['ACC']}/findings", {
            "agency_id": w["A1"], "kind": "missed_hazard", "description": "漏查临边防护"}),
        "accident.record": ("POST", "/accidents", {
            "enterprise_id": w["E1"], "occurred_on": day, "category": "fall", "deaths": 0,
            "injuries": 1, "description": "摔伤"}),
        "agreement.sign": ("POST", "/agreements", {
            "agency_id": w["A1"], "townships": ["330226001"], "sectors": ["chem"], "start": "2026-01-01",
            "end": "2029-12-31", "prices": {"monthly": 360}, "budget": 1000}),
        "contract.propose": ("POST", "/contracts", {
            "enterprise_id": w["E1"], "agency_id": w["A1"], "service": "training", "start": "2026-06-15",
            "end": "2029-12-31", "fee": 100}),
        "contract.countersign": ("POST", f"/contracts/{w['C2']}/countersign", None),
        "contract.renew": ("POST", f"/contracts/{w['C1']}/renew", {"end": "2027-12-31", "fee": 3600}),
        "contract.terminate": ("POST", f"/contracts/{w['C1']}/terminate", {"reason": "到期不续"}),
        "inspection.schedule": ("POST", "/inspections", {
            "enterprise_id": w["E1"], "agency_id": w["A1"], "kind": "monthly", "basis_id": w["C1"],
            "scheduled_for": day}),
        "inspection.perform": ("POST", f"{insp}/perform", {"expert_ids": [w["X"]], "performed_on": day}),
        "inspection.file-report": ("POST", f"{insp}/file-report", {"document_no": "报告1号"}),
        "inspection.cancel": ("POST", f"{insp}/cancel", {"reason": "企业停产"}),
        "inspection.checklist": ("POST", f"{insp}/checklist", {"template_id": "chem121", "results": [
            {"item_id": f"chem121-{n:02d}", "result": "passed"} for n in range(1, 21)]}),
        "inspection.checklist-link": ("POST", f"{insp}/checklist/link",
                                      {"item_id": "chem121-01", "hazard_id": w["H1"]}),
        "self_report.file": ("POST", "/self-reports", {"enterprise_id": w["E1"], "month": "2026-06",
                                                       "none_found": True}),
        "self_report.amend": ("POST", f"/self-reports/{w['SR']}/amend", {"none_found": True}),
        "referral.refer": ("POST", "/referrals", {"hazard_ids": [w["H1"]], "township": "330226001",
                                                  "instructions": "督促整改", "due_on": "2026-07-10"}),
        "referral.sign": ("POST", f"/referrals/{w['RF']}/sign", {}),  # a regulator: 403 referral-by-receiver
        "referral.answer": ("POST", f"/referrals/{w['RF']}/answer", {"answer": "已督促整改"}),
        "referral.list": ("GET", "/referrals?state=open", None),
        "meeting.pack": ("GET", "/meetings/pack?month=2026-06", None),
        "export.province": ("GET", "/exports/province?period=2026-06", None),
        # issue 16 §6: personal information (an unknown person: 404 where allowed)
        "person.find": ("GET", "/persons?name=%E5%BC%A0%E4%B8%89", None),
        "person.erase": ("POST", "/persons/00000000-0000-4000-8000-000000000000/erasure", {"reason": "本人申请"}),
        "todo.read": ("GET", "/todo", None),
        "supervision.list": ("GET", "/supervision/listings", None),
        "enterprise.list": ("GET", "/enterprises?q=%E4%BC%81%E4%B8%9A", None),
        "hazard.report": ("POST", "/hazards", {
            "enterprise_id": w["E1"], "source": "self_check", "category": "unsafe_act",
            "description": "未戴安全帽", "level": "general", "discovered_on": day}),
        "hazard.assign": ("POST", f"{hz}/assign", {"responsible_person": "王五", "deadline": "2026-06-30"}),
        "hazard.plan": ("POST", f"{hz}/plan", {k: "内容" for k in (
            "objectives", "measures", "funds", "organisation", "timeline", "safety_measures")}),
        "hazard.supervise": ("POST", f"{hz}/supervise", {"level": "county", "document_no": "督1号"}),
        "hazard.enforce": ("POST", f"{hz}/enforce", {"kind": "fine", "document_no": "罚1号"}),
        "hazard.rectify": ("POST", f"{hz}/rectify", {"evidence": ["a.jpg"], "cost": 10}),
        "hazard.review": ("POST", f"{hz}/review", {"passed": True}),
        "hazard.closure-report": ("POST", f"{hz}/closure-report", {"document_no": "销1号"}),
        "hazard.close": ("POST", f"{hz}/close", {}),
        "hazard.regrade": ("POST", f"{hz}/regrade", {"level": "major", "reason": "复核"}),
        "hazard.extend": ("POST", f"{hz}/extend", {"deadline": "2026-08-01", "reason": "待料",
                                                    "requested_on": day}),
        # 挂牌督办通知书 (issue 14 §1, H1)
        "hazard.listing-issue": ("POST", f"{hz}/listing", {
            "level": "county", "government": "宁海县人民政府", "department": "宁海县应急管理局",
            "document_no": "宁政督〔2026〕第1号", "finish_days": 30, "plan_days": 15, "signatory": "王县长"}),
        "hazard.listing-serve": ("POST", f"{hz}/listing/serve", {"served_by": "李四"}),
        "hazard.listing-sign": ("POST", f"{hz}/listing/sign", {"signed_by": "赵六"}),
        "hazard.listing-cancel": ("POST", f"{hz}/listing/cancel", {"reason": "误列", "document_no": "撤1号"}),
        "hazard.withdraw": ("POST", f"{hz}/withdraw", {"reason": "误报"}),
        "hazard.extension-request": ("POST", f"{hz}/extension-requests", {
            "new_deadline": "2026-08-01", "reason": "待料", "interim_controls": "停用配电箱"}),
        "hazard.extension-decision": ("POST", f"{hz}/extension-requests/decision",
                                      {"approved": True, "opinion": "同意"}),
        "file.upload": ("POST", "/files", None),  # no multipart body: 415 once allowed
        "file.read": ("GET", f"/files/{w['F']}", None),
        "file.thumbnail": ("GET", f"/files/{w['F']}/thumbnail", None),
        "file.metadata": ("GET", f"/files/{w['F']}/metadata", None),
        "criteria.list": ("GET", "/criteria?sector=trade", None),
        "criteria.read": ("GET", "/criteria/gm10-4-1", None),
        "checklist.list": ("GET", "/checklists?sector=chem", None),
        "checklist.read": ("GET", "/checklists/chem121", None),
        "statistics.enterprise.read": ("GET", f"/statistics/enterprises/{w['E1']}?period=2026Q2", None),
        # reminders (issue 14 §5)
        "reminder.list": ("GET", "/reminders?kind=overdue", None),
        "reminder.webhook.register": ("POST", "/reminders/webhooks", {
            "url": "http://127.0.0.1:9/hook", "scope": {"township": "330226001", "sector": "chem"}}),
        "reminder.webhook.list": ("GET", "/reminders/webhooks", None),
        "reminder.dead-letter.list": ("GET", "/reminders/dead-letters", None),
        "reminder.dead-letter.retry": ("POST", "/reminders/dead-letters/999999/retry", None),
        "reminder.sms-outbox": ("GET", "/reminders/sms-outbox", None),
        # webhook subscriptions (issue 16 §4)
        "webhook.register": ("POST", "/webhooks", {
            "url": "http://127.0.0.1:9/hook", "topic": "event",
            "scope": {"township": "330226001", "sector": "chem"}}),
        "webhook.list": ("GET", "/webhooks", None),
        "webhook.delete": ("DELETE", "/webhooks/no-such-subscription", None),
        "webhook.dead-letter.list": ("GET", "/webhooks/dead-letters", None),
        "webhook.dead-letter.retry": ("POST", "/webhooks/dead-letters/999999/retry", None),
        # 安责险 (issue 15 §3)
        "insurer.register": ("POST", "/insurers", {"credit_code": credit_code(), "name": "丙财险"}),
        "insurer.list": ("GET", "/insurers", None),
        "insurer.read": ("GET", f"/insurers/{w['INS1']}", None),
        "insurer.prevention-record": ("POST", f"/insurers/{w['INS1']}/prevention-services", {
            "kind": "training", "amount": 100, "reference": "V-1", "paid_on": day}),
        "insurance_policy.record": ("POST", "/insurance-policies", {
            "insurer_id": w["INS1"], "enterprise_id": w["E2"], "policy_no": "P-2", "start": "2026-01-01",
            "end": "2026-12-31", "premium": 5000}),
        "insurance_policy.commission": ("POST", f"/insurance-policies/{w['P1']}/commission",
                                        {"agency_id": w["A1"]}),
        "insurance_policy.list": ("GET", "/insurance-policies", None),
        "insurance_policy.read": ("GET", f"/insurance-policies/{w['P1']}", None),
        "insurance.prevention": ("GET", "/insurance/prevention?year=2026", None),
        "insurance.coverage": ("GET", "/insurance/coverage", None),
        # smart electricity (issue 15 §4): a device's alarm; the alarm rates per township
        "alarm.post": ("POST", "/alarms", {"enterprise_id": w["E1"], "device_id": "DB-01", "alarm_id": "M-1",
                                           "kind": "overload", "reading": 35, "occurred_at": "2026-06-10T08:00:00+08:00"}),
        "alarm.rates": ("GET", "/alarms/rates?year=2026", None),
        # mutual-help groups and industry associations (issue 15 §1–2)
        "group.form": ("POST", "/groups", {"name": "新互助组", "township": "330226001"}),
        "association.form": ("POST", "/associations", {
            "credit_code": credit_code(), "name": "新协会", "sector": "chem", "township": "330226001"}),
        **{f"{form}.{what}": request for form, path, body, expert in (
            ("group", "groups", "MG", "MX"), ("association", "associations", "IA", "IX"))
           for what, request in {
               "list": ("GET", f"/{path}", None),
               "inspections": ("GET", f"/{path}/{w[body]}/inspections", None),
               "trainings": ("GET", f"/{path}/{w[body]}/trainings", None),
               "member.add": ("POST", f"/{path}/{w[body]}/members", {"enterprise_id": w["E1"]}),
               "member.leave": ("POST", f"/{path}/{w[body]}/members/{w['E1']}/leave", {"reason": "停产"}),
               "expert.add": ("POST", f"/{path}/{w[body]}/experts", {
                   "enterprise_id": w["E1"], "name": "郑工", "certificate_no": "N-1"}),
               "expert.leave": ("POST", f"/{path}/{w[body]}/experts/{w[expert]}/leave", {"reason": "调岗"}),
               "training.record": ("POST", f"/{path}/{w[body]}/trainings", {
                   "held_on": day, "topic": "危化品储存", "hours": 2, "attendee_ids": [w["E1"]]}),
           }.items()},
        # the service platform (issue 15 §5)
        "need.post": ("POST", "/needs", {"enterprise_id": w["E1"], "services": ["monthly"],
                                         "description": "按月排查"}),
        "need.offer": ("POST", f"/needs/{w['N1']}/offers", {
            "service": "training", "start": "2026-07-01", "end": "2026-12-31", "fee": 1800,
            "terms": "三次培训"}),
        "need.accept": ("POST", f"/needs/{w['N1']}/accept", {"offer_id": w["O1"]}),
        "need.withdraw": ("POST", f"/needs/{w['N1']}/withdraw", {"reason": "不再需要"}),
        "need.list": ("GET", "/needs", None),
        "rating.rate": ("POST", "/ratings", {"contract_id": w["C1"], "scores": {
            "quality": 90, "attitude": 90, "effect": 90}}),
        "rating.list": ("GET", "/ratings", None),
        # 考评 of the four parties and the reward fund (issue 15 §6)
        "assessment.score": ("POST", "/evaluations/scores", {
            "kind": "township", "assessed": "330226001", "year": 2025,
            "scores": {"agency_management": 80, "progress": 80, "funding": 80}}),
        "assessment.townships": ("GET", "/evaluations/townships?year=2026", None),
        "assessment.regulators": ("GET", "/evaluations/regulators?year=2026", None),
        "assessment.enterprises": ("GET", "/evaluations/enterprises?year=2026", None),
        "reward_fund.establish": ("POST", "/reward-funds", {
            "year": 2027, "amount": 300000, "document_no": "宁政〔2027〕1号"}),
        "reward_fund.allocate": ("POST", "/reward-funds/2026/allocations", {
            "document_no": "宁政〔2026〕9号", "awards": [
                {"kind": "township", "recipient": "330226001", "amount": 1000, "reason": "优秀"}]}),
        "reward_fund.read": ("GET", "/reward-funds?year=2026", None),
    }


IN_SCOPE = {T: {"township": "330226001"}, R: {"sector": "chem"}, E: {"enterprise_id": "E1"},
            A: {"agency_id": "A1"}, DV: {"enterprise_id": "E1"},
            INS: {"insurer_id": "INS1"}}
OUT_OF_SCOPE = {T: {"township": "330226002"}, R: {"sector": "construction"},
                E: {"enterprise_id": "E2"}, A: {"agency_id": "A2"}, DV: {"enterprise_id": "E2"},
                INS: {"insurer_id": "INS2"}}


def _token(auth, role, scope, world):
    resolved = {k: world.get(v, v) or "unknown" for k, v in scope.get(role, {}).items()}
    return auth(str(role), **resolved)


def _operations(client) -> set[str]:
    """The operation ids of the OpenAPI document (each is the route's action name)."""
    document = client.get("/openapi.json").json()
    return {op["operationId"] for path in document["paths"].values() for op in path.values()}


def test_every_route_has_a_rule(client):
    routes = _operations(client)
    assert routes - set(POLICY) == set(), "routes without a rule in services/access.py POLICY"
    assert set(POLICY) - routes == set(), "rules for routes that do not exist"


def test_every_route_has_a_request_in_this_matrix(client, world):
    assert _operations(client) <= set(requests_for(world))


@pytest.mark.parametrize("in_scope", [True, False], ids=["in-scope", "out-of-scope"])
def test_authorisation_matrix(client, auth, world, in_scope):
    scopes = IN_SCOPE if in_scope else OUT_OF_SCOPE
    wrong = []
    for name, (method, path, body) in requests_for(world).items():
        for role in Role:
            expected = role in POLICY[name]
            if in_scope:
                expected = expected and role not in IN_SCOPE_BUT_DENIED.get(name, set())
            elif name not in NOT_ABOUT_A_PARTY:
                expected = expected and role in COUNTY_WIDE
            response = client.request(method, "/api/v1" + path, json=body,
                                      headers=_token(auth, role, scopes, world))
            denied = response.status_code == 403 and response.json()["rule"] == f"access:{name}"
            if denied == expected or response.status_code in (401, 422):
                wrong.append((name, str(role), response.status_code, response.text[:120]))
    assert wrong == []
