"""Chinese labels for the read models' codes and column headers (offices read Chinese)."""

from __future__ import annotations

from domain.electricity import KIND_NAMES_ZH
from domain.supervision_notice import STATE_NAMES_ZH

STATUS = {"reported": "已上报", "assigned": "整改中", "rectified": "待复查", "closed": "已销号",
          "withdrawn": "已撤销"}
LEVEL = {"general": "一般隐患", "major": "重大隐患"}
GRADE = {"general": "一般隐患", "major": "重大隐患", "supervised": "挂牌督办隐患"}
SUPERVISION = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇"}
SOURCE = {"inspection": "隐患排查", "self_check": "企业自查", "government_check": "执法检查",
          "public_tip": "群众举报", "grid": "网格化协查",
          "mutual_help": "企业互助互查", "association": "行业协会互查",  # issue 15
          "smart_electricity": "智慧用电监测", "insurance": "安责险评估"}  # issue 15 §4
CATEGORY = {"unsafe_act": "人的不安全行为", "unsafe_condition": "物的不安全状态",
            "management_defect": "管理上的缺陷"}
ENFORCEMENT = {"order_rectification": "责令限期整改", "suspend": "停产停业整顿", "fine": "罚款",
               "case": "立案"}
CHECK = {"met": "已落实", "pending": "待落实", "violated": "未落实", "n/a": "不适用"}
THREE_CHECKS = {"responsibility": "责任不落实不放过", "enforcement": "执法不到位不放过",
                "elimination": "隐患不消除不放过"}
YES_NO = {True: "是", False: "否", None: ""}


def grade_label(grade: str, supervision_level: str | None) -> str:
    """一般隐患 / 重大隐患 / 挂牌督办隐患（县级）."""
    label = GRADE.get(grade, grade)
    if grade == "supervised" and supervision_level:
        label += f"（{SUPERVISION.get(supervision_level, supervision_level)}）"
    return label

