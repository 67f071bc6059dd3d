"""Request bodies. Unknown fields are refused (422 names them); lengths are bounded here
and again, with the domain's own words, in `domain.values`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.values import CONTROL_CHARS
from services.api import vocabularies as vocab  # issue 17 §6: closed vocabularies, enums with labels


def _printable(value: str) -> str:
    if CONTROL_CHARS.search(value):
        raise ValueError("含有控制字符")
    return value


Text = Annotated[str, Field(max_length=4000), AfterValidator(_printable)]
Short = Annotated[str, Field(max_length=200), AfterValidator(_printable)]
Ident = Annotated[str, Field(max_length=64), AfterValidator(_printable)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), allow_inf_nan=False)]
# Business dates and periods: 1990 (the earliest ledgers anyone migrates) to 2099.
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2099, 12, 31))]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Written(BaseModel):
    """每次写入的应答：记录的 id 和其事件在事件库中的位置（position，可用于 ?after= 等待读模型）。"""
    model_config = ConfigDict(from_attributes=True)
    id: str
    position: int


class NewEnterprise(Body):
    credit_code: Short
    name: Short
    township: Short
    sector: Short
    scale: vocab.Scale
    annual_output: Amount = Decimal(0)
    risk_flags: list[Short] = []
    address: Text = ""


class NewAgency(Body):
    credit_code: Short
    name: Short


class NewExpert(Body):
    name: Short
    certificate_no: Short


class ExpertLeaves(Body):
    reason: Text


class PoolAdmission(Body):
    admitted_on: Day | None = None


class Prices(Body):
    comprehensive: Amount | None = None
    monthly: Amount | None = None


class NewAgreement(Body):
    agency_id: Ident
    townships: list[Short] = Field(min_length=1, max_length=100)
    sectors: list[Short] = Field(min_length=1, max_length=50)
    start: Day
    end: Day
    prices: Prices
    budget: Amount
    services: list[vocab.Service] | None = None


class NewContract(Body):
    enterprise_id: Ident
    agency_id: Ident
    service: vocab.Service
    start: Day
    end: Day
    fee: Amount


class ContractRenewal(Body):
    end: Day
    fee: Amount


class ContractTermination(Body):
    reason: Text
    terminated_on: Day | None = None


class NewInspection(Body):
    enterprise_id: Ident
    agency_id: Ident | None = None
    kind: vocab.InspectionKind
    basis_id: Ident | None = None
    scheduled_for: Day


class InspectionPerformed(Body):
    performed_on: Day | None = None
    expert_ids: list[Ident] = Field(default=[], max_length=100)


class InspectionReport(Body):
    document_no: Short
    filed_on: Day | None = None


class Cancellation(Body):
    reason: Text


class NewHazard(Body):
    enterprise_id: Ident
    inspection_id: Ident | None = None
    source: vocab.Source
    category: vocab.Category
    description: Text
    level: vocab.Level
    discovered_on: Day | None = None
    location: Text = ""
    evidence: list[Short] = Field(default=[], max_length=50)  # text, or a file: "sha256:<hex>"
    criterion: Ident | None = None  # a criterion's id (GET /criteria), e.g. "gm10-4-1"


class Assignment(Body):
    responsible_person: Short
    responsible_phone: Annotated[str, Field(max_length=20)] = ""
    deadline: Day
    assigned_on: Day | None = None


class RectificationPlan(Body):
    """治理方案: 目标任务, 方法措施, 经费物资, 机构人员, 时限要求, 安全措施和应急预案."""
    objectives: Text
    measures: Text
    funds: Text
    organisation: Text
    timeline: Text
    safety_measures: Text
    filed_on: Day | None = None


class Supervision(Body):
    level: vocab.SupervisionLevel
    document_no: Short
    listed_on: Day | None = None


# --- 挂牌督办通知书 (issue 14 §1, helper H1; domain/supervision_notice.py) -----------------------
Days = Annotated[int, Field(strict=True)]  # whole days; the domain checks the range (422 in Chinese)


class ListingNotice(Body):
    """下达挂牌督办通知书: level, 挂牌政府, 督办部门, 文号, the two periods in days from 签收, 签发人."""
    level: vocab.SupervisionLevel
    government: Short
    department: Short
    document_no: Short
    finish_days: Days
    plan_days: Days
    signatory: Short
    issued_on: Day | None = None


class ListingService(Body):
    """送达: who served the notice, and when (default today)."""
    served_by: Short
    served_on: Day | None = None


class ListingReceipt(Body):
    """签收: who signed for the notice, and when (default today)."""
    signed_by: Short
    signed_on: Day | None = None


class ListingCancellation(Body):
    """撤销挂牌督办: reason, document number, date (default today)."""
    reason: Text
    document_no: Short
    cancelled_on: Day | None = None
# --- end of H1's block ----------------------------------------------------------------------


class Enforcement(Body):
    kind: vocab.EnforcementKind
    document_no: Short
    taken_on: Day | None = None


class Rectification(Body):
    evidence: list[Short] = Field(min_length=0, max_length=50)
    cost: Amount
    rectified_on: Day | None = None


class Review(Body):
    passed: bool
    notes: Text = ""
    reviewed_on: Day | None = None
    evidence: list[Short] = Field(default=[], max_length=50)  # text, or a file: "sha256:<hex>"


class ClosureReport(Body):
    document_no: Short
    filed_on: Day | None = None


class Closing(Body):
    closed_on: Day | None = None


class Regrading(Body):
    level: vocab.Level
    reason: Text
    criterion: Ident | None = None  # cite this criterion from now on (GET /criteria)


class Extension(Body):
    """延期 (issue 14 §2): the approver's decision on a paper application (纸质延期申请): the new
    deadline, the application's date and reason, its interim controls if given; the opinion and
    decision date (default today) are optional."""
    deadline: Day
    reason: Text
    requested_on: Day
    interim_controls: Text = ""
    opinion: Text = ""
    decided_on: Day | None = None


class Withdrawal(Body):
    reason: Text


class NewAccident(Body):
    enterprise_id: Ident
    occurred_on: Day
    category: vocab.AccidentCategory
    deaths: int = Field(ge=0, le=10000)
    injuries: int = Field(ge=0, le=10000)
    description: Text


class Evaluation(Body):
    """考评: each criterion of domain.evaluation.CRITERIA scored 0–100."""
    year: int = Field(ge=1990, le=2099)
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=20)
    notes: Text = ""


class Blacklisting(Body):
    reason: Text


class Finding(Body):
    agency_id: Ident
    kind: vocab.FindingKind
    description: Text


class ChecklistResult(Body):
    """一个检查项的判定：符合（passed）、不符合（failed，须作为隐患上报）或不适用（not_applicable）。"""
    item_id: Ident
    result: vocab.CheckResult
    note: Text = ""
    evidence: list[Short] = Field(default=[], max_length=20)  # files: "sha256:<hex>" (POST /files)
    hazard_id: Ident | None = None  # a failed item: the hazard it was reported as


class ChecklistRecord(Body):
    """一次排查按一份检查表模板（GET /checklists/{id}）的结果：每个检查项一次。"""
    template_id: Ident
    results: list[ChecklistResult] = Field(min_length=1, max_length=200)


class ChecklistLink(Body):
    item_id: Ident
    hazard_id: Ident


class NewSelfReport(Body):
    """自查自报: the month's hazards (discovered that month), or none_found: true (零隐患)."""
    enterprise_id: Ident
    month: Annotated[str, Field(max_length=20, examples=["2026-11"]), AfterValidator(_printable)]
    hazard_ids: list[Ident] = Field(default=[], max_length=500)
    none_found: bool = False


