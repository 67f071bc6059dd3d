"""Reading one aggregate: its state (also as of a past moment) and its history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from domain.accident import Accident
from domain.contracts import ProcurementAgreement, ServiceContract
from domain.criteria import article_zh
from domain.groups import IndustryAssociation, MutualHelpGroup
from domain.hazard import Hazard
from domain.inspection import Inspection
from domain.parties import Agency, Enterprise
from domain.platform import AgencyRating, ServiceNeed
from domain.referral import Referral
from domain.self_report import SelfReport
from infra.auth import Principal
from projections.field_labels import RECORD_KINDS
from services.api.deps import ledger, principal
from services.api.routes.readmodels import known_moment
from services.presenters import aggregate_state, event_entry

router = APIRouter(tags=["records"])

KINDS = {  # path → (aggregate class, action prefix in services/access.py)
    "enterprises": (Enterprise, "enterprise"), "agencies": (Agency, "agency"),
    "agreements": (ProcurementAgreement, "agreement"), "contracts": (ServiceContract, "contract"),
    "inspections": (Inspection, "inspection"), "hazards": (Hazard, "hazard"),
    "accidents": (Accident, "accident"), "self-reports": (SelfReport, "self_report"),
    "referrals": (Referral, "referral"),
    "groups": (MutualHelpGroup, "group"), "associations": (IndustryAssociation, "association"),
    "needs": (ServiceNeed, "need"), "ratings": (AgencyRating, "rating"),  # issue 15 §5
}

AS_OF = Query(None, max_length=40, description="记录时间点（ISO 8601；无时区按北京时间；仅日期取当日结束；1990–2099）",
              examples=["2026-05-31", "2026-05-31T09:00:00+08:00"])


def _subject(app, cls: type, ident: str):
    """Agencies are a public register (every office looks them up); other records are scoped."""
    if cls is Agency:
        app.load(Agency, ident)
        return None
    return app.subject_of(cls, ident)


def _add(path: str, cls: type, action: str) -> None:
    name = RECORD_KINDS.get(cls.__name__, cls.__name__)  # what people call the record (issue 17 §6)

    def state(request: Request, ident: str, as_of: str | None = AS_OF,
              who: Principal = Depends(principal), app=Depends(ledger)) -> dict:
        until = app.authorize_reading(who, f"{action}.read", _subject(app, cls, ident))
        return _cited(request, aggregate_state(app.state_as_of(cls, ident, known_moment(as_of, "as_of"), until)))

    def history(request: Request, ident: str, who: Principal = Depends(principal),
                app=Depends(ledger)) -> list[dict]:
        until = app.authorize_reading(who, f"{action}.history", _subject(app, cls, ident))
        return [{**entry, "data": _cited(request, entry["data"])} if isinstance(entry.get("data"), dict)
                else entry for entry in map(event_entry, app.history_until(cls, ident, until))]

    router.add_api_route(f"/{path}/{{ident}}", state, methods=["GET"], name=f"{action}.read",
                         summary=f"{name}：当前状态，或某一记录时间点的状态（as_of）")
    router.add_api_route(f"/{path}/{{ident}}/history", history, methods=["GET"],
                         name=f"{action}.history", summary=f"{name}：全部事件（操作人、时间）")


def _cited(request: Request, fields: dict) -> dict:
    """A record citing a criterion (a hazard, issue 13) also shows the article in Chinese:
    `criterion_article` 《工贸企业重大事故隐患判定标准》第四条第（一）项 (None if it cites none, or if
    the county's catalogue no longer has the id)."""
    if "criterion" not in fields:
        return fields
    ident = fields["criterion"]
    criterion = request.app.state.criteria.get(ident) if isinstance(ident, str) else None
    return {**fields, "criterion_article": article_zh(criterion) if criterion else None}


for _path, (_cls, _action) in KINDS.items():
    _add(_path, _cls, _action)
