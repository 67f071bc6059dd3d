"""An event's fields as people read them: the one table of field labels (字段名称) and how each
value is written — codes as their Chinese labels, townships and sectors by name, records by
name where the caller can name them, plans and score sheets as their parts.

Used by the CLI's `hazard history` (issue 17 §7); meant for every place that shows an event's
data to a person. `tests/services/test_field_labels.py` fails on an event field with no label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.actor import ROLE_NAMES_ZH
from domain.evaluation import CRITERIA
from domain.assessment import SCORED
from domain.plan import PLAN_PARTS
from domain.platform import RATING_CRITERIA
from projections import labels, oversight_labels as ol

# Fields every event has, or that are shown apart (who did it): never listed as data.
NOT_DATA = frozenset({"originator_id", "originator_version", "originator_topic", "timestamp", "actor"})

FIELD_LABELS: dict[str, str] = {
    "address": "地址", "admitted_on": "入库日期", "agency_id": "中介机构", "agreement_id": "政府购买服务协议",
    "annual_output": "年产值（万元）", "answer": "答复", "answered_on": "答复日期", "approved": "审批结果",
    "assigned_on": "落实日期", "basis_id": "排查依据", "budget": "预算（元）", "category": "类别",
    "certificate_no": "证书编号", "closed_on": "销号日期", "comprehensive_total": "全面排查补贴（元）",
    "contract_id": "委托服务合同", "cost": "整改资金（元）", "countersigned_on": "会签日期",
    "credit_code": "统一社会信用代码", "criterion": "判定依据", "deadline": "整改期限", "deaths": "死亡人数",
    "decided_on": "审批日期", "description": "描述", "discovered_on": "发现日期", "document_no": "文号",
    "due_on": "期限", "end": "截止日期", "enterprise_id": "企业", "evidence": "证据材料",
    "expert_id": "专家", "expert_ids": "参加专家", "expires_on": "入库有效期至", "factor": "补贴系数",
    "fee": "费用（元）", "filed_on": "备案日期", "grade": "考评等级", "hazard_id": "隐患",
    "hazard_ids": "隐患", "hazards": "交办隐患", "injuries": "受伤人数", "inspection_id": "排查",
    "instructions": "交办要求", "interim_controls": "临时管控措施", "item_id": "检查项",
    "kind": "类型", "late": "逾期", "level": "等级", "lines": "补贴明细", "listed_on": "挂牌日期",
    "location": "部位", "migrated": "迁移的旧记录", "month": "月份", "monthly_total": "按月排查补贴（元）",
    "name": "名称", "new_deadline": "申请的新期限", "none_found": "未发现隐患", "notes": "意见",
    "occurred_on": "发生日期", "on": "日期", "opinion": "审批意见", "paid_on": "拨付日期",
    "party": "复查方", "passed": "结论", "performed_on": "实施日期", "plan": "治理方案",
    "previous": "原值", "prices": "单价（元）", "proposed_by": "提出方", "proxy": "代报",
    "reason": "理由", "receiver": "接收单位", "receiver_kind": "接收单位类别", "rectified_on": "整改完成日期",
    "referred_on": "交办日期", "requested_on": "申请日期", "responsible_person": "责任人",
    "responsible_phone": "责任人电话", "results": "检查结果", "reviewed_on": "复查日期",
    "risk_flags": "风险特征", "scale": "规模", "scheduled_for": "计划日期", "scores": "考评得分",
    "sector": "行业", "sectors": "行业", "service": "服务内容", "services": "服务内容", "side": "签署方",
    "signed_on": "签收日期", "signing_rate": "签约率", "source": "隐患来源", "start": "起始日期",
    "step": "审批环节", "taken_on": "执法日期", "template_id": "检查表", "terminated_on": "终止日期",
    "title": "标题", "total": "合计", "township": "乡镇（街道）", "townships": "乡镇（街道）",
    "year": "年度",
    # an aggregate's state (hazard history --as-of, record reads)
    "status": "状态", "supervision": "挂牌督办", "enforcement": "执法措施", "rectification": "整改情况",
    "review": "复查", "joint_review": "联合复查", "failed_reviews": "复查未通过次数",
    "closure_report": "书面销号报告", "withdrawal": "撤销", "extensions": "延期记录",
    "extension_request": "待审批的延期申请", "by": "操作人", "approver": "批准人", "applicant": "申请人",
    "original_deadline": "原整改期限", "signed_by": "签收人", "answered_by": "答复人",
    # 挂牌督办通知书 (issue 14 §1), paper extension applications, meeting referrals
    "government": "挂牌政府", "department": "督办部门", "signatory": "签发人", "issued_on": "下达日期",
    "finish_days": "治理完毕期限（签收后日数）", "plan_days": "方案备案期限（签收后日数）",
    "served_by": "送达人", "served_on": "送达日期", "finish_by": "责令治理完毕期限",
    "plan_by": "治理方案备案期限", "cancelled_on": "撤销日期", "channel": "方式", "meeting": "联席会月份",
    # 安责险 (issue 15 §3)
    "insurer_id": "保险机构", "policy_id": "安责险保单", "policy_no": "保单号", "premium": "保费（元）",
    "mandatory": "强制投保行业", "assess_from": "承保前评估起始日期", "commissioned_on": "委托日期",
    "commissioned": "委托的评估机构", "reference": "凭证号",
    "policies": "保单", "services": "事故预防服务",
    # smart electricity (智慧用电, issue 15 §4)
    "device_id": "设备编号", "alarm_id": "告警编号", "reading": "读数", "occurred_at": "告警时间",
    "raised": "生成隐患", "at": "告警时间", "alarm_ids": "告警编号", "first_at": "首次告警时间",
    "last_at": "末次告警时间", "keep": "仍在计数的告警", "window_hours": "计数时长（小时）",
    "episode": "告警过程序号",
    # issue 15: mutual-help groups and industry associations
    "founded_on": "成立日期", "joined_on": "加入日期", "left_on": "退出日期", "training_id": "培训（活动）",
    "held_on": "举办日期", "topic": "主题", "hours": "学时", "attendee_ids": "参加企业",
    "members": "成员企业", "experts": "专家", "trainings": "培训（活动）记录", "founded": "成立日期",
    # the service platform and 绩效评比 (issue 15 §5)
    "posted_on": "发布日期", "offer_id": "报价", "terms": "服务条款", "offered_on": "报价日期",
    "accepted_on": "接受日期", "withdrawn_on": "撤回日期", "comment": "评价意见", "rated_on": "评价日期",
    # 考评 of the four parties and the reward fund (issue 15 §6)
    "awards": "奖励", "amount": "金额（元）", "assessed": "考评对象", "recipient": "奖励对象",
    # issue 16 §6: erasure of personal information
    "person_id": "人员编号", "erased_on": "删除日期",
}
PERSON_FIELDS = frozenset({"by", "actor", "approver", "applicant", "signed_by", "answered_by"})

# Codes of closed vocabularies, whatever field carries them (the codes do not collide).
_CODES: dict[str, str] = {
    **labels.LEVEL, **labels.SUPERVISION, **labels.SOURCE, **labels.CATEGORY, **labels.ENFORCEMENT,
    **labels.STATUS, **ol.INSPECTION_KIND, **ol.SERVICE, **ol.GRADE, **ol.FINDING, **ol.ACCIDENT,
    **ol.SCALE, **ol.CLAIM_STEP, **labels.REFERRAL_RECEIVER, **labels.AWARD_KIND, **labels.ALARM_KIND,
    **labels.PREVENTION_KIND,
    **labels.PERSON_KIND,
    **{str(role): name for role, name in ROLE_NAMES_ZH.items()},
    "online": "网上办理", "paper": "纸质（代为录入）",
}
_VERDICT = {"passed": ("通过", "不通过"), "approved": ("批准", "不予批准")}
_MONEY = frozenset({"cost", "fee", "budget", "comprehensive_total", "monthly_total", "total", "amount",
                    "premium"})

_CRITERIA = {**CRITERIA, **RATING_CRITERIA,  # 考评 and 绩效评比 score sheets; the four parties' 考评
             **{k: v for kind in SCORED.values() for k, v in kind.items()}}

Names = Callable[[str, str], "str | None"]  # (field, id) → the record's name, or None


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def value_text(key: str, value: Any, *, reference: Any = None, names: Names | None = None) -> str:
    """One field's value in words."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        yes, no = _VERDICT.get(key, ("是", "否"))
        return yes if value else no
    if key in ("township", "townships", "sector", "sectors"):
        return _places(key, value, reference)
    if key == "plan" and isinstance(value, dict):
        return "；".join(f"{PLAN_PARTS.get(k, k)}：{v}" for k, v in value.items() if k in PLAN_PARTS)
    if key == "scores" and isinstance(value, dict):
        return "；".join(f"{_CRITERIA.get(k, k)} {v}" for k, v in value.items())
    if key == "hazards" and isinstance(value, list):
        return "；".join(str(h.get("description", "")) for h in value if isinstance(h, dict))
    if key in ("evidence", "results", "lines") and isinstance(value, list):
        return f"{len(value)} 项"
    if key.endswith("_id") or key.endswith("_ids"):
        return _records(key, value, names)
    if key in PERSON_FIELDS and isinstance(value, dict):
        role = str(value.get("role", ""))
        return f"{value.get('name') or '-'}（{_CODES.get(role, role or '-')}）"
    if isinstance(value, (list, tuple)):
        sep = "；" if any(isinstance(v, dict) for v in value) else "、"
        return sep.join(value_text(key, v, reference=reference, names=names) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{field_label(k)} {value_text(k, v, reference=reference, names=names)}"
                        for k, v in value.items() if v not in (None, "", [], {}))
    return _scalar(key, value)


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, datetime):
        from infra.clock import local
        return local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) or (key in _MONEY and isinstance(value, (int, float))):
        return f"{value} 元" if key in _MONEY else str(value)
    if isinstance(value, str):
        return _CODES.get(value, value)
    return str(value)


