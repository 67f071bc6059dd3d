"""GET /todo (待办, issue 14 §6): what the token's holder must do next, oldest first, from the
read models (projections/queries/todo.py; who gets which step: docs/todo.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from domain.actor import ROLE_NAMES_ZH
from domain.errors import InvalidValue
from infra.auth import Principal
from projections.queries import todo as todo_q
from projections.queries.todo_duties import KINDS, NO_TODO_NOTE, ROLE_KINDS
from projections.readmodels import ReadModels
from services.api.deps import ledger, principal
from services.api.routes.readmodels import caught_up, read_models

router = APIRouter(tags=["todo"])

READS = ("ledger", "activity")  # the views the to-do reads (`?after=` waits for both)


def kinds(kind: str | None = Query(None, max_length=400,
                                   description="只看这些待办类型（逗号分隔），如 rectify,review")) -> tuple[str, ...]:
    """The kinds asked for; an unknown one is 422 naming `kind`."""
    chosen = tuple(k.strip() for k in (kind or "").split(",") if k.strip())
    for k in chosen:
        if k not in KINDS:
            raise InvalidValue("kind", f"未知的待办类型 {k!r}，可选：{'、'.join(KINDS)}")
    return chosen


def holder_of(who: Principal) -> todo_q.Holder:
    return todo_q.Holder(role=str(who.role), township=who.township, sector=who.sector,
                         enterprise_id=who.enterprise_id, agency_id=who.agency_id)


@router.get("/todo", summary="待办：令牌持有方下一步要办的事项（最早的在前）", name="todo.read",
            description="每项：`kind`、`kind_label`（办理环节）、`subject`（企业和隐患的文字说明）、`since`（成为本方待办之日）、"
                        "`due_on` 和 `overdue`（是否逾期）、`link`（看板页面）；`hazard_id`、`enterprise_id` 为链接目标。"
                        "范围：恰为令牌持有方的事项。")
def todo(chosen: tuple[str, ...] = Depends(kinds),
         limit: int = Query(50, ge=1, le=500, description="每页条数"),
         offset: int = Query(0, ge=0, le=1_000_000, description="跳过的条数"),
         _: None = Depends(caught_up("todo.read", READS)),
         who: Principal = Depends(principal), rm: ReadModels = Depends(read_models),
         app=Depends(ledger)) -> dict:
    """Each item: `kind` and `kind_label` (the step), `subject` (enterprise and hazard in words),
    `since` (the day it became this party's to do), `due_on` and `overdue`, `link` (the dashboard
    page); `hazard_id` / `enterprise_id` are link targets. Scope: exactly the holder's."""
    today = app.today()
    items = todo_q.todo(rm.ledger, rm.activity, holder_of(who), today=today, reference=rm.reference,
                        self_report_policy=app.self_report_policy)
    counts = {k: {"label": label, "count": sum(i["kind"] == k for i in items),
                  "overdue": sum(i["kind"] == k and i["overdue"] for i in items)}
              for k, label in KINDS.items() if k in ROLE_KINDS.get(str(who.role), ())}
    if chosen:
        items = [i for i in items if i["kind"] in chosen]
    answer = {"as_of": today, "role": str(who.role), "role_label": ROLE_NAMES_ZH.get(who.role, str(who.role)),
              "total": len(items), "overdue": sum(i["overdue"] for i in items), "limit": limit,
              "offset": offset, "counts": counts, "items": items[offset:offset + limit]}
    if str(who.role) not in ROLE_KINDS:
        answer["note"] = NO_TODO_NOTE
    return answer
