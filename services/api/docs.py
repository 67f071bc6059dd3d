"""The API's own documentation pages, offline (issue 17 §6): /docs (Swagger UI) and /redoc (ReDoc)
load their scripts, styles and icon from this project (`services/api/static/`, vendored from the npm
packages swagger-ui-dist and redoc; see VERSION in each folder), never from a CDN: county networks
are often closed to the internet. The OpenAPI document itself is /openapi.json. See docs/api.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static"
ASSETS_URL = "/static/api-docs"
TITLE = "HazardLedger 隐患排查治理台账 接口文档"


def install(app: FastAPI) -> None:
    """Serve the vendored assets and the two pages; `app` is created with docs_url=redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="api-docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=TITLE,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/swagger-ui/favicon-32x32.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url, title=TITLE,
            redoc_js_url=f"{ASSETS_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/swagger-ui/favicon-32x32.png", with_google_fonts=False)