def _places(key: str, value: Any, reference: Any) -> str:
    codes = value if isinstance(value, (list, tuple)) else [value]
    if reference is None:
        return "、".join(map(str, codes))
    names = reference.townships if key.startswith("township") else reference.sectors
    return "、".join(names.get(c, str(c)) for c in codes)


def _records(key: str, value: Any, names: Names | None) -> str:
    ids: Iterable[Any] = value if isinstance(value, (list, tuple)) else [value]
    return "、".join((names(key, str(i)) if names else None) or str(i) for i in ids)


def describe(data: dict[str, Any], *, reference: Any = None, names: Names | None = None) -> list[tuple[str, str]]:
    """(label, value) for each field of an event's data, in the event's order."""
    return [(field_label(k), value_text(k, v, reference=reference, names=names))
            for k, v in data.items() if k not in NOT_DATA]


RECORD_KINDS: dict[str, str] = {  # an aggregate's class → what people call the record
    "Hazard": "隐患", "Enterprise": "企业", "Agency": "中介机构", "Inspection": "隐患排查",
    "ServiceContract": "企业委托服务合同", "ProcurementAgreement": "政府购买服务协议", "Referral": "交办单",
    "SelfReport": "企业自查自报", "SubsidyClaim": "补贴申报", "Accident": "事故",
    "Insurer": "保险机构", "InsurancePolicy": "安责险保单",
    "Alarm": "用电告警", "AlarmWatch": "用电告警监测",
    "MutualHelpGroup": "企业互助组", "IndustryAssociation": "行业协会",
    "ServiceNeed": "服务需求", "AgencyRating": "服务评价", "PartyAssessment": "考评评分",
    "RewardFund": "奖励专项资金",
    "Erasure": "个人信息删除记录",
}
