"""Request dependencies: the application and the token's holder."""

from __future__ import annotations

import logging

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from infra.auth import InvalidToken, Principal

log = logging.getLogger("hazard.auth")


class Unauthorised(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def ledger(request: Request):
    """The application (async: nothing to wait for, so no hop to a worker thread)."""
    return request.app.state.ledger


async def principal(request: Request) -> Principal:
    """The verified holder of the bearer token; 401 without a valid one."""
    return await verified(request.scope)


async def verified(scope: Scope) -> Principal:
    """`holder`, in the event loop while revocations are answered from memory (a signature and
    a set lookup), else in a worker thread (it asks PostgreSQL)."""
    if "principal" in scope.get("state", ()) or scope["app"].state.revocations.following:
        return holder(scope)
    return await run_in_threadpool(holder, scope)


def holder(scope: Scope) -> Principal:
    """The verified holder of the request's bearer token, or Unauthorised (logged). Verified
    once per request: the outcome is kept in the request's state, so the idempotency guard
    (which asks before replaying an answer) and the route's dependency share it."""
    state = scope.setdefault("state", {})
    if "principal" not in state:
        try:
            state["principal"] = _verify(scope)
        except Unauthorised as refused:
            state["principal"] = refused.reason
    outcome = state["principal"]
    if isinstance(outcome, str):  # refused (and logged) when first asked
        raise Unauthorised(outcome)
    return outcome


def _verify(scope: Scope) -> Principal:
    header = _header(scope, b"authorization")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("missing bearer token")
    app_state = scope["app"].state
    try:
        verified = app_state.tokens.verify(token.strip())
    except InvalidToken as e:
        _refused(scope, f"invalid token ({e})")
        raise Unauthorised(f"invalid token: {e}") from None
    if app_state.revocations.is_revoked(verified.token_id):
        _refused(scope, f"revoked token jti={verified.token_id} role={verified.role}")
        raise Unauthorised("token revoked")
    return verified


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def _refused(scope: Scope, reason: str) -> None:
    client = scope.get("client")
    log.warning("401 %s %s from %s: %s", scope["method"], scope["path"], client[0] if client else "?", reason)
