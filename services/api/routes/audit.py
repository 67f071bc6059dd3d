"""Whether the stored record is intact: the hash chain recomputed."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from infra.auth import Principal
from services.api.deps import ledger, principal

router = APIRouter(tags=["audit"])


@router.get("/audit/verify", summary="核验事件哈希链", name="audit.verify")
def verify(who: Principal = Depends(principal), app=Depends(ledger)) -> dict:
    app.authorize(who, "audit.verify")
    return app.audit_chain().verify().as_dict()
