"""Request dependencies: the application and the token's holder."""

from __future__ import annotations

import logging

from fastapi import Request

from infra.auth import InvalidToken, Principal

log = logging.getLogger("hazard.auth")


class Unauthorised(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ledger(request: Request):
    return request.app.state.ledger


def principal(request: Request) -> Principal:
    """The verified holder of the bearer token; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("missing bearer token")
    client = request.client.host if request.client else "?"
    try:
        holder = request.app.state.tokens.verify(token.strip())
    except InvalidToken as e:
        log.warning("401 %s %s from %s: invalid token (%s)", request.method, request.url.path, client, e)
        raise Unauthorised(f"invalid token: {e}") from None
    if request.app.state.revocations.is_revoked(holder.token_id):
        log.warning("401 %s %s from %s: revoked token jti=%s role=%s", request.method,
                    request.url.path, client, holder.token_id, holder.role)
        raise Unauthorised("token revoked") from None
    return holder