EVENT_LABELS = {  # event name (or "Aggregate.Event") → the step, for histories, traces, exports, streams
    "Registered": "登记", "AdmittedToPool": "入库", "ExpertJoined": "专家加入", "ExpertLeft": "专家离开",
    "Blacklisted": "列入黑名单", "Reinstated": "移出黑名单", "Signed": "签订", "Renewed": "续签",
    "Terminated": "终止", "Scheduled": "安排排查", "Performed": "实施排查", "ReportFiled": "排查报告备案",
    "Cancelled": "取消排查", "Reported": "隐患上报", "ResponsibilityAssigned": "落实责任人和整改期限",
    "RectificationPlanFiled": "治理方案备案", "ListedForSupervision": "挂牌督办",
    "EnforcementRecorded": "执法措施", "RectificationReported": "整改完成", "Reviewed": "复查",
    "JointReviewSigned": "联合复查签字", "ClosureReportFiled": "书面销号报告", "Closed": "销号",
    "Regraded": "调整等级", "DeadlineExtended": "延期", "Withdrawn": "撤销",
    "Recorded": "事故登记", "FindingRecorded": "调查认定", "ContractSigned": "签订委托服务合同",
    "AgreementSigned": "签订政府购买服务协议", "Evaluated": "考评", "Filed": "申报补贴",
    "Refiled": "重新申报补贴", "Stepped": "补贴审批", "Noticed": "补贴公示", "Paid": "补贴拨付",
    "Countersigned": "会签（合同生效）", "RenewalProposed": "提出续签",
    # by qualified name where one name means different steps of different records
    "ServiceContract.Signed": "提出委托服务合同（一方签署）", "ServiceContract.Renewed": "续签生效",
    "ServiceContract.Terminated": "终止合同", "Enterprise.Registered": "企业登记",
    "SelfReport.Filed": "企业自查自报", "SelfReport.Amended": "修改自查自报",
    "ChecklistRecorded": "记录检查表结果", "ChecklistItemLinked": "检查项关联隐患",
    "Referral.Referred": "交办", "Referral.SignedFor": "签收交办", "Referral.Answered": "答复交办",
    "ExtensionRequested": "申请延期", "ExtensionDecided": "延期审批",
    # issue 14 §1 (H1): 挂牌督办通知书 paperwork; listing_state in the ledger
    "ListingIssued": "下达挂牌督办通知书", "ListingServed": "挂牌督办通知书送达",
    "ListingSigned": "挂牌督办通知书签收", "ListingCancelled": "撤销挂牌督办",
    # 安责险 (issue 15 §3)
    "Insurer.Registered": "保险机构登记", "PolicyUnderwritten": "承保（记入保险期间）",
    "PreventionServicePaid": "事故预防服务支出", "InsurancePolicy.Issued": "登记安责险保单",
    "AgencyCommissioned": "委托风险评估机构",
    # smart electricity (智慧用电, issue 15 §4)
    "Alarm.Posted": "用电告警", "Alarm.Linked": "告警关联隐患", "AlarmWatch.Opened": "开始告警监测",
    "AlarmWatch.Counted": "告警计数", "AlarmWatch.EpisodeRaised": "告警转隐患",
    "AlarmWatch.Joined": "告警并入告警过程",
    # issue 15: mutual-help groups and industry associations
    "MutualHelpGroup.Formed": "成立企业互助组", "IndustryAssociation.Formed": "登记行业协会",
    "MemberJoined": "成员企业加入", "MemberLeft": "成员企业退出", "TrainingRecorded": "培训（活动）记录",
    # issue 15 §5: the service platform (服务平台) and 绩效评比
    "ServiceNeed.Posted": "发布服务需求", "ServiceNeed.Offered": "中介机构报价",
    "ServiceNeed.Accepted": "接受报价（会签服务合同）", "ServiceNeed.Withdrawn": "撤回服务需求",
    "AgencyRating.Rated": "被服务企业评价中介机构",
    # issue 15 §6: 考评 scores of townships, regulators, enterprises; the reward fund
    "PartyAssessment.Scored": "考评评分", "RewardFund.Established": "设立奖励专项资金",
    "RewardFund.Allocated": "分配奖励资金",
    # issue 16 §6: erasure of a person's personal information (crypto-shredding)
    "Erasure.Recorded": "删除个人信息",
}
FORM = {"group": "企业互助组", "association": "行业协会"}  # issue 15: the body's form
# ledger_hazards.listing_state (挂牌督办 paperwork, H1): the domain's one table of these names
LISTING_STATE = {k: v for k, v in STATE_NAMES_ZH.items() if k is not None}
REFERRAL_STATE = {"open": "办理中", "overdue": "逾期未答复", "answered": "已答复"}  # GET /referrals
REFERRAL_RECEIVER = {"township": "乡镇（街道）", "sector": "行业监管部门"}
# issue 16 §6: whose data a person id stands for (domain.privacy.PersonKind)
PERSON_KIND = {"responsible": "隐患整改责任人", "expert": "专家", "signatory": "督办通知书签发人",
               "server": "督办通知书送达人", "signer": "督办通知书签收人", "actor": "操作人（令牌持有人）"}


def event_label(aggregate: str, name: str) -> str:
    """The step's name for people: by "Aggregate.Event" where one name means different steps
    of different records, else by the event's name."""
    return EVENT_LABELS.get(f"{aggregate}.{name}", EVENT_LABELS.get(name, name))

# issue 17 §6 (I4): a checklist item's result (domain.inspection_checklist.Result), for the API's enum
CHECK_RESULT = {"passed": "符合", "failed": "不符合", "not_applicable": "不适用"}

# 安责险 (issue 15 §3): what an insurer's accident-prevention money paid for (domain.insurance.PreventionKind)
PREVENTION_KIND = {"assessment": "风险评估", "training": "安全培训", "expert_check": "聘请专家参与检查",
                   "publicity": "安全生产宣传教育", "other": "其他事故预防工作"}
# smart electricity (智慧用电, issue 15 §4): an alarm's kind (domain.electricity.AlarmKind)
ALARM_KIND = dict(KIND_NAMES_ZH)
# issue 15 §5: a need's state on the service platform (GET /needs)
NEED_STATUS = {"open": "征集报价中", "accepted": "已接受报价", "withdrawn": "已撤回"}
# issue 15 §6: whom a 考评 score or a reward is for (domain.assessment.KIND_NAMES)
ASSESSMENT_KIND = {"township": "乡镇（街道）", "regulator": "行业监管部门", "enterprise": "生产经营单位"}
AWARD_KIND = {**ASSESSMENT_KIND, "agency": "中介服务机构"}
