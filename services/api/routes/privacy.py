"""Personal information (个人信息, issue 16 §6, docs/privacy.md): `GET /persons?name=` finds the
pseudonymous person ids whose data names someone; `POST /persons/{person_id}/erasure` erases a
person's personal data (个人信息保护法第四十七条): the erasure recorded as an event, the person's
key destroyed, every view rebuilt so that it shows 已删除. The bureau and admins only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from infra.auth import Principal
from services.access import check_role
from services.api import schemas as s
from services.api.deps import ledger, principal
from projections.generations import RebuildRefused
from services.privacy import refresh_views

router = APIRouter(prefix="/persons", tags=["privacy"])


@router.get("", summary="按姓名查找人员编号（个人信息）", name="person.find",
            description="姓名出现在事件中的、尚未删除的人员：人员编号（化名）、类别、电话尾号、首次记录时间。"
                        "已删除的人员不再能按姓名查到。")
def find_persons(name: str = Query(..., min_length=1, max_length=100, description="姓名"),
                 who: Principal = Depends(principal), app=Depends(ledger)) -> list[s.PersonFound]:
    # the county's whole store: the bureau and admins are county-wide (read_scope: no filter)
    check_role(who, "person.find")
    return app.find_persons(name)


@router.post("/{person_id}/erasure", status_code=201, summary="删除个人信息（个人信息保护法第四十七条）",
             name="person.erase",
             description="销毁该人员的密钥：事件保留、审计链不变，所有视图、导出和读取显示「已删除」；"
                         "删除本身记为事件（删除个人信息）。再次删除同一人员不再记录（返回首次的删除记录）。")
def erase_person(person_id: str, body: s.ErasureRequest, who: Principal = Depends(principal),
                 app=Depends(ledger)) -> s.Written:
    check_role(who, "person.erase")
    written = app.erase_person(who.actor, person_id, reason=body.reason)
    try:
        refresh_views(dict(app.env))
    except RebuildRefused:  # erased and shredded; the views are being rebuilt by another process
        return JSONResponse(status_code=503, headers={"Retry-After": "30"}, content={
            "error": "views_busy", "retry": True, "id": written.id, "position": written.position,
            "message": "已记录删除并销毁密钥，但视图正由另一进程重建，尚未刷新；请稍后再次提交（再次删除不重复记录），以重建视图"})
    return written
