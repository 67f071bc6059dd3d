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