class SelfReportAmendment(Body):
    hazard_ids: list[Ident] = Field(default=[], max_length=500)
    none_found: bool = False


class NewReferral(Body):
    """交办: hazards to one receiving unit — a township code (`township`) or a sector code (`sector`)."""
    hazard_ids: list[Ident] = Field(min_length=1, max_length=200)
    township: Ident | None = None
    sector: Ident | None = None
    instructions: Text
    due_on: Day
    referred_on: Day | None = None
    document_no: Short = ""
    # issue 14 §4: the joint meeting's month (联席会, YYYY-MM) whose decision this records
    meeting: Ident | None = None


class ReferralSigning(Body):
    """签收 (signed_on defaults to today)."""
    signed_on: Day | None = None


class ReferralAnswer(Body):
    """答复: what was done (answered_on defaults to today)."""
    answer: Text
    answered_on: Day | None = None


class ExtensionRequest(Body):
    """延期申请 by the enterprise: the deadline it asks for, why, and its interim controls (临时管控措施)."""
    new_deadline: Day
    reason: Text
    interim_controls: Text
    requested_on: Day | None = None


class ExtensionDecision(Body):
    """延期审批: approved or refused, with the approver's opinion (审批意见)."""
    approved: bool
    opinion: Text
    decided_on: Day | None = None


