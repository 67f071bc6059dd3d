"""The FastAPI application: routers under /api/v1, errors as in SPEC §5."""

from __future__ import annotations

from fastapi import FastAPI

from infra.auth import Tokens
from infra.revocations import RevocationList
from services.api import errors
from services.api.json import JSON
from services.api.routes import contracts, hazards, inspections, parties, records, reference
from services.application import HazardLedger

API_PREFIX = "/api/v1"


def create_app(ledger: HazardLedger, tokens: Tokens) -> FastAPI:
    app = FastAPI(title="HazardLedger 隐患排查治理台账", version="0.1.0",
                  default_response_class=JSON, openapi_url="/openapi.json")
    app.state.ledger = ledger
    app.state.tokens = tokens
    app.state.revocations = RevocationList(ledger.recorder.datastore)
    for module in (reference, parties, contracts, inspections, hazards, records):
        app.include_router(module.router, prefix=API_PREFIX)
    errors.install(app)
    return app
