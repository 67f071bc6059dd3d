"""The FastAPI application: routers under /api/v1, errors as in SPEC §5."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI

from infra.auth import Tokens
from infra.criteria import Catalogue, Checklists, load_checklists, load_criteria
from infra.files import FileStore, PostgresFileStore
from infra.idempotency import IdempotencyStore
from infra.revocations import RevocationList
from infra.settings import DEFAULT_FILE_MAX_BYTES
from projections.readmodels import ReadModels
from services.api import errors
from services.api.json import JSON
from services.api.middleware import RequestGuard
from services.api.query_guard import QueryGuard, known_parameters_only
from services import dashboard
from services.api.routes import (accountability, audit, checklists, contracts, criteria, events, files,
                                 hazards, inspections, parties, readmodels, records, reference,
                                 referrals, self_reports, groups)
from services.api.routes import supervision, todo  # issue 14 §6: to-do and 督办
from services.api.routes import meetings  # issue 14 §4: the monthly joint meeting pack (联席会材料)
from services.api.routes import exports  # issue 16 §2: the export for the province (省级上报)
from services.api.routes import reminders  # issue 14 §5: reminders, webhooks, dead letters, SMS outbox
from services.api.routes import webhooks  # issue 16 §4: webhook subscriptions (events for integrators)
from services.api.routes import insurance  # issue 15 §3: 安责险 (insurers, policies, prevention fee)
from services.api.routes import platform  # issue 15 §5: the service platform (服务平台), 绩效评比
from services.api.routes import assessments  # issue 15 §6: 考评 of the four parties, the reward fund
from services.api.routes import electricity  # issue 15 §4: smart electricity (智慧用电) alarms
from services.api.routes import privacy  # issue 16 §6: erasure of personal information
from services.api.uploads import body_limit
from services.api import docs as api_docs  # issue 17 §6: /docs and /redoc served offline
from services.application import HazardLedger

API_PREFIX = "/api/v1"


MAX_BODY_BYTES = 256 * 1024  # the largest legitimate body (a plan, six parts of ≤ 4,000 characters) is far smaller


def create_app(ledger: HazardLedger, tokens: Tokens, *, read_models: ReadModels | None = None,
               policy_file: Path | None = None, max_body: int = MAX_BODY_BYTES,
               file_store: FileStore | None = None, max_file: int = DEFAULT_FILE_MAX_BYTES,
               catalogue: Catalogue | None = None, templates: Checklists | None = None) -> FastAPI:
    """`file_store`: the evidence files' engine (default: PostgreSQL, the ledger's datastore);
    `max_file`: the largest file an upload stores (HAZARD_FILE_MAX_BYTES); `catalogue`, `templates`:
    the criteria and checklist templates as `Config` read them (default: infra/data's, checked here)."""
    revocations = RevocationList(ledger.recorder.datastore)

    @asynccontextmanager
    async def following_revocations(_: FastAPI) -> AsyncIterator[None]:
        revocations.start()  # held in memory while serving, refreshed by LISTEN/NOTIFY
        try:
            yield
        finally:
            revocations.close()

    app = FastAPI(title="HazardLedger 隐患排查治理台账", version="0.1.0",
                  default_response_class=JSON, openapi_url="/openapi.json", lifespan=following_revocations,
                  generate_unique_id_function=lambda route: route.name,  # operationId = action
                  docs_url=None, redoc_url=None)  # issue 17 §6: api_docs.install serves them offline
    app.state.ledger = ledger
    app.state.tokens = tokens
    app.state.revocations = revocations
    app.state.read_models = read_models  # None: opened beside the ledger on first use
    app.state.policy_file = policy_file  # the county's policy data (Settings.policy_file)
    app.state.files = file_store or PostgresFileStore(ledger.recorder.datastore, limit=max_file)
    app.state.file_max_bytes = max_file
    app.state.criteria = catalogue or load_criteria(sectors=ledger.reference.sectors)
    app.state.checklists = templates or load_checklists(catalogue=app.state.criteria,
                                                        sectors=ledger.reference.sectors)
    ledger.catalogue, ledger.file_store = app.state.criteria, app.state.files  # what hazards cite
    for module in (reference, parties, contracts, inspections, hazards, records, audit, readmodels,
                   accountability, events, files, criteria, checklists, self_reports, referrals,
                   todo, supervision, meetings, exports, reminders,
                   webhooks, platform, assessments, electricity, privacy,
                   insurance):
        app.include_router(module.router, prefix=API_PREFIX,
                           dependencies=[Depends(known_parameters_only)])  # unknown query parameters: 422
    for router in (groups.groups_router, groups.associations_router):  # issue 15 §1–2
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(known_parameters_only)])
    dashboard.install(app)  # the web dashboard at / (issue 7)
    api_docs.install(app)  # issue 17 §6: /docs, /redoc with the project's own assets
    errors.install(app)
    app.add_middleware(RequestGuard, max_body=max_body, store=IdempotencyStore(ledger.recorder.datastore),
                       unit_of_work=ledger.unit_of_work,
                       streamed={f"{API_PREFIX}/files": body_limit(max_file)})  # uploads stream
    app.add_middleware(QueryGuard)  # outermost: a query with control characters is 422 before anything
    return app
