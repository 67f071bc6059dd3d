"""One guard over every query string: a parameter whose name or value holds a control character
(NUL included) or is not UTF-8 is refused with 422 naming it, before any route, token check or
database sees it (issue 10 §6).

Why here and not per route: the filters reach PostgreSQL as text, and PostgreSQL refuses NUL in
text (which surfaced as 503 "事件库暂时不可用"); a control character in a filter is never a
legitimate value. Request bodies have their own check (`services/api/schemas/base.py: _printable`).

Issue 17 §6: a parameter the route does not declare (a typo such as `?satus=`, silently ignored
before) is refused with 422 too, every unknown name listed in `errors[]`, from each route's own
declaration (FastAPI's dependant: its parameters and its dependencies'). That check needs the
matched route, so it is a dependency every API router is included with (`known_parameters_only`,
app.py), not this middleware; pages and assets outside the API keep their query strings.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.errors import invalid_input

# C0 controls (tab, CR and LF included: no query value needs them), DEL and C1 controls
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _decoded(raw: bytes) -> str:
    """A query string part as Starlette reads it ('+' is a space), but strict about UTF-8."""
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")


def first_bad_parameter(query_string: bytes) -> tuple[str, str] | None:
    """(parameter, message) for the first parameter that is not clean text, or None."""
    for pair in query_string.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = _decoded(raw_name)
        except UnicodeDecodeError:
            return "query", "查询参数名不是有效的 UTF-8 文本"
        if CONTROL.search(name):
            return CONTROL.sub("?", name) or "query", "查询参数名含有控制字符"
        try:
            value = _decoded(raw_value)
        except UnicodeDecodeError:
            return name, "不是有效的 UTF-8 文本"
        if CONTROL.search(value):
            return name, "含有控制字符（如 NUL、换行、转义符）"
    return None


def parameter_names(query_string: bytes) -> list[str]:
    """The query's parameter names, in order, once each (after the control check: clean UTF-8)."""
    names = []
    for pair in query_string.split(b"&"):
        name = _decoded(pair.partition(b"=")[0])
        if name and name not in names:
            names.append(name)
    return names


def declared_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares (its own and its dependencies'), by their names in the URL."""
    names: set[str] = set()
    todo: list[Dependant] = [route.dependant]
    while todo:
        dependant = todo.pop()
        names.update(p.alias for p in dependant.query_params)
        todo.extend(dependant.dependencies)
    return frozenset(names)


async def known_parameters_only(request: Request) -> None:
    """A dependency of every API router (app.py): 422 listing each query parameter the matched
    route does not declare (issue 17 §6), before the token or any other parameter is looked at."""
    route, query = request.scope.get("route"), request.scope.get("query_string")
    if not query or not isinstance(route, APIRoute):
        return
    allowed = _known.get(id(route))
    if allowed is None:
        allowed = _known[id(route)] = declared_parameters(route)
    unknown = [n for n in parameter_names(query) if n not in allowed]
    if unknown:
        offered = "、".join(sorted(allowed)) or "无"
        message = f"未知的查询参数（本接口可用的查询参数：{offered}）"
        raise RequestValidationError([{"loc": ("query", n), "msg": message, "type": "value_error",
                                       "ctx": {"error": ValueError(message)}, "input": None} for n in unknown])


_known: dict[int, frozenset[str]] = {}  # route → its declared query parameters


class QueryGuard:
    """ASGI middleware: 422 `{"error": "invalid_input", "field": <parameter>, …}` for a query
    parameter that is not clean text; everything else passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            bad = first_bad_parameter(scope["query_string"])
            if bad is not None:
                await invalid_input(*bad)(scope, receive, send)
                return
        await self.app(scope, receive, send)
