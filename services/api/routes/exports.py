"""`GET /exports/province`: the county's hazards for the province (省级上报, issue 16 §2), in the
Zhejiang field set (projections/queries/province.py, docs/province-export.md): JSON, CSV, XLSX."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from domain.errors import InvalidValue
from infra.auth import Principal
from projections.export import render
from projections.queries import province
from projections.readmodels import ReadModels
from services.access import read_scope, scope_words
from services.api.deps import ledger as ledger_app
from services.api.deps import principal
from services.api.downloads import download
from services.api.routes.readmodels import caught_up, read_models

router = APIRouter(tags=["exports"])


def export_period(period: str = Query(..., max_length=20,
                                      description="期间：月份 2026-11、季度 2026Q3 或年份 2026")) -> province.Span:
    try:
        return province.parse_period(period)
    except ValueError as e:
        raise InvalidValue("period", str(e)) from None


@router.get("/exports/province", name="export.province",
            summary="省级上报：期间内发现的隐患，浙江字段集（级别代码、六个到位、销号日期、确认时间）")
def province_export(span: province.Span = Depends(export_period),
                    format: Literal["json", "csv", "xlsx"] = "json",
                    _: None = Depends(caught_up("export.province")),
                    who: Principal = Depends(principal), rm: ReadModels = Depends(read_models),
                    app=Depends(ledger_app)):
    if span.start > app.today():
        raise InvalidValue("period", f"期间 {span.name} 尚未开始")
    result = province.province_export(rm, span, read_scope(who).as_filters(), app.today())
    if format == "json":
        return result
    return download(render(format, province.COLUMNS, result["items"], f"省级上报 {span.name}",
                           scope_words(who, rm.reference)), format, f"省级上报-{result['county']}-{span.name}")