# --- reminders (issue 14 §5, docs/reminders.md) ---------------------------------------------------
class WebhookScope(Body):
    """订阅范围：乡镇（街道）代码和/或行业代码；都不填为全县。"""
    township: Ident | None = None
    sector: Ident | None = None


class NewWebhook(Body):
    """回调订阅：县里允许的 http(s) 地址；`secret`（16–200 个字符），不填则生成一个，只显示一次。"""
    url: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_printable)]
    scope: WebhookScope = WebhookScope()
    secret: Annotated[str, Field(min_length=16, max_length=200), AfterValidator(_printable)] | None = None


# issue 16 §4 (webhooks for integrators, docs/webhooks.md)
class NewSubscription(NewWebhook):
    """回调订阅：`topic` 为 `event`（范围内每个已保存的业务事件）或 `reminder`（提醒）。"""
    topic: Ident = "event"


# --- 安责险 (issue 15 §3, docs/insurance.md) ----------------------------------------------------
class NewInsurer(Body):
    """保险机构：统一社会信用代码和名称。"""
    credit_code: Short
    name: Short


class NewInsurancePolicy(Body):
    """安责险保单：保险机构、企业、保单号、保险期间（起止日期均含）、保费（元，须大于 0）。"""
    insurer_id: Ident
    enterprise_id: Ident
    policy_no: Ident
    start: Day
    end: Day
    premium: Amount


class Commission(Body):
    """保险机构委托中介机构为该保单实施风险评估。"""
    agency_id: Ident
    commissioned_on: Day | None = None


class PreventionService(Body):
    """保险机构支付的事故预防服务：类型、金额（元）、凭证号（同一保险机构内唯一）、支付日期、说明、服务的企业（可选）。"""
    kind: vocab.PreventionKind
    amount: Amount
    reference: Ident
    paid_on: Day | None = None
    description: Text = ""
    enterprise_id: Ident | None = None
class NewAlarm(Body):
    """用电告警（智慧用电）：由绑定企业的设备令牌上报。告警编号在企业内唯一：重发须与首次内容相同（应答相同、不重复登记），内容不同为 409 `alarm-id-reused`。"""
    enterprise_id: Ident = Field(description="设备令牌所绑定的企业 id（不一致为 403）")
    device_id: Annotated[str, Field(max_length=100, description="设备编号"), AfterValidator(_printable)]
    alarm_id: Annotated[str, Field(max_length=100, description="告警编号（设备给出，企业内唯一）"), AfterValidator(_printable)]
    kind: vocab.AlarmKind
    reading: Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), allow_inf_nan=False,
                                      description="读数：过载为电流（A），漏电为剩余电流（mA），超温为温度（℃），电弧为次数")]
    occurred_at: datetime = Field(description="告警时间，须带时区（如 2026-12-01T10:00:00+08:00），不能晚于当前时间")


class AlarmWritten(BaseModel):
    """告警的应答（重发时相同）：告警记录 id、告警编号、本告警生成的隐患（raised: true）或所并入告警过程的隐患。"""
    model_config = ConfigDict(from_attributes=True)
    id: str
    alarm_id: str
    hazard_id: str | None
    raised: bool
