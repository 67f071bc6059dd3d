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
    try:
        return request.app.state.tokens.verify(token.strip())
    except InvalidToken as e:
        log.warning("refused token from %s: %s", request.client.host if request.client else "?", e)
        raise Unauthorised(f"invalid token: {e}") from None
