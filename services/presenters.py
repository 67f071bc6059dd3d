"""Aggregates and events as plain data for people: times in Asia/Shanghai, dates ISO 8601."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from infra.log_reader import event_data
from infra.clock import local
from infra.log_reader import names_of

EVENT_LABELS = {
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
    "SelfReport.Filed": "企业自查自报", "SelfReport.Amended": "修改自查自报",
    "ChecklistRecorded": "记录检查表结果", "ChecklistItemLinked": "检查项关联隐患",
}


def event_label(aggregate: str, name: str) -> str:
    """The step's name for people: by "Aggregate.Event" where one name means different steps
    of different records, else by the event's name."""
    return EVENT_LABELS.get(f"{aggregate}.{name}", EVENT_LABELS.get(name, name))


def aggregate_state(aggregate: Aggregate) -> dict[str, Any]:
    state = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    return {
        "id": str(aggregate.id),
        "type": type(aggregate).__name__,
        "version": aggregate.version,
        "created_at": local(aggregate.created_on),
        "modified_at": local(aggregate.modified_on),
        **state,
    }


def event_entry(event: Any) -> dict[str, Any]:
    aggregate, name = names_of(type(event))
    return {
        "type": f"{aggregate}.{name}",
        "label": event_label(aggregate, name),
        "version": event.originator_version,
        "recorded_at": local(event.timestamp),
        "actor": getattr(event, "actor", None),
        "data": event_data(event),
    }
