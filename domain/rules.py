"""The rule book: every lifecycle rule the domain enforces, by code.

Each refusal raises `RuleViolation(code, …)`; the code leads here, the text says why,
and `source` names the paper (seed) the rule comes from. Kept as one table so an
official, an auditor or a newcomer can read every rule in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import RuleViolation


@dataclass(frozen=True)
class Rule:
    code: str
    text: str
    source: str
    about_who: bool = False  # the rule names who may act (HTTP answers 403, not 409)

    def refuse(self, detail: str = "") -> RuleViolation:
        return RuleViolation(self.code, f"{self.text}{'：' + detail if detail else ''}",
                             about_who=self.about_who)

    def require(self, condition: bool, detail: str = "") -> None:
        if not condition:
            raise self.refuse(detail)


RULES: dict[str, Rule] = {}


def _rule(code: str, text: str, source: str, *, about_who: bool = False) -> Rule:
    rule = Rule(code, text, source, about_who)
    RULES[code] = rule
    return rule


# --- hazard lifecycle (003 §五(二)) -------------------------------------------------------
HAZARD_NOT_OPEN = _rule(
    "hazard-not-open", "已销号或已撤销的隐患不能再变更", "003 §五(二)")
ASSIGN_STATUS = _rule(
    "assign-status", "只有已上报或整改中的隐患可以落实（变更）责任人和整改期限", "003 §五(二)")
DEADLINE_BEFORE_DISCOVERY = _rule(
    "deadline-before-discovery", "整改期限不能早于隐患发现日期", "SPEC §2")
PLAN_STATUS = _rule(
    "plan-requires-responsibility", "治理方案须在落实责任人和整改期限之后、整改完成之前备案", "003 §五(二)")
RECTIFY_STATUS = _rule(
    "rectify-requires-responsibility", "只有已落实责任人、正在整改的隐患可以报告整改完成", "003 §五(二)")
MAJOR_NEEDS_PLAN = _rule(
    "major-hazard-needs-plan", "重大隐患须先备案治理方案，才能报告整改完成", "003 §五(二)")
RECTIFY_NEEDS_EVIDENCE = _rule(
    "rectification-needs-evidence", "报告整改完成须附整改证据", "003 §五(二)")
REVIEW_STATUS = _rule(
    "review-requires-rectification", "只有已报告整改完成、待复查的隐患可以复查", "003 §五(二)")
SELF_REVIEW = _rule(
    "no-self-review", "一般隐患须由企业以外的单位（县局、乡镇街道、行业主管部门或中介机构）复查，企业不能复查自己的隐患", "003 §五(二)", about_who=True)
JOINT_REVIEW_PARTY = _rule(
    "joint-review-parties", "重大隐患和挂牌督办隐患由乡镇（街道）办事处、行业主管部门和中介机构三方共同复查",
    "003 §五(二)", about_who=True)
JOINT_REVIEW_TWICE = _rule(
    "joint-review-signed-once", "同一方不能重复签署联合复查", "003 §五(二)")
CLOSURE_REPORT_STATUS = _rule(
    "closure-report-after-joint-review", "书面销号报告须在三方联合复查全部通过后提交", "003 §五(二)")
CLOSURE_REPORT_NOT_NEEDED = _rule(
    "closure-report-major-only", "书面销号报告只适用于重大隐患和挂牌督办隐患", "003 §五(二)")
CLOSE_NEEDS_REVIEW = _rule(
    "close-requires-passed-review", "隐患须经复查通过后才能销号（隐患不消除不放过）", "003 §五(二) 三不放过")
CLOSE_NEEDS_JOINT_REVIEW = _rule(
    "close-requires-joint-review", "重大隐患和挂牌督办隐患销号前须经乡镇（街道）、行业主管部门、中介机构三方联合复查通过",
    "003 §五(二)")
CLOSE_NEEDS_CLOSURE_REPORT = _rule(
    "close-requires-closure-report", "重大隐患和挂牌督办隐患销号前须提交书面销号报告", "003 §五(二)")
REGRADE_STATUS = _rule(
    "regrade-before-rectification", "隐患等级只能在报告整改完成之前调整", "SPEC §2")
REGRADE_BY_AUTHORITY = _rule(
    "regrade-by-authority", "隐患等级只能由政府部门或中介机构调整，企业不能自行调整", "SPEC §2", about_who=True)
REASSIGN_KEEPS_DEADLINE = _rule(
    "reassign-keeps-deadline", "变更责任人不能推迟整改期限；推迟须经批准延期", "SPEC §2")
REGRADE_SAME = _rule(
    "regrade-changes-level", "调整后的等级须与现等级不同", "SPEC §2")
EXTEND_STATUS = _rule(
    "extend-requires-deadline", "只有已设整改期限、尚未整改完成的隐患可以延期", "SPEC §2")
EXTEND_LATER = _rule(
    "extension-moves-later", "延期后的整改期限须晚于原期限", "SPEC §2")
GOVERNMENT_APPROVER = _rule(
    "government-approver", "延期和撤销须由政府部门（县局、乡镇街道、行业主管部门）批准", "SPEC §2", about_who=True)
ENFORCE_BY_REGULATOR = _rule(
    "enforcement-by-regulator", "执法措施只能由行业主管部门记录（执法不到位不放过）", "003 §五(二) 三不放过", about_who=True)
SUPERVISE_BY_BUREAU = _rule(
    "supervision-by-bureau", "挂牌督办只能由县应急管理局（安委会办公室）决定", "003 §五(二)", about_who=True)
SUPERVISE_TWICE = _rule(
    "supervision-once", "隐患已挂牌督办", "003 §五(二)")
# issue 14 §1 (helper H1): 挂牌督办通知书 paperwork, domain/supervision_notice.py -----------------
LISTING_BY_BUREAU = _rule(
    "listing-by-bureau", "挂牌督办通知书由县应急管理局（安委会办公室）下达、登记送达和撤销",
    "宁波市隐患排查治理信息系统 挂牌督办；003 §五(二)", about_who=True)
LISTING_SIGNED_BY_ENTERPRISE = _rule(
    "listing-signed-by-enterprise", "挂牌督办通知书由被督办企业签收；县应急管理局可登记纸质送达回执",
    "宁波市隐患排查治理信息系统 挂牌督办", about_who=True)
LISTING_SERVE_AFTER_ISSUE = _rule(
    "listing-serve-after-issue", "挂牌督办通知书须先下达、后送达，且只送达一次",
    "宁波市隐患排查治理信息系统 挂牌督办")
LISTING_SIGN_AFTER_SERVE = _rule(
    "listing-sign-after-serve", "挂牌督办通知书须送达后才能签收，且只签收一次",
    "宁波市隐患排查治理信息系统 挂牌督办")
LISTING_CANCEL_IN_FORCE = _rule(
    "listing-cancel-in-force", "只能撤销正在督办中的挂牌督办",
    "宁波市隐患排查治理信息系统 撤销挂牌督办")
LISTING_CANCEL_BEFORE_RECTIFICATION = _rule(
    "listing-cancel-before-rectification",
    "已报告整改完成、进入复查的挂牌督办隐患不能撤销挂牌，须经三方联合复查后销号",
    "003 §五(二)")
LISTING_ISSUE_BEFORE_RECTIFICATION = _rule(
    "listing-issue-before-rectification",
    "挂牌督办通知书须在隐患报告整改完成之前下达；已进入复查的隐患按其复查程序销号",
    "003 §五(二)")
# end of H1's block
INSPECTION_SOURCE = _rule(
    "inspection-hazard-needs-performed-inspection", "排查发现的隐患须关联本企业一次已实施的排查", "003 §三3")

# --- inspections (003 §三3) ----------------------------------------------------------------
INSPECTION_PERFORM_STATUS = _rule(
    "perform-requires-scheduled", "只有已安排、未取消的排查可以实施", "003 §三3")
INSPECTION_EXPERTS = _rule(
    "inspection-experts-of-agency", "实施排查的专家须是承担排查的中介机构的在册专家", "004 §二(三)")
INSPECTION_REPORT_STATUS = _rule(
    "report-requires-performed", "排查报告须在排查实施后备案，且只备案一次", "003 §三3")
INSPECTION_CANCEL_STATUS = _rule(
    "cancel-requires-scheduled", "只有尚未实施的排查可以取消", "003 §三3")
INSPECTION_BASIS = _rule(
    "inspection-needs-basis", "中介机构排查须依据与该企业的有效委托合同或覆盖该企业的政府购买服务协议", "004 §二")

# --- contracts and agreements (000 §二(二), 004 §二) ----------------------------------------
CONTRACT_ACTIVE = _rule(
    "contract-active", "合同已终止，不能会签、续签或再次终止", "000 §二(二)")
CONTRACT_RENEW_LATER = _rule(
    "renewal-extends-period", "续签后的期限须晚于原合同期限", "000 §二(二)")
CONTRACT_TERMINATE_IN_PERIOD = _rule(
    "termination-within-period", "终止日期须在合同期限之内", "000 §二(二)")
CONTRACT_PARTY = _rule(
    "contract-signed-by-parties",
    "委托服务合同由中介机构和企业双方签署；企业一方也可由乡镇（街道）、县应急管理局或管理员代为登记纸质合同",
    "000 §二(二)", about_who=True)
COUNTERSIGN_BY_OTHER_PARTY = _rule(
    "countersign-by-other-party", "合同（或续签）须由另一方会签，提出的一方不能自己会签", "000 §二(二)",
    about_who=True)
COUNTERSIGN_NEEDS_PROPOSAL = _rule(
    "countersign-needs-proposal", "没有待会签的合同或续签", "000 §二(二)")
CONTRACT_NOT_IN_FORCE = _rule(
    "contract-not-yet-in-force", "合同尚未经另一方会签生效", "000 §二(二)")
CONTRACT_BACKDATING = _rule(
    "contract-backdating",
    "合同的开始或终止日期不能早于签署当日超过县里规定的天数；更早的历史合同由县应急管理局或管理员补录",
    "SPEC §2")
AGREEMENT_BY_BUREAU = _rule(
    "agreement-signed-by-bureau", "政府购买服务协议由县应急管理局签订", "003 §三3", about_who=True)

# --- agencies (004 §二(三), 002 §八(三)) ----------------------------------------------------
AGENCY_BLACKLISTED = _rule(
    "agency-blacklisted", "中介机构已列入黑名单", "002 §八(三)")
AGENCY_NOT_BLACKLISTED = _rule(
    "agency-not-blacklisted", "中介机构不在黑名单中", "002 §八(三)")
EXPERT_UNKNOWN = _rule(
    "expert-registered", "该专家不在本机构在册专家中", "004 §二(三)")
EXPERT_DUPLICATE = _rule(
    "expert-certificate-unique", "该证书编号的专家已在本机构登记", "004 §二(三)")
EVALUATION_BY_BUREAU = _rule(
    "evaluation-by-bureau", "中介机构考评由县应急管理局进行", "003 §五(三)1", about_who=True)
EVALUATION_ONCE_A_YEAR = _rule(
    "evaluation-once-a-year", "该年度已考评", "003 §五(三)1")
AGREEMENT_NEEDS_PASSING_EVALUATION = _rule(
    "agreement-needs-passing-evaluation", "考评不合格的中介机构下次不再委托", "003 §五(四)5")
BLACKLISTED_NOT_COMMISSIONED = _rule(
    "blacklisted-agency-not-commissioned", "列入黑名单的中介机构不得签订购买服务协议或委托合同", "002 §八(三)")
SUBSIDY_ORDER = _rule(
    "subsidy-approval-order", "补贴按 初审→审核→审定→公示→拨付 的顺序办理，被退回的申请须重新申报", "004 §三")
SUBSIDY_STEP_ROLE = _rule(
    "subsidy-step-by-office", "补贴初审由乡镇（街道）办理，审核、审定、公示和拨付由县应急管理局办理", "004 §三",
    about_who=True)
SUBSIDY_NOTICE_PERIOD = _rule(
    "subsidy-notice-period", "补贴须公示至少 7 天，公示期满后拨付", "004 §三")
AGENCY_IN_POOL = _rule(
    "pool-admission-once-per-term", "中介机构仍在入库有效期内", "004 §二(三)")

# --- criteria for major hazards (issue 13; ../shared/MAJOR-HAZARD-CRITERIA.md) ---------------
MAJOR_CRITERION = _rule(
    "major-criterion", "引用重大事故隐患判定标准条款的隐患即为重大隐患，不能定为一般隐患",
    "应急管理部令第10号、安监总管三〔2017〕121号；安全生产法第一百一十八条")

# --- checklists on inspections and enterprise self-reports (issue 13 points 4, 5) -------------
CHECKLIST_STATUS = _rule(
    "checklist-requires-performed", "检查表结果须在排查实施之后、排查报告备案之前记录", "003 §三3")
CHECKLIST_BY_INSPECTOR = _rule(
    "checklist-by-inspector",
    "检查表由实施排查的一方记录：中介机构排查由该机构记录（县应急管理局可代录纸质检查表），企业自查由企业记录",
    "003 §三3", about_who=True)
CHECKLIST_HAZARD = _rule(
    "checklist-hazard-of-inspection", "不符合的检查项只能关联本次排查发现并上报的本企业隐患（未撤销）",
    "安全生产事故隐患排查治理暂行规定（16号令）第十条")
FAILED_ITEM_NEEDS_HAZARD = _rule(
    "failed-item-needs-hazard", "检查表中判为不符合的检查项须全部作为隐患上报并关联隐患后，排查报告才能备案",
    "安全生产事故隐患排查治理暂行规定（16号令）第十条；003 §三3")
SELF_REPORT_ONCE = _rule(
    "self-report-once-a-month", "每家企业每月只有一份自查自报；补报或更正须修改（amend）该月已有的自查自报",
    "000 §二(四)；宁波市隐患排查治理信息系统")
SELF_REPORT_HAZARDS = _rule(
    "self-report-hazards-of-month", "自查自报所列隐患须是本企业在该月发现的隐患",
    "安全生产事故隐患排查治理暂行规定（16号令）第十条")
SELF_REPORT_BY = _rule(
    "self-report-by-enterprise", "自查自报由企业本身填报；乡镇（街道）或县应急管理局可代录纸质自查自报（代报）",
    "000 §二(四)", about_who=True)

# --- referrals from the joint meeting (交办、抄告; issue 14 point 3; 003 §五(一) 联席会 交办) -----
REFERRAL_BY_BUREAU = _rule(
    "referral-by-bureau", "隐患交办（抄告）由县安委会办公室（县应急管理局）作出", "003 §五(一) 联席会 交办",
    about_who=True)
REFERRAL_BY_RECEIVER = _rule(
    "referral-by-receiver", "交办事项由接收的行业监管部门或乡镇（街道）签收和答复", "003 §五(一) 联席会 交办",
    about_who=True)
REFERRAL_ANSWER_AFTER_SIGNING = _rule(
    "referral-answer-after-signing", "交办事项须先签收、后答复，签收和答复各一次", "003 §五(一) 联席会 交办")
REFERRAL_DUE_AFTER_REFERRAL = _rule(
    "referral-due-after-referral", "交办的办理期限不能早于交办日期", "003 §五(一) 联席会 交办")

# --- extension requests (延期申请; issue 14 point 2; 宁波市隐患排查治理信息系统 延期申请与审批) ----------
EXTENSION_NOTICE = _rule(
    "extension-request-notice",
    "延期申请须在整改期限前至少若干个工作日提出（县政策 extensions.min_working_days，缺省 15；工作日按国务院办公厅公布的节假日安排计算）",
    "宁波市隐患排查治理信息系统 延期申请；县政策数据")
EXTENSION_BEFORE_DEADLINE = _rule(
    "extension-request-before-deadline", "整改期限已过，不能再申请延期", "宁波市隐患排查治理信息系统 延期申请")
EXTENSION_PENDING = _rule(
    "extension-request-pending", "已有待审批的延期申请，审批后才能再次申请", "宁波市隐患排查治理信息系统 延期申请")
EXTENSION_DECISION_NEEDS_REQUEST = _rule(
    "extension-decision-needs-request", "没有待审批的延期申请", "宁波市隐患排查治理信息系统 延期审批")
EXTENSION_APPROVER = _rule(
    "extension-approver",
    "延期申请由政策指定的部门审批：挂牌督办或重大隐患由县应急管理局审批，一般隐患由乡镇（街道）审批",
    "宁波市隐患排查治理信息系统 延期审批；003 §五(二)", about_who=True)

# --- safety-liability insurance (安责险, issue 15 §3; 002 §三, 001) --------------------------------
INSURANCE_BY_INSURER = _rule(
    "insurance-by-insurer",
    "安责险保单、委托评估和事故预防服务由保险机构为本机构登记；县应急管理局可代录纸质材料",
    "002 §三", about_who=True)
POLICY_OVERLAP = _rule(
    "insurance-policy-no-overlap", "同一保险机构对同一企业的安责险保单，保险期间不能重叠", "002 §三(一)")
POLICY_NUMBER_UNIQUE = _rule(
    "insurance-policy-number-unique", "该保险机构已登记此保单号", "002 §三(一)")
ASSESSMENT_BASIS = _rule(
    "insurance-assessment-basis", "安责险风险评估须以该企业的安责险保单为依据，保单也只能作为安责险风险评估的依据",
    "002 §三(二)；001 三4")
ASSESSMENT_COMMISSIONED = _rule(
    "insurance-assessment-commissioned", "安责险风险评估须由保险机构委托的中介机构实施", "002 §三(二)")
ASSESSMENT_IN_PERIOD = _rule(
    "insurance-assessment-in-period",
    "安责险风险评估须在承保前评估期或保险期间之内（承保前评估期：保险期间开始前若干天，见县政策数据）",
    "002 §三(二)；001 三4")
COMMISSIONED_ONCE = _rule(
    "insurance-commissioned-once", "该中介机构已受保险机构委托实施该保单的风险评估", "002 §三(二)")
PREVENTION_REFERENCE_UNIQUE = _rule(
    "prevention-reference-unique", "该保险机构已登记此凭证号的事故预防服务", "002 §三(二)")
# --- smart electricity (智慧用电; issue 15 point 4; 001 §二 推广智慧式安全用电) -----------------------
ALARM_BY_DEVICE = _rule(
    "alarm-by-device", "用电告警只能由绑定企业的智慧用电设备令牌上报", "001 §二 智慧式安全用电", about_who=True)
ALARM_OWN_ENTERPRISE = _rule(
    "alarm-own-enterprise", "智慧用电设备只能上报其令牌所绑定企业的告警", "001 §二 智慧式安全用电",
    about_who=True)
ALARM_ID_REUSED = _rule(
    "alarm-id-reused", "同一告警编号只登记一次：重发须与首次内容相同（设备、类型、读数、时间），内容不同的告警须用新的告警编号",
    "001 §二 智慧式安全用电")
# --- mutual-help groups and industry associations (企业互助、行业协会; issue 15 §1–2; 000 §二(三)(四)) --
GROUP_BY_GOVERNMENT = _rule(
    "group-by-government",
    "企业互助组和行业协会的登记、成员和专家由县应急管理局或乡镇（街道）记录，企业不能自行加入",
    "000 §二(三)(四)", about_who=True)
GROUP_UNIQUE = _rule(
    "group-unique", "同一区域（行业）已有同名的互助组；同一统一社会信用代码的行业协会已登记", "000 §二(三)(四)")
GROUP_MEMBER_FITS = _rule(
    "group-member-fits",
    "成员企业须属于互助组（行业协会）的区域和行业：区域互助组只收本乡镇（街道）的企业，行业互助组和行业协会只收本行业的企业",
    "000 §二(三)(四)")
GROUP_MEMBER_ONCE = _rule(
    "group-member-once", "该企业已是成员", "000 §二(三)(四)")
GROUP_MEMBER_UNKNOWN = _rule(
    "group-member-unknown", "该企业不是成员", "000 §二(三)(四)")
GROUP_EXPERT_FROM_MEMBER = _rule(
    "group-expert-from-member", "互助组（行业协会）的专家须由成员企业派出本单位的专业技术人员", "000 §二(三)")
GROUP_EXPERT_DUPLICATE = _rule(
    "group-expert-duplicate", "该证书编号的专家已在册", "000 §二(三)")
GROUP_EXPERT_UNKNOWN = _rule(
    "group-expert-unknown", "不是在册专家", "000 §二(三)")
GROUP_TRAINING_MEMBERS = _rule(
    "group-training-members", "参加培训（活动）的企业须是成员企业", "000 §二(四)")
GROUP_INSPECTION_BASIS = _rule(
    "group-inspection-basis",
    "互查须依据互助组或行业协会：组内互查和协会互查只查成员企业，组间互查查本区域（行业）内的非本组企业；不由中介机构实施",
    "000 §二(三)(四)")
GROUP_INSPECTION_EXPERTS = _rule(
    "group-inspection-experts", "实施互查的专家须是该互助组（行业协会）成员企业派出的在册专家", "000 §二(三)")
# --- the service platform (服务平台, issue 15 §5; 002 §九(三)) and 绩效评比 (000 §五(六)) ----------
NEED_BY_ENTERPRISE = _rule(
    "need-by-enterprise", "服务需求由企业本身在服务平台发布和撤回，报价也只能由发布需求的企业接受",
    "002 §九(三)", about_who=True)
NEED_OPEN = _rule(
    "need-open", "服务需求已被接受或已撤回，不再接受报价", "002 §九(三)")
NEED_ACCEPTED_ONCE = _rule(
    "need-accepted-once", "一项服务需求只能接受一个报价", "002 §九(三)")
OFFER_BY_AGENCY = _rule(
    "offer-by-agency", "报价由中介机构本身提交", "002 §九(三)", about_who=True)
OFFER_BY_POOL_AGENCY = _rule(
    "offer-by-pool-agency", "只有在入库有效期内且未列入黑名单的中介机构可以在服务平台报价和签约",
    "004 §二(三)；002 §八(三)、§九(三)")
OFFER_ONCE_PER_AGENCY = _rule(
    "offer-once-per-agency", "同一中介机构对一项服务需求只能报价一次", "002 §九(三)")
RATING_BY_ENTERPRISE = _rule(
    "rating-by-enterprise", "绩效评比由被服务企业本身评价", "000 §五(六)", about_who=True)
RATING_BY_SERVED_ENTERPRISE = _rule(
    "rating-by-served-enterprise", "只有接受过该中介机构服务的企业（与其会签的合同已开始）才能评价",
    "000 §五(六)")
RATING_AFTER_CONTRACT_END = _rule(
    "rating-after-contract-end", "服务评价须在合同期满之日或之后作出", "000 §五(六)")
RATING_ONCE = _rule(
    "rating-once-per-contract", "每份合同只评价一次", "000 §五(六)")

# --- 考评 of townships, regulators and enterprises; the reward fund (issue 15 §6; 003 §五(三)(四)) --
ASSESSMENT_BY_BUREAU = _rule(
    "assessment-by-bureau", "乡镇（街道）、职能部门和生产经营单位的考评评分由县应急管理局（安委会办公室）记录",
    "003 §五(三)2–4", about_who=True)
ASSESSMENT_ONCE_A_YEAR = _rule(
    "assessment-once-a-year", "每个考评对象每年只记录一次评分", "003 §五(三)")
REWARD_FUND_BY_BUREAU = _rule(
    "reward-fund-by-bureau", "奖励专项资金的设立和分配由县应急管理局按决定记录", "003 §五(四)1",
    about_who=True)
REWARD_FUND_ONCE_A_YEAR = _rule(
    "reward-fund-once-a-year", "每年设立一笔奖励专项资金", "003 §五(四)1")
REWARD_FUND_WITHIN_AMOUNT = _rule(
    "reward-fund-within-amount", "奖励分配的合计不能超过当年奖励专项资金", "003 §五(四)1")
# --- personal information (个人信息保护法第四十七条; issue 16 §6) ---------------------------------
ERASURE_BY = _rule(
    "erasure-by-bureau", "个人信息的删除由县应急管理局或管理员办理", "个人信息保护法第四十七条", about_who=True)
REWARD_DECISION_ONCE = _rule(
    "reward-decision-once", "同一文号的分配决定只记录一次（重复提交不会重复分配）", "003 §五(四)1")
