"""How refusals read over HTTP: 422 names the field, 409 the rule, 403 the rule about who, 404, 401."""

from __future__ import annotations

import logging

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from services.api.json import JSON

from domain.errors import InvalidValue, RuleViolation
from projections.readmodels import NotCaughtUp
from services.api.deps import Unauthorised
from services.access import Forbidden
from services.errors import AlreadyRegistered, ConcurrentModification, NotFound


log = logging.getLogger("hazard.api")


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


# issue 17 §6: pydantic's error types in the words of the offices (every invalid field at once, in Chinese)
_MESSAGES = {
    "missing": "必填", "extra_forbidden": "不是本接口的字段", "string_type": "须为文本",
    "string_too_long": "长度不能超过 {max_length} 个字符", "string_too_short": "长度不能少于 {min_length} 个字符",
    "too_long": "最多 {max_length} 项", "too_short": "至少 {min_length} 项",
    "date_type": "须为日期（YYYY-MM-DD）", "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）", "date_from_datetime_inexact": "须为日期（YYYY-MM-DD）",
    "less_than_equal": "不能大于 {le}", "greater_than_equal": "不能小于 {ge}",
    "less_than": "须小于 {lt}", "greater_than": "须大于 {gt}",
    "int_type": "须为整数", "int_parsing": "须为整数", "int_from_float": "须为整数",
    "decimal_type": "须为数字", "decimal_parsing": "须为数字", "finite_number": "须为有限数字",
    "float_type": "须为数字", "float_parsing": "须为数字",
    "bool_type": "须为 true 或 false", "bool_parsing": "须为 true 或 false",
    "list_type": "须为列表", "dict_type": "须为对象", "model_type": "须为对象", "model_attributes_type": "须为对象",
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON",
    "enum": "未知取值，可选：{expected}", "literal_error": "未知取值，可选：{expected}",
    "uuid_type": "须为标识符（UUID）", "uuid_parsing": "须为标识符（UUID）",
}


def pydantic_message(error: dict) -> str:
    """One pydantic error in Chinese: a ValueError's own (Chinese) text, else the type's message."""
    ctx = error.get("ctx") or {}
    if error.get("type") in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return f"取值无效（{error.get('msg', '')}）"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("，：")


def invalid_input(field: str, message: str, errors: list[dict] | None = None) -> JSON:
    """422 naming the field (a body field or a query parameter): the one shape of bad input."""
    return JSON(status_code=422, content={
        "error": "invalid_input", "field": field, "message": f"{field}: {message}",
        "errors": errors or [{"field": field, "message": message}]})


def not_caught_up(e: NotCaughtUp) -> JSON:
    """503 + Retry-After: a view has not yet applied a position that the store holds."""
    return JSON(status_code=503, headers={"Retry-After": "1"}, content={
        "error": "not_caught_up", "view": e.view, "position": e.position, "reached": e.reached,
        "message": f"读模型 {e.view} 尚未处理到位置 {e.position}（当前 {e.reached}），请稍后重试"})


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError):
        errors = [{"field": _field(e["loc"]), "message": pydantic_message(e)} for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "message": "取值无效"}
        more = f"（另有 {len(errors) - 1} 处错误，见 errors）" if len(errors) > 1 else ""
        return invalid_input(first["field"], first["message"] + more, errors)

    @app.exception_handler(InvalidValue)
    async def invalid_value(_: Request, exc: InvalidValue):
        return invalid_input(exc.field, exc.message)

    @app.exception_handler(NotCaughtUp)
    async def lagging_view(_: Request, exc: NotCaughtUp):
        return not_caught_up(exc)

    @app.exception_handler(RuleViolation)
    async def rule_violation(_: Request, exc: RuleViolation):
        return JSON(status_code=403 if exc.about_who else 409, content={
            "error": "forbidden" if exc.about_who else "rule_violation",
            "rule": exc.rule, "message": exc.message})

    @app.exception_handler(ConcurrentModification)
    async def conflict(_: Request, exc: ConcurrentModification):
        return JSON(status_code=409, headers={"Retry-After": "0"}, content={
            "error": "conflict", "rule": exc.rule, "retry": True,
            "message": "另一个操作已先修改该记录，本次未保存任何内容，请重试"})

    @app.exception_handler(AlreadyRegistered)
    async def duplicate(_: Request, exc: AlreadyRegistered):
        return JSON(status_code=409, content={
            "error": "rule_violation", "rule": exc.rule,
            "message": f"统一社会信用代码 {exc.credit_code} 已登记"})

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound):
        return JSON(status_code=404, content={
            "error": "not_found", "message": f"{exc.kind} {exc.ident} 不存在"})

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden):
        return JSON(status_code=403, content={
            "error": "forbidden", "rule": f"access:{exc.action}", "message": exc.reason})

    @app.exception_handler(PersistenceError)
    async def store_unavailable(_: Request, exc: PersistenceError):
        log.error("event store error: %s", type(exc).__name__)
        return JSON(status_code=503, headers={"Retry-After": "5"}, content={
            "error": "unavailable", "message": "事件库暂时不可用，本次未保存，请稍后重试"})

    @app.exception_handler(Unauthorised)
    async def unauthorised(_: Request, exc: Unauthorised):
        return JSON(status_code=401, headers={"WWW-Authenticate": "Bearer"},
                              content={"error": "unauthorised", "message": exc.reason})
