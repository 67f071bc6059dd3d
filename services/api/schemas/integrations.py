"""Bodies of the reminders' and integrators' webhooks, 安责险 and smart-electricity alarms."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.api import vocabularies as vocab
from services.api.schemas.base import Amount, Body, Day, Ident, Printable, Short, Text


# --- reminders (issue 14 §5, docs/reminders.md) ---------------------------------------------------
class WebhookScope(Body):
    """订阅范围：乡镇（街道）代码和/或行业代码；都不填为全县。"""
    township: Ident | None = None
    sector: Ident | None = None


class NewWebhook(Body):
    """回调订阅：县里允许的 http(s) 地址；`secret`（16–200 个字符），不填则生成一个，只显示一次。"""
    url: Annotated[str, Field(min_length=1, max_length=2000), Printable]
    scope: WebhookScope = WebhookScope()
    secret: Annotated[str, Field(min_length=16, max_length=200), Printable] | None = None


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
    device_id: Annotated[str, Field(max_length=100, description="设备编号"), Printable]
    alarm_id: Annotated[str, Field(max_length=100, description="告警编号（设备给出，企业内唯一）"), Printable]
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
