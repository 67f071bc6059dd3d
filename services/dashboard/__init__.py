"""The web dashboard (看板): plain HTML pages and small vanilla JS modules over the read-model API.

`router` serves the pages (HTML, not in the OpenAPI document); `STATIC_DIR` holds their CSS,
JS and the vendored Apache ECharts, served under `STATIC_URL`. `install(app)` adds both:

    from services import dashboard
    dashboard.install(app)       # pages at /, /ledger, /hazards/{id}, /inspections/{id}, /compliance, /agencies…, /trace, /non-reporters, /self-reports…, /todo, /supervision, /referrals, /platform, /enterprises, /evaluations

The pages hold no data and need no token: each page's JS signs in with a pasted token (kept
in the tab's sessionStorage) and reads /api/v1 with it, so every page shows only what the
token's holder may see. See docs/dashboard.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static/dashboard"

# Pages load only this origin's scripts (no CDN); ECharts' tooltips need inline styles.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
                                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)

PAGES = {  # path → (route name, HTML file in static/pages)
    "/": ("dashboard.overview", "overview.html"),
    "/ledger": ("dashboard.ledger", "ledger.html"),
    "/hazards/{ident}": ("dashboard.hazard", "hazard.html"),
    "/inspections/{ident}": ("dashboard.inspection", "inspection.html"),
    "/compliance": ("dashboard.compliance", "compliance.html"),
    "/agencies": ("dashboard.agencies", "agencies.html"),
    "/agencies/{ident}": ("dashboard.agency", "agency.html"),
    "/trace": ("dashboard.trace", "trace.html"),
    "/non-reporters": ("dashboard.non-reporters", "non_reporters.html"),
    "/self-reports": ("dashboard.self-reports", "self_reports.html"),
    "/self-reports/{ident}": ("dashboard.self-report", "self_report.html"),
    "/todo": ("dashboard.todo", "todo.html"),  # 待办 (issue 14 §6): the landing page after signing in
    "/supervision": ("dashboard.supervision", "supervision.html"),  # 挂牌督办 and its paperwork
    "/referrals": ("dashboard.referrals", "referrals.html"),  # 交办: sign for and answer (the to-do's link)
    "/insurance": ("dashboard.insurance", "insurance.html"),  # 保险机构（安责险, issue 15 §3）
    "/platform": ("dashboard.platform", "platform.html"),  # 服务平台需求 (issue 15 §5)
    "/enterprises": ("dashboard.enterprises", "enterprises.html"),  # 企业名录: the enterprises in scope
    "/evaluations": ("dashboard.evaluations", "evaluations.html"),  # 考评 tables, reward fund (issue 15 §6)
    "/groups": ("dashboard.groups", "groups.html"),  # issue 15 §1–2: 互助组与行业协会
    "/electricity": ("dashboard.electricity", "electricity.html"),  # issue 15 §4: 智慧用电
}


def _page(filename: str):
    path = STATIC_DIR / "pages" / filename

    def page() -> FileResponse:
        return FileResponse(path, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    return page


for _path, (_name, _file) in PAGES.items():
    router.add_api_route(_path, _page(_file), methods=["GET"], name=_name)


@router.get("/favicon.ico", name="dashboard.favicon")
def favicon() -> RedirectResponse:
    return RedirectResponse(f"{STATIC_URL}/img/favicon.svg", status_code=308)


class Static(StaticFiles):
    """The dashboard's files, revalidated on every load (an upgrade is seen at once; a 304 is cheap)."""

    async def get_response(self, path: str, scope: Scope):
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install(app: FastAPI) -> None:
    """Serve the dashboard from `app`: its pages and its static files."""
    app.include_router(router)
    app.mount(STATIC_URL, Static(directory=STATIC_DIR), name="dashboard-static")