# --- mutual-help groups and industry associations (issue 15 §1–2, docs/groups.md) -----------------
class NewGroup(Body):
    """企业互助组：同一区域（乡镇街道）或同一行业的企业；township、sector 至少填一项。"""
    name: Short
    township: Short | None = None
    sector: Short | None = None
    founded_on: Day | None = None


class NewAssociation(Body):
    """行业协会（商会）：本行业的会员单位；township 留空为全县。"""
    credit_code: Short
    name: Short
    sector: Short
    township: Short | None = None
    founded_on: Day | None = None


class NewMember(Body):
    enterprise_id: Ident
    joined_on: Day | None = None


class MemberLeaves(Body):
    reason: Text
    left_on: Day | None = None


class NewGroupExpert(Body):
    """成员企业派出的专业技术人员。"""
    enterprise_id: Ident
    name: Short
    certificate_no: Short


class NewTraining(Body):
    """培训、交流研讨等活动：参加的成员企业、学时。"""
    held_on: Day
    topic: Short
    hours: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)]
    attendee_ids: list[Ident] = Field(min_length=1, max_length=500)
# --- the service platform (服务平台, issue 15 §5) ------------------------------------------------
class NewNeed(Body):
    """服务需求：企业在服务平台发布所需服务（服务类型，可多选）和说明。"""
    enterprise_id: Ident
    services: list[vocab.Service] = Field(min_length=1, max_length=10)
    description: Text


class NewOffer(Body):
    """报价：需求所列服务之一、服务期限、费用和服务条款；报价机构即令牌所属的中介机构。"""
    service: vocab.Service
    start: Day
    end: Day
    fee: Amount
    terms: Text


class OfferAcceptance(Body):
    """接受报价：企业接受一个报价，即与该中介机构会签服务合同。"""
    offer_id: Ident


class NeedWithdrawal(Body):
    reason: Text


class NewRating(Body):
    """绩效评比：被服务企业在合同期满之日或之后，按服务质量、服务态度、服务效果各打 0–100 分。"""
    contract_id: Ident
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=10)
    comment: Text = ""
    rated_on: Day | None = None


# --- 考评 of townships, regulators, enterprises; the reward fund (issue 15 §6) ------------------
class PartyScores(Body):
    """县应急管理局记录的考评评分（记录无法反映的考评项，各 0–100 分）：乡镇（街道）agency_management、progress、
    funding；行业监管部门 duty、cooperation；生产经营单位 leadership、investment、cooperation。"""
    kind: vocab.AssessmentKind
    assessed: Ident  # the township's code, the sector's code, or the enterprise's id
    year: int = Field(ge=1990, le=2099)
    scores: dict[Annotated[str, Field(max_length=40)], int] = Field(max_length=10)
    notes: Text = ""


class NewRewardFund(Body):
    """设立当年奖励专项资金（003 §五(四)1：西工区每年 30 万元），按决定文号记录。"""
    year: int = Field(ge=1990, le=2099)
    amount: Amount
    document_no: Short
    decided_on: Day | None = None


class Award(Body):
    """一项奖励：对象类别、对象（乡镇代码、行业代码、企业或中介机构 id）、金额、理由。"""
    kind: vocab.AwardKind
    recipient: Ident
    amount: Amount
    reason: Text


class RewardAllocation(Body):
    """一次分配决定：文号、日期和各项奖励；历次分配合计不能超过当年资金。"""
    document_no: Short
    decided_on: Day | None = None
    awards: list[Award] = Field(min_length=1, max_length=200)
class ErasureRequest(Body):
    """删除个人信息（个人信息保护法第四十七条）：删除依据。"""
    reason: Annotated[str, Field(max_length=500, examples=["本人申请删除（个人信息保护法第四十七条）"]),
                      AfterValidator(_printable)]


class PersonFound(BaseModel):
    """按姓名查得的人员：人员编号（化名）、类别、电话尾号、首次记录时间。"""
    person_id: str
    kind: vocab.PersonKind
    hint: str | None = None
    created: datetime
