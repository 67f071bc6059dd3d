"""Smart electricity (智慧用电, issue 15 §4, docs/electricity.md): POST /alarms (a device's alarm)
and GET /alarms/rates (alarms per enterprise with devices, by township, kind and month)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from domain.actor import Role
from domain.errors import InvalidValue
from infra.auth import Principal
from projections.export import render
from projections.queries import alarms as alarms_q
from projections.readmodels import ReadModels
from services.access import Forbidden, read_scope, scope_words
from services.api import schemas as s
from services.api import vocabularies as vocab
from services.api.deps import ledger, principal
from services.api.downloads import download
from services.api.routes.readmodels import Format, caught_up, read_models

router = APIRouter(tags=["smart electricity"])


def post_alarm_as(app: Any, who: Principal, body: s.NewAlarm) -> s.AlarmWritten:
    """One alarm from a device token (the NATS subject reaches it through this route as well:
    services/alarm_feed.py): the role (only `device`), the token's enterprise (any other: 403, nothing stored), then the
    command (idempotent by alarm id; raises a hazard when the county's policy says so)."""
    app.authorize(who, "alarm.post")
    if who.role == Role.DEVICE and body.enterprise_id != who.enterprise_id:
        raise Forbidden("alarm.post", f"设备令牌绑定企业 {who.enterprise_id or '（无）'}，"
                                      f"不能上报其他企业（{body.enterprise_id}）的告警")
    app.authorize(who, "alarm.post", app.subject_of_enterprise(body.enterprise_id))
    written = app.post_alarm(who.actor, device_enterprise=who.enterprise_id, **body.model_dump())
    return s.AlarmWritten.model_validate(written)


@router.post("/alarms", status_code=201, summary="智慧用电设备上报用电告警", name="alarm.post",
             description="设备令牌（角色 device，绑定一家企业）上报过载、漏电、超温、电弧告警。按告警编号幂等："
                         "重发相同内容不重复登记、应答相同；同一编号内容不同为 409 `alarm-id-reused`。"
                         "同类告警在县定时长内达到县定次数（政策 electricity）即自动生成一条来源为智慧用电监测的隐患，"
                         "同一告警过程只生成一条。其他企业的告警为 403，未知类型或未来时间为 422，均不登记。")
def post_alarm(body: s.NewAlarm, who: Principal = Depends(principal), app=Depends(ledger)) -> s.AlarmWritten:
    return post_alarm_as(app, who, body)


@router.get("/alarms/rates", name="alarm.rates",
            summary="智慧用电告警率：按乡镇（街道）、告警类型、月份，每家接入企业的告警次数及自动生成的隐患数（CSV / XLSX 导出）",
            description="接入企业：自首次上报告警的月份起计（台账不另登记设备）。每企业告警次数 = 当月该类告警次数 ÷ "
                        "截至当月已接入的本乡镇企业数。行按令牌范围过滤（乡镇看本乡镇，行业主管部门看本行业，企业看本企业）。")
def alarm_rates(year: int = Query(..., ge=1990, le=2099, description="年度"),
                township: str | None = Query(None, max_length=40, description="乡镇（街道）代码；不会超出令牌的范围"),
                kind: vocab.AlarmKind | None = Query(None, description="告警类型"),
                format: Format = "json",
                _: None = Depends(caught_up("alarm.rates", ("activity",))),
                who: Principal = Depends(principal), rm: ReadModels = Depends(read_models),
                app=Depends(ledger)):
    if township is not None and township not in app.reference.townships:
        raise InvalidValue("township", f"未知乡镇（街道）代码 {township!r}")
    result = alarms_q.alarm_rates(rm.activity, year, scope=read_scope(who).as_filters(),
                                  reference=rm.reference, township=township, kind=kind)
    if format != "json":
        data = render(format, alarms_q.COLUMNS, result["items"], f"{year} 年智慧用电告警率",
                      scope_words(who, rm.reference))
        return download(data, format, f"智慧用电告警率-{year}")
    return result
